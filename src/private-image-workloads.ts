// The workloads of cdk8s-plus with the guarantee of PrivateImagePod. Each class only routes its
// containers through the shared defaulting and attaches the shared wiring (pull-wiring.ts);
// jsii has no mixins, so the two one-line overrides are repeated per class.
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PrivateImageProps } from './private-image-pod';
import { PullWiring, withDefaultPullPolicy } from './pull-wiring';
import { IRegistrySecret } from './registry-secret';

/**
 * Props for `PrivateImageDeployment`.
 */
export interface PrivateImageDeploymentProps extends kplus.DeploymentProps, PrivateImageProps {}

/**
 * A cdk8s-plus Deployment that names its pull secrets and sets `imagePullPolicy` on every container.
 */
export class PrivateImageDeployment extends kplus.Deployment {
  /** The secrets named in `imagePullSecrets`. */
  public readonly registrySecrets: IRegistrySecret[];

  constructor(scope: Construct, id: string, props: PrivateImageDeploymentProps) {
    super(scope, id, props);
    this.registrySecrets = [...props.registrySecrets];
    PullWiring.attach(this, this.registrySecrets, props.publicRegistries);
  }

  /** Adds a container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container { return super.addContainer(withDefaultPullPolicy(cont)); }

  /** Adds an init container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container { return super.addInitContainer(withDefaultPullPolicy(cont)); }
}

/**
 * Props for `PrivateImageStatefulSet`.
 */
export interface PrivateImageStatefulSetProps extends kplus.StatefulSetProps, PrivateImageProps {}

/**
 * A cdk8s-plus StatefulSet that names its pull secrets and sets `imagePullPolicy` on every container.
 */
export class PrivateImageStatefulSet extends kplus.StatefulSet {
  /** The secrets named in `imagePullSecrets`. */
  public readonly registrySecrets: IRegistrySecret[];

  constructor(scope: Construct, id: string, props: PrivateImageStatefulSetProps) {
    super(scope, id, props);
    this.registrySecrets = [...props.registrySecrets];
    PullWiring.attach(this, this.registrySecrets, props.publicRegistries);
  }

  /** Adds a container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container { return super.addContainer(withDefaultPullPolicy(cont)); }

  /** Adds an init container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container { return super.addInitContainer(withDefaultPullPolicy(cont)); }
}

/**
 * Props for `PrivateImageDaemonSet`.
 */
export interface PrivateImageDaemonSetProps extends kplus.DaemonSetProps, PrivateImageProps {}

/**
 * A cdk8s-plus DaemonSet that names its pull secrets and sets `imagePullPolicy` on every container.
 */
export class PrivateImageDaemonSet extends kplus.DaemonSet {
  /** The secrets named in `imagePullSecrets`. */
  public readonly registrySecrets: IRegistrySecret[];

  constructor(scope: Construct, id: string, props: PrivateImageDaemonSetProps) {
    super(scope, id, props);
    this.registrySecrets = [...props.registrySecrets];
    PullWiring.attach(this, this.registrySecrets, props.publicRegistries);
  }

  /** Adds a container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container { return super.addContainer(withDefaultPullPolicy(cont)); }

  /** Adds an init container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container { return super.addInitContainer(withDefaultPullPolicy(cont)); }
}

/**
 * Props for `PrivateImageJob`.
 */
export interface PrivateImageJobProps extends kplus.JobProps, PrivateImageProps {}

/**
 * A cdk8s-plus Job that names its pull secrets and sets `imagePullPolicy` on every container.
 */
export class PrivateImageJob extends kplus.Job {
  /** The secrets named in `imagePullSecrets`. */
  public readonly registrySecrets: IRegistrySecret[];

  constructor(scope: Construct, id: string, props: PrivateImageJobProps) {
    super(scope, id, props);
    this.registrySecrets = [...props.registrySecrets];
    PullWiring.attach(this, this.registrySecrets, props.publicRegistries);
  }

  /** Adds a container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container { return super.addContainer(withDefaultPullPolicy(cont)); }

  /** Adds an init container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container { return super.addInitContainer(withDefaultPullPolicy(cont)); }
}

/**
 * Props for `PrivateImageCronJob`.
 */
export interface PrivateImageCronJobProps extends kplus.CronJobProps, PrivateImageProps {}

/**
 * A cdk8s-plus CronJob that names its pull secrets and sets `imagePullPolicy` on every container.
 */
export class PrivateImageCronJob extends kplus.CronJob {
  /** The secrets named in `imagePullSecrets`. */
  public readonly registrySecrets: IRegistrySecret[];

  constructor(scope: Construct, id: string, props: PrivateImageCronJobProps) {
    super(scope, id, props);
    this.registrySecrets = [...props.registrySecrets];
    PullWiring.attach(this, this.registrySecrets, props.publicRegistries);
  }

  /** Adds a container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addContainer(cont: kplus.ContainerProps): kplus.Container { return super.addContainer(withDefaultPullPolicy(cont)); }

  /** Adds an init container with Kubernetes' default `imagePullPolicy` made explicit. */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container { return super.addInitContainer(withDefaultPullPolicy(cont)); }
}
