import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PullWiring, withDefaultPullPolicy } from './pull-wiring';
import { IRegistrySecret } from './registry-secret';

/**
 * Pull settings shared by every workload of this library.
 */
export interface PrivateImageProps {
  /**
   * The secrets to name in `imagePullSecrets`, in this order. Every image must come from a
   * registry one of them covers, by the kubelet's matching rules, or from `publicRegistries`.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod
   */
  readonly registrySecrets: IRegistrySecret[];

  /**
   * Registries (server keys, matched like a pull secret's) whose images need no credentials,
   * e.g. `docker.io` for a public sidecar.
   *
   * @default - none: every image must be covered by a secret
   */
  readonly publicRegistries?: string[];
}

/**
 * Props for `PrivateImagePod`.
 */
export interface PrivateImagePodProps extends kplus.PodProps, PrivateImageProps {}

/**
 * A cdk8s-plus Pod that always names its pull secrets and sets `imagePullPolicy` on every
 * container by Kubernetes' own defaulting rule, and refuses at synth an image no secret covers.
 */
export class PrivateImagePod extends kplus.Pod {
  /**
   * The secrets named in `imagePullSecrets`.
   */
  public readonly registrySecrets: IRegistrySecret[];

  constructor(scope: Construct, id: string, props: PrivateImagePodProps) {
    super(scope, id, props);
    this.registrySecrets = [...props.registrySecrets];
    PullWiring.attach(this, this.registrySecrets, props.publicRegistries);
  }

  /**
   * Adds a container; without an explicit `imagePullPolicy` it gets Kubernetes' default for its image.
   */
  public addContainer(cont: kplus.ContainerProps): kplus.Container {
    return super.addContainer(withDefaultPullPolicy(cont));
  }

  /**
   * Adds an init container; without an explicit `imagePullPolicy` it gets Kubernetes' default for its image.
   */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container {
    return super.addInitContainer(withDefaultPullPolicy(cont));
  }
}
