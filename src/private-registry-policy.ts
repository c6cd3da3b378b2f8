import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { podSpecPath } from './pod-spec-check';
import { PullWiring, TreeIndex } from './pull-wiring';
import { IRegistrySecret } from './registry-secret';

/**
 * What `PrivateRegistryPolicy` does with the pods in its scope.
 */
export enum PolicyMode {
  /** Add the pull secrets a pod needs and an explicit `imagePullPolicy` wherever they are missing. */
  WIRE = 'wire',
  /** Change nothing; refuse at synth any pod that would fail a private pull. */
  VERIFY = 'verify',
}

/**
 * Props for `PrivateRegistryPolicy`.
 */
export interface PrivateRegistryPolicyProps {
  /**
   * Wire the pods or only verify them.
   *
   * @default PolicyMode.WIRE
   */
  readonly mode?: PolicyMode;

  /**
   * Secrets the policy knows about. In WIRE mode a pod gets the first one that covers an image
   * it cannot pull yet; in both modes a pod that names one of them is judged by its servers.
   * Secrets defined in the app (`RegistrySecret`, or any dockerconfigjson Secret from `Include`
   * or `Helm`) are known without being listed.
   *
   * @default []
   */
  readonly registrySecrets?: IRegistrySecret[];

  /**
   * Registries (server keys, matched like a pull secret's) whose images need no credentials.
   *
   * @default []
   */
  readonly publicRegistries?: string[];

  /**
   * Refuse images tagged `latest` or not tagged at all.
   *
   * @default false
   */
  readonly disallowLatest?: boolean;

  /**
   * Refuse images without a digest.
   *
   * @default false
   */
  readonly requireDigest?: boolean;
}

/**
 * Applies the private-pull rules to every pod and pod template under its scope, whoever made
 * it: cdk8s-plus, L1 classes, `ApiObject`, `Include` or `Helm`. Write it once per chart.
 */
export class PrivateRegistryPolicy extends Construct {
  /**
   * The mode the policy runs in.
   */
  public readonly mode: PolicyMode;

  constructor(scope: Construct, id: string, props: PrivateRegistryPolicyProps = {}) {
    super(scope, id);
    this.mode = props.mode ?? PolicyMode.WIRE;
    const secrets = [...props.registrySecrets ?? []];
    const wire = this.mode === PolicyMode.WIRE;
    PullWiring.addScopeRule(scope, {
      owner: this,
      required: () => [],
      // in VERIFY mode the secrets only tell what the pods' own secrets cover
      candidates: () => wire ? secrets : [],
      known: () => secrets,
      wire,
      publicRegistries: [...props.publicRegistries ?? []],
      disallowLatest: props.disallowLatest ?? false,
      requireDigest: props.requireDigest ?? false,
    });
    this.node.addValidation({ validate: () => this.validatePods(scope) });
  }

  private validatePods(scope: IConstruct): string[] {
    const index = new TreeIndex(this.node.root);
    const violations: string[] = [];
    for (const c of scope.node.findAll()) {
      if (!ApiObject.isApiObject(c) || podSpecPath(c) === undefined) {
        continue;
      }
      const wiring = PullWiring.of(c);
      // objects of our constructs report through their own validation; nested policies report their own
      if (wiring.owned || PullWiring.nearestScopeRuleOwner(c) !== this) {
        continue;
      }
      violations.push(...wiring.violations(index).map(v => `${c.node.path}: ${v}`));
    }
    return violations;
  }
}
