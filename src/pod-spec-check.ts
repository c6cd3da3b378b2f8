// Pure rules for one pod spec in its JSON form: which secrets it names, which image each
// container pulls and with which policy. Imports nothing from cdk8s, so every source of pod
// specs (our constructs, L1 objects, Include, Helm, a YAML file) goes through the same code.
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
  /** secrets the pod must name, in this order */
  readonly required: PullSecretInfo[];
  /** secrets added, in wire mode, to a pod that has an image only they cover */
  readonly candidates: PullSecretInfo[];
  /** secrets whose servers are known, never added */
  readonly known: PullSecretInfo[];
  /** add what is missing instead of refusing it */
  readonly wire: boolean;
  /** server keys whose images need no credentials */
  readonly publicRegistries: string[];
  readonly disallowLatest: boolean;
  readonly requireDigest: boolean;
}

/**
 * What is known around a pod spec.
 * @internal
 */
export interface PodSpecContext {
  /** the pod's namespace; undefined when the manifest leaves it to `kubectl apply` */
  readonly namespace?: string;
  /** every known secret with this name, in any namespace */
  secrets(name: string): PullSecretInfo[];
  /** imagePullSecrets of the ServiceAccount with this name in the pod's namespace, if known */
  serviceAccount(name: string): string[] | undefined;
}

/**
 * The container lists of a pod spec, in the order the kubelet starts them.
 * @internal
 */
export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];

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
 * Applies the rules to `podSpec`, completing it in wire mode, and returns what is still wrong.
 * Messages name the container and the value, never a credential.
 * @internal
 */
export function checkPodSpec(podSpec: any, rules: PodSpecRules, context: PodSpecContext): string[] {
  const violations: string[] = [];
  const pullSecrets = new PullSecrets(podSpec, rules, context, violations);

  for (const secret of rules.required) {
    if (!pullSecrets.names().includes(secret.name)) {
      if (rules.wire) {
        pullSecrets.add(secret);
      } else {
        violations.push(`imagePullSecrets does not name "${secret.name}"; add {name: "${secret.name}"} to the pod spec`);
      }
    }
  }

  for (const list of CONTAINER_LISTS) {
    for (const container of podSpec[list] ?? []) {
      const where = `${list === 'containers' ? 'container' : list.slice(0, -1).replace('C', ' c')} "${container.name}"`;
      violations.push(...checkContainer(where, container, rules, pullSecrets));
    }
  }
  return [...new Set(violations)];
}

function checkContainer(where: string, container: any, rules: PodSpecRules, pullSecrets: PullSecrets): string[] {
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
  const image = `${where} image "${container.image}"`;
  if (container.imagePullPolicy === undefined) {
    if (rules.wire) {
      container.imagePullPolicy = ref.defaultPullPolicy;
    } else {
      violations.push(`${image} has no explicit imagePullPolicy; set it (Kubernetes would default to ${ref.defaultPullPolicy})`);
    }
  }
  if (rules.disallowLatest && (ref.tag === 'latest' || (ref.tag === undefined && ref.digest === undefined))) {
    violations.push(`${image} uses ${ref.tag ? 'the tag "latest"' : 'no tag, which means "latest"'}; pin a version tag or a digest`);
  }
  if (rules.requireDigest && ref.digest === undefined) {
    violations.push(`${image} has no digest; pin it as ${ref.toFamiliarString()}@sha256:<digest>`);
  }

  const covers = (s: PullSecretInfo) => (s.servers ?? []).some(server => RegistryMatch.covers(server, ref.name));
  if (rules.publicRegistries.some(server => RegistryMatch.covers(server, ref.name)) || pullSecrets.resolved().some(covers)) {
    return violations;
  }
  const candidate = rules.wire ? rules.candidates.find(covers) : undefined;
  if (candidate) {
    pullSecrets.add(candidate);
    return violations;
  }
  violations.push(`${image}: no pull secret covers registry "${ref.registry}" (${pullSecrets.describe()}); `
    + `add a RegistrySecret whose server is "${ref.registry}", or list the registry in publicRegistries if it is public`);
  return violations;
}

/** The secrets a pod pulls with: its own imagePullSecrets, else its ServiceAccount's. */
class PullSecrets {
  private cache?: PullSecretInfo[];

  constructor(private readonly podSpec: any, private readonly rules: PodSpecRules,
    private readonly context: PodSpecContext, private readonly violations: string[]) {}

  public names(): string[] {
    const own: Array<{ name?: string }> = this.podSpec.imagePullSecrets ?? [];
    return own.length > 0 ? own.map(s => s.name ?? '') : this.context.serviceAccount(this.account()) ?? [];
  }

  public add(secret: PullSecretInfo): void {
    // the ServiceAccount admission plugin fills in only pods that name no secret, so a pod that
    // relied on its account keeps the account's secrets when it gets one of its own
    const names = this.names();
    this.podSpec.imagePullSecrets = [...names, secret.name].map(name => ({ name }));
    this.cache = undefined;
  }

  public resolved(): PullSecretInfo[] {
    if (!this.cache) {
      this.cache = this.names().map(name => this.resolve(name));
    }
    return this.cache;
  }

  public describe(): string {
    const secrets = this.resolved();
    const own = (this.podSpec.imagePullSecrets ?? []).length > 0;
    if (secrets.length === 0) {
      return own ? 'the pod names no pull secret' : `the pod names no pull secret and serviceAccount "${this.account()}" gives none`;
    }
    const via = own ? 'imagePullSecrets' : `serviceAccount "${this.account()}"`;
    return `${via} gives ` + secrets.map(s => s.servers === undefined
      ? `"${s.name}", which this synth does not know; declare it with RegistrySecret.fromSecretName`
      : `"${s.name}" for [${s.servers.join(', ')}]`).join(', ');
  }

  private account(): string {
    return this.podSpec.serviceAccountName ?? this.podSpec.serviceAccount ?? 'default';
  }

  private resolve(name: string): PullSecretInfo {
    const fromRules = [...this.rules.required, ...this.rules.candidates, ...this.rules.known].filter(s => s.name === name);
    const known = fromRules.length > 0 ? fromRules : this.context.secrets(name);
    const here = known.find(s => s.namespace === undefined || s.namespace === this.context.namespace);
    if (here) {
      return here;
    }
    if (known.length > 0) {
      const pod = this.context.namespace === undefined ? 'has no namespace' : `is in namespace "${this.context.namespace}"`;
      this.violations.push(`pull secret "${name}" is in namespace "${known[0].namespace}" but the pod ${pod}: `
        + 'imagePullSecrets resolve only in the pod\'s own namespace; put the secret and the pod in the same namespace');
      return { name, servers: [] };
    }
    return { name };
  }
}
