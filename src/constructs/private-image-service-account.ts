import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkArray, checkObject, pathOf } from '../rules/input';
import { checkSecret } from '../wiring/pull-secrets';
import { PullWiring } from '../wiring/pull-wiring';

/**
 * Props for `PrivateImageServiceAccount`.
 */
export interface PrivateImageServiceAccountProps extends kplus.ServiceAccountProps {
  /**
   * The secrets to list in the account's `imagePullSecrets`. Kubernetes copies them into every
   * pod that runs under the account and names no pull secret of its own.
   *
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#add-imagepullsecrets-to-a-service-account
   */
  readonly registrySecrets: kplus.ISecret[];
}

/**
 * A cdk8s-plus ServiceAccount with `imagePullSecrets`, which cdk8s-plus cannot set. A pod or
 * workload of this library that runs under it may leave `registrySecrets` empty.
 */
export class PrivateImageServiceAccount extends kplus.ServiceAccount {
  private readonly pullSecrets: kplus.ISecret[] = [];

  constructor(scope: Construct, id: string, props: PrivateImageServiceAccountProps) {
    // checked before the account joins the tree, so a refused one leaves nothing behind
    const path = pathOf(scope, id);
    checkObject(path, 'props', props);
    checkArray(path, 'registrySecrets', props.registrySecrets, 'RegistrySecrets');
    if (props.registrySecrets.length === 0) {
      throw new Error(`${path}: registrySecrets is empty; give at least one RegistrySecret`);
    }
    props.registrySecrets.forEach((s, i) => checkSecret(path, `registrySecrets[${i}]`, s));
    super(scope, id, props);
    props.registrySecrets.forEach(s => this.addRegistrySecret(s));
    const obj = ApiObject.of(this);
    PullWiring.requireSecrets(obj, this, this.pullSecrets);
  }

  /**
   * The secrets listed in `imagePullSecrets`.
   */
  public get registrySecrets(): kplus.ISecret[] {
    return [...this.pullSecrets];
  }

  /**
   * Adds a secret to the account's `imagePullSecrets`, once.
   */
  public addRegistrySecret(secret: kplus.ISecret): void {
    checkSecret(this.node.path, `registrySecrets[${this.pullSecrets.length}]`, secret);
    if (!this.pullSecrets.includes(secret)) {
      this.pullSecrets.push(secret);
    }
  }
}
