import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct, IMixin } from 'constructs';
import { checkImageLock, ImageLock, lockDigests } from './image-lock';
import { NodeCredentials } from './node-credentials';
import { checkArray, checkObject, checkStringArray, invalid, pathOf, removeRefused } from '../rules/input';
import { NodeCredentialSource } from '../rules/node-credentials';
import { ParsedImage } from '../rules/parsed-image';
import { ClusterPlatforms, platformsProp } from '../rules/pod-platforms';
import { runsPods } from '../rules/pod-spec';
import { checkSecret } from '../wiring/pull-secrets';
import { PullWiring } from '../wiring/pull-wiring';

/**
 * Props for `PrivateImagePull`, and the pull settings of every `PrivateImage*` workload.
 */
export interface PrivateImagePullProps {
  /**
   * The secrets to name in `imagePullSecrets`, in this order: `RegistrySecret`s,
   * `RegistrySecret.fromSecretName` for secrets created out of band, or cdk8s-plus
   * `DockerConfigSecret`s. Every image must come from a registry one of them covers, by the
   * kubelet's matching rules, or from `publicRegistries`.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod
   */
  readonly registrySecrets: kplus.ISecret[];

  /**
   * Registries (server keys, matched like a pull secret's) whose images need no credentials,
   * e.g. `docker.io` for a public sidecar.
   *
   * @default - none: every image must be covered by a secret
   */
  readonly publicRegistries?: string[];

  /**
   * What the cluster's nodes pull with (credential provider plugins, a docker config on the node).
   * An image they cover needs no pull secret; with them `registrySecrets` may be empty.
   *
   * @default [] - only pull secrets give credentials
   */
  readonly nodeCredentials?: NodeCredentials[];

  /**
   * The node platforms of the cluster the pods run on, each `OS/ARCH[/VARIANT]`, e.g.
   * `['linux/amd64', 'linux/arm64']` for a cluster with an arm64 node pool. A pod whose
   * `nodeSelector`, required node affinity and `spec.os.name` admit none of them is refused at
   * synth: it would never be scheduled. Each object is annotated
   * `cdk8s-private-registry/platforms`, which `cdk8s-private-registry check --pull` and the
   * validation plugin with `pull: true` read instead of their own platforms setting: every image
   * must offer a manifest for each platform a pod may run on.
   *
   * @default - not checked at synth; `check --pull` uses its `--platform`, by default linux/amd64
   */
  readonly platforms?: string[];

  /**
   * Digests to pin images to: every image without a digest that the lock holds is written
   * `repository:tag@sha256:...`. Write the lock with `cdk8s-private-registry check --pull --lock FILE`.
   *
   * @default - images are written as given
   */
  readonly imageLock?: ImageLock;

  /**
   * Refuse at synth an image that has no digest and is not in `imageLock`.
   *
   * @default false
   */
  readonly requireLock?: boolean;
}

/**
 * Gives any pod or workload the guarantee of `PrivateImagePod`: its `imagePullSecrets` name the
 * given secrets, every container without an `imagePullPolicy` gets Kubernetes' default for its
 * image, and an image no secret covers is refused at synth.
 *
 * Apply it to a cdk8s-plus pod or workload of any version, an L1 object, or a whole chart:
 * `new kplus.Deployment(chart, 'web', { ... }).with(new PrivateImagePull({ registrySecrets: [regcred] }))`.
 * It applies to every Pod and pod template under the construct it is given at synth, including
 * those added after it was applied.
 */
export class PrivateImagePull implements IMixin {
  /**
   * Checks the props of a `PrivateImage*` workload before cdk8s-plus reads them, and returns
   * what cdk8s-plus is given: the props without `dockerRegistryAuth`, which is one of the
   * workload's registry secrets (see `_attach`), named by the wiring as `registrySecrets` are.
   * cdk8s-plus would write it into `imagePullSecrets` itself, and a pod that names a secret of its
   * own does not get its ServiceAccount's, so `dockerRegistryAuth: gl` and `registrySecrets: [gl]`
   * would differ under an account that brings another secret.
   * @internal
   */
  public static _checkWorkloadProps<T extends kplus.AbstractPodProps>(scope: Construct, id: string, props: T & Partial<PrivateImagePullProps>): T {
    const where = pathOf(scope, id);
    checkObject(where, 'props', props);
    checkProps(where, props, true);
    if (props.dockerRegistryAuth === undefined) {
      return props;
    }
    checkSecret(where, 'dockerRegistryAuth', props.dockerRegistryAuth);
    return { ...props, dockerRegistryAuth: undefined };
  }

  /**
   * Applies the pull settings of `props` to the workload `owner` and refuses, now, settings that
   * cannot cover any image.
   * @internal
   */
  public static _attach(owner: kplus.AbstractPod, props: kplus.AbstractPodProps & Partial<PrivateImagePullProps>): PrivateImagePull {
    try {
      let secrets = props.registrySecrets;
      if (secrets === undefined && props.dockerRegistryAuth !== undefined) {
        // cdk8s-plus's own way to name one secret: it is the pod's registry secret
        secrets = [props.dockerRegistryAuth];
      }
      const hasNode = Array.isArray(props.nodeCredentials) && props.nodeCredentials.length > 0;
      if (secrets === undefined && props.serviceAccount === undefined && !hasNode) {
        throw new Error(`${owner.node.path}: registrySecrets is missing; give the RegistrySecrets that cover the images `
          + '(RegistrySecret.fromSecretName for a secret created out of band), or a serviceAccount whose imagePullSecrets cover them');
      }
      // checked already, with the workload's path: the constructor's checks pass
      const pull = new PrivateImagePull({
        registrySecrets: secrets === undefined ? [] : secrets,
        publicRegistries: props.publicRegistries,
        imageLock: props.imageLock,
        requireLock: props.requireLock,
        nodeCredentials: props.nodeCredentials,
        platforms: props.platforms,
      });
      pull.owner = owner;
      if (pull.secrets.length === 0 && props.serviceAccount === undefined && !hasNode) {
        throw new Error(`${owner.node.path}: registrySecrets is empty; give at least one RegistrySecret `
          + '(RegistrySecret.fromSecretName for a secret created out of band), or a serviceAccount whose imagePullSecrets cover the images');
      }
      if (props.dockerRegistryAuth !== undefined) {
        pull.addRegistrySecret(props.dockerRegistryAuth);
      }
      pull.applyTo(ApiObject.of(owner));
      return pull;
    } catch (e) {
      // the workload refused its pull settings: it leaves the tree, as if it had not been tried
      removeRefused(owner);
      throw e;
    }
  }

  /**
   * Container props with `imagePullPolicy` made explicit by Kubernetes' defaulting rule, because
   * cdk8s-plus would otherwise write `Always` for every image.
   * @internal
   */
  public static _defaultPolicy(props: kplus.ContainerProps): kplus.ContainerProps {
    if (props?.imagePullPolicy !== undefined || typeof props?.image !== 'string') {
      return props;
    }
    let policy: string;
    try {
      policy = ParsedImage.parse(props.image).defaultPullPolicy;
    } catch {
      // refused with the pod, where the error names the construct path and the container
      return props;
    }
    // not a spread: cdk8s-plus's Container reads a spread copy slower
    const copy: kplus.ContainerProps = Object.assign({}, props);
    (copy as { imagePullPolicy?: kplus.ImagePullPolicy }).imagePullPolicy = policy as kplus.ImagePullPolicy;
    return copy;
  }

  private readonly secrets: kplus.ISecret[];
  private readonly publicRegistries: string[];
  private readonly node: readonly NodeCredentialSource[];
  private readonly platforms?: ClusterPlatforms;
  private readonly lock?: { readonly digests?: ReadonlyMap<string, string>; readonly required?: boolean };
  /** the workload, when a PrivateImage* class made the mixin: errors name its path */
  private owner?: IConstruct;
  /** the constructs it applies to: everything under them is covered at synth */
  private readonly applied = new WeakSet<IConstruct>();

  constructor(props: PrivateImagePullProps) {
    checkObject(this.where(), 'props', props);
    checkProps(this.where(), props, false);
    // each list at its size: there is one per workload, kept for the app's life
    this.secrets = unique(props.registrySecrets);
    this.publicRegistries = props.publicRegistries === undefined ? NO_SERVERS : [...props.publicRegistries];
    this.node = NodeCredentials._sourcesOf(this.where(), 'nodeCredentials', props.nodeCredentials);
    this.platforms = platformsProp(this.where(), props.platforms);
    if (props.imageLock !== undefined || props.requireLock !== undefined) {
      this.lock = { digests: props.imageLock && lockDigests(props.imageLock), required: props.requireLock };
    }
  }

  /**
   * The secrets named in `imagePullSecrets`, in order.
   */
  public get registrySecrets(): kplus.ISecret[] {
    return [...this.secrets];
  }

  /**
   * Adds a secret to name in `imagePullSecrets`, after the others, once; every object this
   * mixin applies to names it.
   */
  public addRegistrySecret(secret: kplus.ISecret): void {
    checkSecret(this.where(), `registrySecrets[${this.secrets.length}]`, secret);
    if (!this.secrets.includes(secret)) {
      this.secrets.push(secret);
    }
  }

  /**
   * Applies to every ApiObject that runs pods (Pods, Deployments, StatefulSets, DaemonSets,
   * ReplicaSets, ReplicationControllers, Jobs, CronJobs and PodTemplates) and to every scope (a
   * chart, a workload, an `Include`): the pods under a scope are covered at synth, whenever they
   * were added. Not to what it covers already.
   */
  public supports(construct: IConstruct): boolean {
    if (typeof (construct as any)?.node?.path !== 'string' || (ApiObject.isApiObject(construct) && !runsPods(construct.kind))) {
      return false;
    }
    return !this.covers(construct);
  }

  /**
   * Names the secrets in the pod spec of the object, or of every object under the scope, and
   * checks them at synth.
   */
  public applyTo(construct: IConstruct): void {
    if (typeof (construct as any)?.node?.path !== 'string') {
      invalid('PrivateImagePull', 'construct', construct, 'a Pod or workload; apply the mixin with .with() on the pod, the workload or a chart');
    }
    if (ApiObject.isApiObject(construct) && !runsPods(construct.kind)) {
      throw new Error(`${construct.node.path}: PrivateImagePull applies to Pods and workloads; apply it with .with() on the pod, the workload or a chart`);
    }
    if (this.covers(construct)) {
      // `with` offers every construct under a scope after the scope itself
      return;
    }
    this.applied.add(construct);
    if (ApiObject.isApiObject(construct)) {
      const reporter = construct.node.id === 'Resource' && construct.node.scope ? construct.node.scope : construct;
      PullWiring.requireSecrets(construct, reporter, this.secrets, this.publicRegistries, this.lock, this.node, this.platforms);
      return;
    }
    // the same mechanism as a policy's: the rule is on the scope, and the scope reports its pods
    PullWiring.addScopeRule(construct, {
      owner: construct,
      secrets: this.secrets,
      use: 'require',
      wire: true,
      publicRegistries: this.publicRegistries,
      disallowLatest: false,
      requireDigest: false,
      lock: this.lock?.digests,
      requireLock: this.lock?.required,
      node: this.node,
      platforms: this.platforms,
    });
  }

  /** whether the construct is, or is under, one this mixin applies to */
  private covers(construct: IConstruct): boolean {
    for (let c: IConstruct | undefined = construct; c !== undefined; c = c.node.scope) {
      if (this.applied.has(c)) {
        return true;
      }
    }
    return false;
  }

  /** how errors name the mixin: the workload's path, when a PrivateImage* class made it */
  private where(): string {
    return this.owner?.node.path ?? 'PrivateImagePull';
  }
}

/** no public registries: one frozen list, shared, as nothing adds to it */
const NO_SERVERS: string[] = Object.freeze([]) as any;

/** each secret once, in order */
function unique(secrets: kplus.ISecret[]): kplus.ISecret[] {
  return secrets.every((s, i) => secrets.indexOf(s) === i) ? secrets.slice() : secrets.filter((s, i) => secrets.indexOf(s) === i);
}

/** the types of the pull props; `registrySecrets` may be left out of a workload's props (JavaScript) */
function checkProps(where: string, props: Partial<PrivateImagePullProps>, optional: boolean): void {
  checkArray(where, 'registrySecrets', props.registrySecrets, 'RegistrySecrets, e.g. [RegistrySecret.fromSecretName(this, \'regcred\', \'regcred\', { servers: [\'registry.gitlab.com\'] })]', optional);
  props.registrySecrets?.forEach((s, i) => checkSecret(where, `registrySecrets[${i}]`, s));
  checkStringArray(where, 'publicRegistries', props.publicRegistries, 'servers, e.g. ["docker.io"]', true);
  NodeCredentials._sourcesOf(where, 'nodeCredentials', props.nodeCredentials);
  platformsProp(where, props.platforms);
  checkImageLock(where, props);
}

