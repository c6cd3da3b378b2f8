import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IRegistrySecret } from './registry-secret';

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
  readonly registrySecrets: IRegistrySecret[];
}

/**
 * A cdk8s-plus ServiceAccount with `imagePullSecrets`, which cdk8s-plus cannot set. A pod or
 * workload of this library that runs under it may leave `registrySecrets` empty.
 */
export class PrivateImageServiceAccount extends kplus.ServiceAccount {
  private readonly _registrySecrets: IRegistrySecret[] = [];
  private readonly names: Array<{ name: string }> = [];

  constructor(scope: Construct, id: string, props: PrivateImageServiceAccountProps) {
    super(scope, id, props);
    if (props.registrySecrets.length === 0) {
      throw new Error(`${this.node.path}: registrySecrets is empty; give at least one RegistrySecret`);
    }
    // the patch holds the live array, so secrets added later are in the output too
    ApiObject.of(this).addJsonPatch(JsonPatch.add('/imagePullSecrets', this.names));
    props.registrySecrets.forEach(s => this.addRegistrySecret(s));
    this.node.addValidation({ validate: () => this.validateNamespaces() });
  }

  /**
   * The secrets listed in `imagePullSecrets`.
   */
  public get registrySecrets(): IRegistrySecret[] {
    return [...this._registrySecrets];
  }

  /**
   * Adds a secret to the account's `imagePullSecrets`, once.
   */
  public addRegistrySecret(secret: IRegistrySecret): void {
    if (!this._registrySecrets.some(s => s === secret || s.name === secret.name)) {
      this._registrySecrets.push(secret);
      // read when the manifest is written: an appendHash secret's name follows its content
      this.names.push({ get name() { return secret.name; } });
    }
  }

  private validateNamespaces(): string[] {
    const namespace = this.metadata.namespace;
    return this._registrySecrets
      .filter(s => s.namespace !== undefined && s.namespace !== namespace)
      .map(s => `pull secret "${s.name}" is in namespace "${s.namespace}" but the service account is in ${namespace === undefined ? 'no namespace' : `namespace "${namespace}"`}; put them in the same namespace`);
  }
}
