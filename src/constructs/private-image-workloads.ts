// The workloads of cdk8s-plus with the guarantee of PrivateImagePod: each applies a
// PrivateImagePull and makes Kubernetes' default imagePullPolicy explicit. jsii has no class
// mixins, so the short forwarding members are written once per class.
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PrivateImagePull, PrivateImagePullProps } from './private-image-pull';

/**
 * Props for `PrivateImageDeployment`.
 */
export interface PrivateImageDeploymentProps extends kplus.DeploymentProps, PrivateImagePullProps {}

/**
 * A cdk8s-plus Deployment that names its pull secrets and sets `imagePullPolicy` on every container.
 */
export class PrivateImageDeployment extends kplus.Deployment {
  private readonly pull: PrivateImagePull;

  constructor(scope: Construct, id: string, props: PrivateImageDeploymentProps) {
    super(scope, id, PrivateImagePull._checkWorkloadProps(scope, id, props));
    this.pull = PrivateImagePull._attach(this, props);
  }

  /** The secrets named in `imagePullSecrets`, in order. */
  public get registrySecrets(): kplus.ISecret[] { return this.pull.registrySecrets; }

  /** Names another secret in `imagePullSecrets`, after the others. */
  public addRegistrySecret(secret: kplus.ISecret): void { this.pull.addRegistrySecret(secret); }

  /** Adds a container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container { return super.addContainer(PrivateImagePull._defaultPolicy(cont)); }

  /** Adds an init container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container { return super.addInitContainer(PrivateImagePull._defaultPolicy(cont)); }
}

/**
 * Props for `PrivateImageStatefulSet`.
 */
export interface PrivateImageStatefulSetProps extends kplus.StatefulSetProps, PrivateImagePullProps {}

/**
 * A cdk8s-plus StatefulSet that names its pull secrets and sets `imagePullPolicy` on every container.
 */
export class PrivateImageStatefulSet extends kplus.StatefulSet {
  private readonly pull: PrivateImagePull;

  constructor(scope: Construct, id: string, props: PrivateImageStatefulSetProps) {
    super(scope, id, PrivateImagePull._checkWorkloadProps(scope, id, props));
    this.pull = PrivateImagePull._attach(this, props);
  }

  /** The secrets named in `imagePullSecrets`, in order. */
  public get registrySecrets(): kplus.ISecret[] { return this.pull.registrySecrets; }

  /** Names another secret in `imagePullSecrets`, after the others. */
  public addRegistrySecret(secret: kplus.ISecret): void { this.pull.addRegistrySecret(secret); }

  /** Adds a container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container { return super.addContainer(PrivateImagePull._defaultPolicy(cont)); }

  /** Adds an init container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container { return super.addInitContainer(PrivateImagePull._defaultPolicy(cont)); }
}

/**
 * Props for `PrivateImageDaemonSet`.
 */
export interface PrivateImageDaemonSetProps extends kplus.DaemonSetProps, PrivateImagePullProps {}

/**
 * A cdk8s-plus DaemonSet that names its pull secrets and sets `imagePullPolicy` on every container.
 */
export class PrivateImageDaemonSet extends kplus.DaemonSet {
  private readonly pull: PrivateImagePull;

  constructor(scope: Construct, id: string, props: PrivateImageDaemonSetProps) {
    super(scope, id, PrivateImagePull._checkWorkloadProps(scope, id, props));
    this.pull = PrivateImagePull._attach(this, props);
  }

  /** The secrets named in `imagePullSecrets`, in order. */
  public get registrySecrets(): kplus.ISecret[] { return this.pull.registrySecrets; }

  /** Names another secret in `imagePullSecrets`, after the others. */
  public addRegistrySecret(secret: kplus.ISecret): void { this.pull.addRegistrySecret(secret); }

  /** Adds a container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container { return super.addContainer(PrivateImagePull._defaultPolicy(cont)); }

  /** Adds an init container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container { return super.addInitContainer(PrivateImagePull._defaultPolicy(cont)); }
}

/**
 * Props for `PrivateImageJob`.
 */
export interface PrivateImageJobProps extends kplus.JobProps, PrivateImagePullProps {}

/**
 * A cdk8s-plus Job that names its pull secrets and sets `imagePullPolicy` on every container.
 */
export class PrivateImageJob extends kplus.Job {
  private readonly pull: PrivateImagePull;

  constructor(scope: Construct, id: string, props: PrivateImageJobProps) {
    super(scope, id, PrivateImagePull._checkWorkloadProps(scope, id, props));
    this.pull = PrivateImagePull._attach(this, props);
  }

  /** The secrets named in `imagePullSecrets`, in order. */
  public get registrySecrets(): kplus.ISecret[] { return this.pull.registrySecrets; }

  /** Names another secret in `imagePullSecrets`, after the others. */
  public addRegistrySecret(secret: kplus.ISecret): void { this.pull.addRegistrySecret(secret); }

  /** Adds a container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container { return super.addContainer(PrivateImagePull._defaultPolicy(cont)); }

  /** Adds an init container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container { return super.addInitContainer(PrivateImagePull._defaultPolicy(cont)); }
}

/**
 * Props for `PrivateImageCronJob`.
 */
export interface PrivateImageCronJobProps extends kplus.CronJobProps, PrivateImagePullProps {}

/**
 * A cdk8s-plus CronJob that names its pull secrets and sets `imagePullPolicy` on every container.
 */
export class PrivateImageCronJob extends kplus.CronJob {
  private readonly pull: PrivateImagePull;

  constructor(scope: Construct, id: string, props: PrivateImageCronJobProps) {
    super(scope, id, PrivateImagePull._checkWorkloadProps(scope, id, props));
    this.pull = PrivateImagePull._attach(this, props);
  }

  /** The secrets named in `imagePullSecrets`, in order. */
  public get registrySecrets(): kplus.ISecret[] { return this.pull.registrySecrets; }

  /** Names another secret in `imagePullSecrets`, after the others. */
  public addRegistrySecret(secret: kplus.ISecret): void { this.pull.addRegistrySecret(secret); }

  /** Adds a container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container { return super.addContainer(PrivateImagePull._defaultPolicy(cont)); }

  /** Adds an init container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container { return super.addInitContainer(PrivateImagePull._defaultPolicy(cont)); }
}
