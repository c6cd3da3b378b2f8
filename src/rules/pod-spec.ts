// A pod spec inside a manifest, as the API server and the kubelet find it: where each kind keeps it,
// its namespace, the secrets it names or its ServiceAccount gives, and which namespaces a pull secret
// serves. Pure: the checks (pod-spec-check.ts), the index and every reader share it.

/**
 * A pull secret as the rules see it.
 * @internal
 */
export interface PullSecretInfo {
  readonly name: string;
  /**
   * undefined: written without a namespace, so it lands in whichever namespace `kubectl apply`
   * is given, and only a pod without a namespace is sure to find it (see `resolvesIn`)
   */
  readonly namespace?: string;
  /**
   * declared outside the manifests without a namespace (`RegistrySecret.fromSecretName`,
   * `--existing-secret`): it exists in the namespace of each pod that names it
   */
  readonly inEveryNamespace?: boolean;
  /** other namespaces the secret is also written in, by copies (RegistrySecret `copyToNamespaces`) */
  readonly copiedTo?: readonly string[];
  /** written by a RegistrySecret, which can write copies into other namespaces: the namespace fix says so */
  readonly copyable?: boolean;
  /**
   * the credentials are in an external store, which the External Secrets Operator writes into the
   * Secret in the cluster: the store (or generator), as messages name it
   */
  readonly store?: string;
  /** undefined: the secret exists but what it covers is unknown */
  readonly servers?: string[];
  /** why the kubelet cannot read the secret, which fails every pull of a pod that names it */
  readonly invalid?: string;
}

/**
 * The container lists of a pod spec, in the order the kubelet starts them. Ephemeral containers
 * are refused instead: the API server forbids them when a pod is created and in every template.
 * @internal
 */
export const CONTAINER_LISTS: readonly string[] = ['initContainers', 'containers'];

/** Where each kind that runs pods keeps its pod spec. */
const POD_SPEC_PATHS: ReadonlyMap<unknown, readonly string[]> = new Map([
  ['Pod', ['spec']],
  ['PodTemplate', ['template', 'spec']],
  ['Deployment', ['spec', 'template', 'spec']],
  ['StatefulSet', ['spec', 'template', 'spec']],
  ['DaemonSet', ['spec', 'template', 'spec']],
  ['ReplicaSet', ['spec', 'template', 'spec']],
  ['ReplicationController', ['spec', 'template', 'spec']],
  ['Job', ['spec', 'template', 'spec']],
  ['CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
]);

/**
 * The path of the pod spec inside a manifest of any kind that runs pods.
 * @internal
 */
export function podSpecPath(manifest: any): readonly string[] | undefined {
  return POD_SPEC_PATHS.get(manifest?.kind);
}

/**
 * Whether objects of this kind run pods.
 * @internal
 */
export function runsPods(kind: unknown): boolean {
  return POD_SPEC_PATHS.has(kind);
}

/**
 * Finds the pod spec inside a manifest of any kind that runs pods.
 * @internal
 */
export function podSpecOf(manifest: any): any | undefined {
  const path = podSpecPath(manifest);
  if (path === undefined) {
    return undefined;
  }
  let node = manifest;
  for (let i = 0; i < path.length; i++) {
    if (node === undefined || node === null) {
      return undefined;
    }
    node = node[path[i]];
  }
  return node;
}

/**
 * The namespace of a manifest as the API server reads it: a missing one, `""` and anything that
 * is not a string are all no namespace.
 * @internal
 */
export function namespaceOf(manifest: any): string | undefined {
  const namespace = manifest?.metadata?.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : undefined;
}

/**
 * Whether a pod (or ServiceAccount) in `namespace` can name `secret`: one rule for secrets and
 * ServiceAccounts alike. A Secret written without a namespace goes wherever `kubectl apply` puts
 * it, so it counts only for pods without a namespace either; a secret declared to exist, or
 * copied into the namespace of each pod that names it (see `inEveryNamespace`), counts in every
 * namespace; a secret with copies (`copiedTo`), in those namespaces too.
 * @internal
 */
export function resolvesIn(secret: PullSecretInfo, namespace: string | undefined): boolean {
  const own = secret.namespace === '' ? undefined : secret.namespace;
  const asked = namespace === '' ? undefined : namespace;
  return own === asked || secret.inEveryNamespace === true
    || (asked !== undefined && secret.copiedTo !== undefined && secret.copiedTo.includes(asked));
}

/**
 * The key of a named object in one namespace, `namespace/name`; `/name` without a namespace.
 * @internal
 */
export function namespacedKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/**
 * How reports name an object in a namespace: `namespace/name`, or `name` without a namespace.
 * @internal
 */
export function namespacedName(namespace: unknown, name: unknown): string {
  return namespace ? `${namespace}/${name}` : `${name}`;
}

/**
 * How violations name an object: `kind/namespace/name`, or `kind/name` without a namespace.
 * @internal
 */
export function objectRef(manifest: any): string {
  return `${manifest?.kind}/${namespacedName(manifest?.metadata?.namespace, manifest?.metadata?.name)}`;
}

/**
 * The secrets an `imagePullSecrets` list names, as the API server reads it: an entry that is null
 * or has no name is an entry (it counts for the ServiceAccount admission plugin) naming no secret.
 * @internal
 */
export function namedSecrets(list: unknown): string[] {
  if (!Array.isArray(list)) {
    return [];
  }
  const names: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const name = list[i]?.name;
    if (typeof name === 'string' && name !== '') {
      names.push(name);
    }
  }
  return names;
}

/**
 * Where a pod's pull secrets come from: its own `imagePullSecrets`, or, when it has no entry at
 * all, its ServiceAccount's, which the admission plugin copies in (`serviceAccountName`, else the
 * deprecated `serviceAccount`, else `default`; "" counts as unset). `[{}]` and `[null]` are
 * entries: they keep the account's out.
 * @internal
 */
export function pullSecretSource(podSpec: any): { readonly secrets: string[] } | { readonly serviceAccount: string } {
  return namesOwnSecrets(podSpec) ? { secrets: namedSecrets(podSpec.imagePullSecrets) } : { serviceAccount: serviceAccountOf(podSpec) };
}

/**
 * Whether the pod has an `imagePullSecrets` entry of its own, which keeps its ServiceAccount's out.
 * @internal
 */
export function namesOwnSecrets(podSpec: any): boolean {
  const own: unknown = podSpec.imagePullSecrets;
  return Array.isArray(own) && own.length > 0;
}

/**
 * The ServiceAccount a pod runs as.
 * @internal
 */
export function serviceAccountOf(podSpec: any): string {
  return nonEmpty(podSpec.serviceAccountName) ?? nonEmpty(podSpec.serviceAccount) ?? 'default';
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
