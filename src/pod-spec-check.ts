// Pure rules for one pod spec in its JSON form: which secrets it uses, which image each
// container pulls and with which policy. Imports nothing from cdk8s, so every source of pod
// specs (our constructs, L1 objects, Include, Helm, plain YAML) goes through the same code.
import { ImageReference } from './image-reference';
import { RegistryMatch } from './registry-match';

/**
 * A pull secret as the rules see it.
 * @internal
 */
export interface PullSecretInfo {
  readonly name: string;
  /** undefined: resolves in whichever namespace refers to it */
  readonly namespace?: string;
  /** undefined: the secret exists but what it covers is unknown */
  readonly servers?: string[];
}

/**
 * What is asked of a pod spec.
 * @internal
 */
export interface PodSpecRules {
  /** secrets to add to imagePullSecrets, in order (wire mode) or to require (verify mode) */
  readonly secrets: PullSecretInfo[];
  /** add what is missing instead of refusing it */
  readonly wire: boolean;
  /** server keys whose images need no credentials */
  readonly publicRegistries: string[];
  readonly disallowLatest: boolean;
  readonly requireDigest: boolean;
}

/**
 * Where a pod spec sits and what else is known around it.
 * @internal
 */
export interface PodSpecContext {
  /** the pod's namespace; undefined when the manifest leaves it to `kubectl apply` */
  readonly namespace?: string;
  /** any other secret the pod may name, by name in the pod's namespace */
  lookupSecret(name: string): PullSecretInfo | undefined;
  /** imagePullSecrets of a ServiceAccount in the pod's namespace, if known */
  lookupServiceAccount(name: string): string[] | undefined;
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];

/**
 * Finds the pod spec inside a manifest of any kind that runs pods.
 * @internal
 */
export function podSpecOf(manifest: any): any | undefined {
  const spec = manifest?.spec;
  switch (manifest?.kind) {
    case 'Pod': return spec;
    case 'PodTemplate': return manifest.template?.spec;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return spec?.template?.spec;
    case 'CronJob': return spec?.jobTemplate?.spec?.template?.spec;
    default: return undefined;
  }
}

/**
 * Applies the rules to `podSpec`, mutating it in wire mode, and returns what is still wrong.
 * Messages name the container and the value, never a credential.
 * @internal
 */
export function checkPodSpec(podSpec: any, rules: PodSpecRules, context: PodSpecContext): string[] {
  const violations: string[] = [];
  const own = new Map(rules.secrets.map(s => [s.name, s]));

  for (const secret of rules.secrets) {
    if (secret.namespace !== undefined && secret.namespace !== context.namespace) {
      const pod = context.namespace === undefined ? 'has no namespace' : `is in namespace "${context.namespace}"`;
      violations.push(`pull secret "${secret.name}" is in namespace "${secret.namespace}" but the pod ${pod}: `
        + 'imagePullSecrets resolve only in the pod\'s own namespace; put the secret and the pod in the same namespace');
    }
  }

  if (rules.wire && rules.secrets.length > 0) {
    const names: Array<{ name: string }> = Array.isArray(podSpec.imagePullSecrets) ? podSpec.imagePullSecrets : [];
    const present = new Set(names.map(n => n.name));
    podSpec.imagePullSecrets = [...names, ...rules.secrets.filter(s => !present.has(s.name)).map(s => ({ name: s.name }))];
  }

  const used = effectivePullSecrets(podSpec, context);
  const resolved = used.names.map(name => own.get(name) ?? context.lookupSecret(name) ?? { name });
  for (const missing of rules.secrets) {
    if (!used.names.includes(missing.name)) {
      violations.push(`imagePullSecrets does not name "${missing.name}"; add {name: "${missing.name}"} to the pod spec`);
    }
  }

  for (const list of CONTAINER_LISTS) {
    for (const container of podSpec[list] ?? []) {
      violations.push(...checkContainer(container, list, rules, resolved, used.via));
    }
  }
  return violations;
}

function effectivePullSecrets(podSpec: any, context: PodSpecContext): { names: string[]; via: string } {
  const own: Array<{ name?: string }> = podSpec.imagePullSecrets ?? [];
  if (own.length > 0) {
    return { names: own.map(s => s.name ?? ''), via: 'imagePullSecrets' };
  }
  // the ServiceAccount admission plugin copies the account's secrets only into pods that name none
  const account = podSpec.serviceAccountName ?? podSpec.serviceAccount ?? 'default';
  const names = context.lookupServiceAccount(account) ?? [];
  return { names, via: `serviceAccount "${account}"` };
}

function checkContainer(container: any, list: string, rules: PodSpecRules, secrets: PullSecretInfo[], via: string): string[] {
  const where = `${list === 'containers' ? 'container' : list.replace(/s$/, '').replace(/C/, ' c')} "${container.name}"`;
  if (typeof container.image !== 'string') {
    return [`${where} has no image; set its image`];
  }
  let ref: ImageReference;
  try {
    ref = ImageReference.parse(container.image);
  } catch (e: any) {
    return [`${where}: ${e.message}`];
  }

  const violations: string[] = [];
  if (container.imagePullPolicy === undefined) {
    if (rules.wire) {
      container.imagePullPolicy = ref.defaultPullPolicy;
    } else {
      violations.push(`${where} image "${container.image}" has no explicit imagePullPolicy; set it (Kubernetes would default to ${ref.defaultPullPolicy})`);
    }
  }
  if (rules.disallowLatest && (ref.tag === 'latest' || (ref.tag === undefined && ref.digest === undefined))) {
    violations.push(`${where} image "${container.image}" uses ${ref.tag ? 'the tag "latest"' : 'no tag (which means "latest")'}; pin a version tag or a digest`);
  }
  if (rules.requireDigest && ref.digest === undefined) {
    violations.push(`${where} image "${container.image}" has no digest; pin it as ${ref.toFamiliarString()}@sha256:<digest>`);
  }

  const isPublic = rules.publicRegistries.some(server => RegistryMatch.covers(server, ref.name));
  const covered = secrets.some(s => (s.servers ?? []).some(server => RegistryMatch.covers(server, ref.name)));
  if (!isPublic && !covered) {
    violations.push(`${where} image "${container.image}": no pull secret covers registry "${ref.registry}" `
      + `(${describeSecrets(secrets, via)}); add a RegistrySecret whose server is "${ref.registry}"`
      + ' or list the registry in publicRegistries');
  }
  return violations;
}

function describeSecrets(secrets: PullSecretInfo[], via: string): string {
  if (secrets.length === 0) {
    return via === 'imagePullSecrets' ? 'the pod names no pull secret' : `the pod names no pull secret and ${via} has none`;
  }
  return `${via} gives ` + secrets.map(s => s.servers === undefined
    ? `"${s.name}" (unknown to this synth; declare it with RegistrySecret.fromSecretName)`
    : `"${s.name}" for [${s.servers.join(', ')}]`).join(', ');
}
