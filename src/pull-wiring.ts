// The one place where pull rules meet cdk8s. Every pod-bearing ApiObject, whoever built it,
// is wired here: its final JSON (after Lazy values and JSON patches) is checked and completed
// by the pure rules in pod-spec-check.ts.
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { PrivateImageServiceAccount } from './private-image-service-account';
import { ImageReference } from './rules/image-reference';
import { ManifestIndex } from './rules/manifest-index';
import { checkPodSpec, objectRef, podSpecOf, PodSpecRules, PullSecretInfo } from './rules/pod-spec-check';

/**
 * A secret as wiring needs it: `IRegistrySecret` without the import cycle.
 * @internal
 */
export interface SecretLike {
  readonly name: string;
  readonly namespace?: string;
  readonly servers: string[];
}

/**
 * What a construct or a policy asks of the pod specs it covers.
 * @internal
 */
export interface PullRule {
  /** the construct that set a scope-wide rule */
  readonly owner?: IConstruct;
  readonly required: () => SecretLike[];
  readonly candidates: () => SecretLike[];
  readonly known?: () => SecretLike[];
  readonly wire: boolean;
  readonly publicRegistries: string[];
  readonly disallowLatest: boolean;
  readonly requireDigest: boolean;
}

const WIRING = Symbol('cdk8s-private-registry.PullWiring');

// one shared function instead of a closure per object: a synth may wire tens of thousands
function wiredToJson(this: ApiObject): any {
  return ((this as any)[WIRING] as PullWiring)._consume();
}
const SCOPE_RULES = Symbol.for('cdk8s-private-registry.ScopeRules');

/**
 * Wires one ApiObject. Rendering is cached from validation to the toJson that follows it, so a
 * synth serializes each object once.
 * @internal
 */
export class PullWiring {
  /** the wiring of `obj`, created (and its toJson hooked) on first use */
  public static of(obj: ApiObject): PullWiring {
    return (obj as any)[WIRING] ?? new PullWiring(obj);
  }

  /**
   * Wires the pod-bearing resource `owner` (a cdk8s-plus pod or workload) with its own secrets and
   * reports its violations through its own validation.
   */
  public static attach(owner: kplus.AbstractPod, registrySecrets: SecretLike[], publicRegistries: string[] = []): void {
    if (registrySecrets.length === 0 && !owner.serviceAccount) {
      throw new Error(`${owner.node.path}: registrySecrets is empty; give at least one RegistrySecret `
        + '(RegistrySecret.fromSecretName for a secret created out of band), or a serviceAccount whose imagePullSecrets cover the images');
    }
    const wiring = PullWiring.of(ApiObject.of(owner));
    wiring.ownerContext = () => ownerContext(owner);
    wiring.ownRules.push({
      required: () => registrySecrets, candidates: () => [], wire: true, publicRegistries, disallowLatest: false, requireDigest: false,
    });
    owner.node.addValidation({ validate: () => wiring.violations() });
  }

  /** Makes `rule` apply to every pod-bearing object under `scope`, now or later. */
  public static addScopeRule(scope: IConstruct, rule: PullRule): void {
    const rules: PullRule[] = (scope as any)[SCOPE_RULES] ?? [];
    if (rules.length === 0) {
      Object.defineProperty(scope, SCOPE_RULES, { value: rules });
    }
    rules.push(rule);
  }

  /** the owner of the innermost scope-wide rule over `c` */
  public static nearestScopeRuleOwner(c: IConstruct): IConstruct | undefined {
    for (let scope: IConstruct | undefined = c; scope; scope = scope.node.scope) {
      const rules: PullRule[] | undefined = (scope as any)[SCOPE_RULES];
      if (rules) {
        return rules[rules.length - 1].owner;
      }
    }
    return undefined;
  }

  /** the merged scope-wide rules that apply at `scope`: its own and its ancestors' */
  public static scopeRules(scope: IConstruct): PodSpecRules {
    return mergeRules(scopeRuleSources(scope));
  }

  /** rules added by the construct that owns the object, which then reports its own violations */
  private readonly ownRules: PullRule[] = [];
  /** what the owning construct knows, so that judging it needs no walk of the whole tree */
  private ownerContext?: () => Lookup | undefined;
  private readonly originalToJson: () => any;
  private cached?: { json: any; violations: string[] };

  private constructor(private readonly obj: ApiObject) {
    this.originalToJson = obj.toJson;
    (obj as any)[WIRING] = this;
    obj.toJson = wiredToJson;
  }

  /**
   * the JSON for toJson: the render validation made, or a new one
   * @internal
   */
  public _consume(): any {
    const json = (this.cached ?? this.render()).json;
    this.cached = undefined;
    return json;
  }

  /** true between a validation's render and the toJson that takes it */
  public get rendered(): boolean {
    return this.cached !== undefined;
  }

  /** true when a construct of ours owns the object and reports its violations */
  public get owned(): boolean {
    return this.ownRules.length > 0;
  }

  /** what is wrong with the object's pod spec under every rule that applies to it */
  public violations(index?: TreeIndex, rules?: PodSpecRules): string[] {
    // cdk8s validates the whole app again for each chart it serializes: render once per synth.
    // A render with violations is not kept: no toJson follows it, and a retry must look again.
    const render = this.cached ?? this.render(index, rules);
    this.cached = render.violations.length === 0 ? render : undefined;
    return render.violations;
  }

  /** @param rules the merged rules, when the caller knows them already */
  private render(index?: TreeIndex, rules?: PodSpecRules): { json: any; violations: string[] } {
    const json = this.originalToJson.call(this.obj);
    const podSpec = podSpecOf(json);
    const sources = rules ? [] : [...this.ownRules, ...scopeRuleSources(this.obj)];
    if (!podSpec || (!rules && sources.length === 0)) {
      return { json, violations: [] };
    }
    const namespace: string | undefined = json.metadata?.namespace;
    // a construct of ours knows its ServiceAccount; anything else is looked up in the whole app
    let known: Lookup | undefined = index ?? this.ownerContext?.();
    const lookup = () => known ?? (known = new TreeIndex(this.obj.node.root.node.findAll()));
    const violations = checkPodSpec(podSpec, rules ?? mergeRules(sources), {
      namespace,
      secrets: name => lookup().secrets(name),
      serviceAccount: name => lookup().serviceAccount(name, namespace),
    });
    return { json, violations: this.owned ? violations : violations.map(v => `${objectRef(json)}: ${v}`) };
  }
}

function scopeRuleSources(c: IConstruct): PullRule[] {
  const sources: PullRule[] = [];
  for (let scope: IConstruct | undefined = c; scope; scope = scope.node.scope) {
    sources.push(...(scope as any)[SCOPE_RULES] ?? []);
  }
  return sources;
}

function mergeRules(sources: PullRule[]): PodSpecRules {
  if (sources.length === 1) {
    const [only] = sources;
    return {
      required: unique(only.required()),
      candidates: unique(only.candidates()),
      known: unique(only.known?.() ?? []),
      wire: only.wire,
      publicRegistries: only.publicRegistries,
      disallowLatest: only.disallowLatest,
      requireDigest: only.requireDigest,
    };
  }
  return {
    required: unique(sources.flatMap(s => s.required())),
    candidates: unique(sources.flatMap(s => s.candidates())),
    known: unique(sources.flatMap(s => s.known?.() ?? [])),
    // the innermost rule decides whether to change anything: a VERIFY policy inside a WIRE one verifies
    wire: sources[0].wire,
    publicRegistries: sources.flatMap(s => s.publicRegistries),
    disallowLatest: sources.some(s => s.disallowLatest),
    requireDigest: sources.some(s => s.requireDigest),
  };
}

function unique(secrets: SecretLike[]): PullSecretInfo[] {
  if (secrets.length === 0) {
    return [];
  }
  const seen = new Set<string>();
  const result: PullSecretInfo[] = [];
  for (const s of secrets) {
    const name = s.name;
    if (!seen.has(name)) {
      seen.add(name);
      result.push({ name, namespace: s.namespace, servers: s.servers });
    }
  }
  return result;
}

/** Secrets and ServiceAccounts known around a pod. */
interface Lookup {
  secrets(name: string): PullSecretInfo[];
  serviceAccount(name: string, namespace: string | undefined): string[] | undefined;
}

const NOTHING_KNOWN: Lookup = { secrets: () => [], serviceAccount: () => undefined };

/** what a pod or workload of ours knows without a walk of the app; undefined: walk it */
function ownerContext(owner: kplus.AbstractPod): Lookup | undefined {
  const account = owner.serviceAccount;
  if (account === undefined) {
    // the namespace's `default` account, which no synth can see
    return NOTHING_KNOWN;
  }
  if (!(account instanceof PrivateImageServiceAccount)) {
    // cdk8s-plus's own ServiceAccount cannot hold imagePullSecrets; one imported by name may be
    // defined anywhere in the app (an ApiObject, Include, Helm)
    return account instanceof kplus.ServiceAccount ? NOTHING_KNOWN : undefined;
  }
  const secrets = account.registrySecrets;
  return {
    secrets: name => secrets.filter(s => s.name === name).map(s => ({ name: s.name, namespace: s.namespace, servers: s.servers })),
    serviceAccount: (name, namespace) => account.name === name && account.metadata.namespace === namespace ? secrets.map(s => s.name) : undefined,
  };
}

/**
 * The secrets and ServiceAccounts of a construct tree, read from their final JSON, so that a pod
 * naming a secret from `Include` or a ServiceAccount from a Helm chart is judged as the kubelet would.
 * @internal
 */
export class TreeIndex extends ManifestIndex {
  /** @param constructs every construct of the app, e.g. `root.node.findAll()` */
  constructor(constructs: IConstruct[]) {
    super();
    for (const c of constructs) {
      if (isRegistrySecret(c)) {
        this.addSecret({ name: c.name, namespace: c.namespace, servers: c.servers });
      } else if (ApiObject.isApiObject(c) && (c.kind === 'Secret' || c.kind === 'ServiceAccount') && !isRegistrySecret(c.node.scope)) {
        this.addManifest(c.toJson());
      }
    }
  }
}

function isRegistrySecret(c: any): c is SecretLike {
  return c !== undefined && c.kind === 'Secret' && Array.isArray(c.servers) && typeof c.name === 'string';
}

/**
 * Container props with `imagePullPolicy` made explicit by Kubernetes' defaulting rule, because
 * cdk8s-plus would otherwise write `Always` for every image.
 * @internal
 */
export function withDefaultPullPolicy(props: kplus.ContainerProps): kplus.ContainerProps {
  if (props.imagePullPolicy !== undefined || typeof props.image !== 'string') {
    return props;
  }
  // the image itself is validated with the pod, where the error can name the construct path
  // Object.assign, not a spread: V8 builds the spread copy on a slow path that made every pod slower
  return Object.assign({}, props, { imagePullPolicy: ImageReference._defaultPullPolicyOf(props.image) as kplus.ImagePullPolicy });
}
