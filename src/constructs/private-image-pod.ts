import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PrivateImagePull, PrivateImagePullProps } from './private-image-pull';

/**
 * Props for `PrivateImagePod`.
 */
export interface PrivateImagePodProps extends kplus.PodProps, PrivateImagePullProps {}

/**
 * A cdk8s-plus Pod that always names its pull secrets and sets `imagePullPolicy` on every
 * container by Kubernetes' own defaulting rule, and refuses at synth an image no secret covers.
 */
export class PrivateImagePod extends kplus.Pod {
  private readonly pull: PrivateImagePull;

  constructor(scope: Construct, id: string, props: PrivateImagePodProps) {
    super(scope, id, PrivateImagePull._checkWorkloadProps(scope, id, props));
    this.pull = PrivateImagePull._attach(this, props);
  }

  /** The secrets named in `imagePullSecrets`, in order. */
  public get registrySecrets(): kplus.ISecret[] { return this.pull.registrySecrets; }

  /** Names another secret in `imagePullSecrets`, after the others. */
  public addRegistrySecret(secret: kplus.ISecret): void { this.pull.addRegistrySecret(secret); }

  /** Adds a container; without an explicit `imagePullPolicy` it gets Kubernetes' default for its image. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container { return super.addContainer(PrivateImagePull._defaultPolicy(cont)); }

  /** Adds an init container; without an explicit `imagePullPolicy` it gets Kubernetes' default for its image. */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container { return super.addInitContainer(PrivateImagePull._defaultPolicy(cont)); }
}
