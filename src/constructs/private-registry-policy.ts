import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkImageLock, ImageLock, lockDigests } from './image-lock';
import { NodeCredentials } from './node-credentials';
import { checkArray, checkBoolean, checkObject, checkStringArray, invalid, pathOf } from '../rules/input';
import { platformsProp } from '../rules/pod-platforms';
import { checkSecret } from '../wiring/pull-secrets';
import { PullWiring } from '../wiring/pull-wiring';

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
  readonly registrySecrets?: kplus.ISecret[];

  /**
   * Registries (server keys, matched like a pull secret's) whose images need no credentials.
   *
   * @default []
   */
  readonly publicRegistries?: string[];

  /**
   * What the cluster's nodes pull with (credential provider plugins, a docker config on the node).
   * An image they cover needs no pull secret: it is not refused, and WIRE adds none for it.
   *
   * @default [] - only pull secrets give credentials
   */
  readonly nodeCredentials?: NodeCredentials[];

  /**
   * The node platforms of the cluster the pods run on, each `OS/ARCH[/VARIANT]`, e.g.
   * `['linux/amd64', 'linux/arm64']` for a cluster with an arm64 node pool. A pod whose
   * `nodeSelector`, required node affinity and `spec.os.name` admit none of them is refused at
   * synth: it would never be scheduled. In WIRE mode each object is annotated
   * `cdk8s-private-registry/platforms`, which `cdk8s-private-registry check --pull` and the
   * validation plugin with `pull: true` read instead of their own platforms setting: every image
   * must offer a manifest for each platform a pod may run on.
   *
   * @default - not checked at synth; `check --pull` uses its `--platform`, by default linux/amd64
   */
  readonly platforms?: string[];

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

  /**
   * Digests of image tags, as `cdk8s-private-registry check --pull --lock FILE` writes them. In
   * WIRE mode every image without a digest that the lock holds is pinned to it
   * (`repository:tag@sha256:...`); in VERIFY mode such an image is refused until it is pinned.
   * A lock given to a pod or workload wins over the policy's.
   *
   * @default - no lock
   */
  readonly imageLock?: ImageLock;

  /**
   * Refuse an image that has no digest and is not in `imageLock`.
   *
   * @default false
   */
  readonly requireLock?: boolean;
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
    // checked before the policy joins the tree, so a refused one leaves nothing behind
    const path = pathOf(scope, id);
    checkObject(path, 'props', props);
    if (props.mode !== undefined && !Object.values(PolicyMode).includes(props.mode)) {
      invalid(path, 'mode', props.mode, 'PolicyMode.WIRE or PolicyMode.VERIFY');
    }
    checkArray(path, 'registrySecrets', props.registrySecrets, 'RegistrySecrets', true);
    props.registrySecrets?.forEach((s, i) => checkSecret(path, `registrySecrets[${i}]`, s));
    checkStringArray(path, 'publicRegistries', props.publicRegistries, 'servers, e.g. ["docker.io"]', true);
    const node = NodeCredentials._sourcesOf(path, 'nodeCredentials', props.nodeCredentials);
    const platforms = platformsProp(path, props.platforms);
    checkBoolean(path, 'disallowLatest', props.disallowLatest);
    checkBoolean(path, 'requireDigest', props.requireDigest);
    checkImageLock(path, props);
    super(scope, id);
    this.mode = props.mode ?? PolicyMode.WIRE;
    const secrets = [...props.registrySecrets ?? []];
    const wire = this.mode === PolicyMode.WIRE;
    // the pods under the scope for which this is the innermost rule are reported by this policy;
    // objects of our constructs report themselves
    PullWiring.addScopeRule(scope, {
      owner: this,
      secrets,
      // in VERIFY mode the secrets only tell what the pods' own secrets cover
      use: wire ? 'offer' : 'know',
      wire,
      publicRegistries: [...props.publicRegistries ?? []],
      disallowLatest: props.disallowLatest ?? false,
      requireDigest: props.requireDigest ?? false,
      lock: props.imageLock && lockDigests(props.imageLock),
      requireLock: props.requireLock,
      node,
      platforms,
    });
  }
}
