// The one place where pull rules meet cdk8s. Every pod-bearing ApiObject, whoever built it,
// is wired here: its final JSON (after Lazy values and JSON patches) is checked and completed
// by the pure rules in pod-spec-check.ts.
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ImageReference } from './image-reference';
import { checkPodSpec, podSpecOf, PodSpecRules, PullSecretInfo } from './pod-spec-check';
import { IRegistrySecret } from './registry-secret';

/**
 * What a construct or a policy asks of the pod specs it covers.
 * @internal
 */
export interface PullRuleSource {
  readonly secrets: () => PullSecretInfo[];
  readonly wire: boolean;
  readonly publicRegistries?: string[];
  readonly disallowLatest?: boolean;
  readonly requireDigest?: boolean;
}

const WIRING = Symbol.for('cdk8s-private-registry.PullWiring');

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
   * Wires the pod-bearing resource `owner` (a kplus workload or pod) and reports its
   * violations through its own validation.
   */
  public static attach(owner: IConstruct, registrySecrets: IRegistrySecret[], publicRegistries: string[] = []): void {
    if (registrySecrets.length === 0) {
      throw new Error(`${owner.node.path}: registrySecrets is empty; give at least one RegistrySecret `
        + '(or RegistrySecret.fromSecretName for a secret created out of band)');
    }
    const wiring = PullWiring.of(ApiObject.of(owner));
    wiring.rules.push({ secrets: () => uniqueSecrets(registrySecrets), wire: true, publicRegistries });
    owner.node.addValidation({ validate: () => wiring.violations() });
  }

  /** rules added by the construct that owns the object */
  public readonly rules: PullRuleSource[] = [];
  private readonly originalToJson: () => any;
  private cached?: { json: any; violations: string[] };

  private constructor(private readonly obj: ApiObject) {
    this.originalToJson = obj.toJson.bind(obj);
    Object.defineProperty(obj, WIRING, { value: this });
    obj.toJson = () => {
      const json = (this.cached ?? this.render()).json;
      this.cached = undefined;
      return json;
    };
  }

  /** what is wrong with the object's pod spec under all rules that apply to it */
  public violations(): string[] {
    this.cached = this.render();
    return this.cached.violations;
  }

  private render(): { json: any; violations: string[] } {
    const json = this.originalToJson();
    const podSpec = podSpecOf(json);
    if (!podSpec || this.rules.length === 0) {
      return { json, violations: [] };
    }
    const rules = mergeRules(this.rules);
    const known = new Map(rules.secrets.map(s => [s.name, s]));
    const violations = checkPodSpec(podSpec, rules, {
      namespace: json.metadata?.namespace,
      lookupSecret: name => known.get(name),
      lookupServiceAccount: () => undefined,
    });
    return { json, violations };
  }
}

function mergeRules(sources: PullRuleSource[]): PodSpecRules {
  return {
    secrets: sources.flatMap(s => s.secrets()),
    wire: sources.some(s => s.wire),
    publicRegistries: sources.flatMap(s => s.publicRegistries ?? []),
    disallowLatest: sources.some(s => s.disallowLatest),
    requireDigest: sources.some(s => s.requireDigest),
  };
}

function uniqueSecrets(secrets: IRegistrySecret[]): PullSecretInfo[] {
  const seen = new Set<string>();
  const result: PullSecretInfo[] = [];
  for (const s of secrets) {
    if (!seen.has(s.name)) {
      seen.add(s.name);
      result.push({ name: s.name, namespace: s.namespace, servers: s.servers });
    }
  }
  return result;
}

/**
 * Container props with `imagePullPolicy` made explicit by Kubernetes' defaulting rule, because
 * cdk8s-plus would otherwise write `Always` for every image. An unparsable image is left for
 * validation to report with the construct path.
 * @internal
 */
export function withDefaultPullPolicy(props: kplus.ContainerProps): kplus.ContainerProps {
  if (props.imagePullPolicy !== undefined) {
    return props;
  }
  try {
    const policy = ImageReference.parse(props.image).defaultPullPolicy as kplus.ImagePullPolicy;
    return { ...props, imagePullPolicy: policy };
  } catch {
    return props;
  }
}
