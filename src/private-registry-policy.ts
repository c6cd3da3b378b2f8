import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PullWiring, TreeIndex } from './pull-wiring';
import { IRegistrySecret } from './registry-secret';
import { podSpecPath } from './rules/pod-spec-check';

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

  private lastPass?: { readonly constructs: number; readonly wirings: PullWiring[]; readonly violations: string[] };

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
    this.node.addValidation({ validate: () => this.validatePods() });
  }

  private validatePods(): string[] {
    // one walk of the app: its secrets and ServiceAccounts count wherever they are, its pods
    // count when this is the innermost policy over them
    const all = this.node.root.node.findAll();
    // cdk8s validates again for each chart it writes; nothing changed if no object was added
    // and every render is still waiting for its toJson
    const last = this.lastPass;
    if (last && last.violations.length === 0 && last.constructs === all.length && last.wirings.every(w => w.rendered)) {
      return last.violations;
    }
    const index = new TreeIndex(all);
    const wirings: PullWiring[] = [];
    // the same for every pod this policy reports: the rules of its scope and the scopes above
    const rules = PullWiring.scopeRules(this.node.scope!);
    const violations: string[] = [];
    for (const c of all) {
      if (!ApiObject.isApiObject(c) || podSpecPath(c) === undefined || PullWiring.nearestScopeRuleOwner(c) !== this) {
        continue;
      }
      const wiring = PullWiring.of(c);
      // objects of our constructs report through their own validation
      if (!wiring.owned) {
        wirings.push(wiring);
        violations.push(...wiring.violations(index, rules).map(v => `${c.node.path}: ${v}`));
      }
    }
    this.lastPass = { constructs: all.length, wirings, violations };
    return violations;
  }
}
