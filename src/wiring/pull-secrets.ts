// What a secret given to a construct of this library means to the pull rules.
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { rendersAsConstructed } from './cdk8s-hooks';
import { typeOf } from '../rules/input';
import { isObject, ManifestIndex } from '../rules/manifest-index';
import { PullSecretInfo, namespaceOf } from '../rules/pod-spec';

/** set on secrets created out of band (RegistrySecret.fromSecretName) */
export const EXISTING_SECRET = Symbol.for('cdk8s-private-registry.ExistingSecret');

/**
 * What a RegistrySecret asks of copies into other namespaces (RegistrySecret `copyToPodNamespaces`,
 * `copyToNamespaces`).
 */
export interface SecretCopies {
  /** a copy in the namespace of each pod or ServiceAccount that names the secret */
  readonly toPods: boolean;
  /** a copy in each of these namespaces */
  readonly namespaces: readonly string[];
}

/** the copies a RegistrySecret asks for; undefined when it asks for none, and for any other secret */
export function copiesOf(secret: unknown): SecretCopies | undefined {
  const s: any = secret;
  if (!isObject(s) || isExistingSecret(s)) {
    return undefined;
  }
  const toPods = s.copyToPodNamespaces === true;
  const namespaces: readonly string[] = Array.isArray(s.copyToNamespaces) ? s.copyToNamespaces : [];
  return toPods || namespaces.length > 0 ? { toPods, namespaces } : undefined;
}

const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** whether `secret` names a secret created out of band, which no manifest of the app holds */
export function isExistingSecret(secret: unknown): boolean {
  return typeof secret === 'object' && secret !== null && (secret as any)[EXISTING_SECRET] === true;
}

/**
 * What the rules know of a secret, read at the moment of asking: a RegistrySecret knows its
 * servers; a cdk8s-plus DockerConfigSecret's are read from its data.
 */
export function secretInfo(secret: kplus.ISecret): PullSecretInfo {
  const s: any = secret;
  const servers = s.servers;
  if (Array.isArray(servers)) {
    return registrySecretInfo(s);
  }
  const json = ApiObject.of(secret).toJson();
  return new ManifestIndex().addManifest(json) ?? { name: secret.name, namespace: json.metadata?.namespace, servers: [] };
}

/**
 * What the rules know of a RegistrySecret or a reference to one: its name, namespace and servers,
 * read without its credentials. A reference without a namespace is to a secret that exists in
 * the namespace of each pod that names it; a Secret written without one, only where no pod has one.
 */
export function registrySecretInfo(secret: { readonly name: string; readonly namespace?: string; readonly servers: string[] }): PullSecretInfo {
  const written = writtenMetadata(secret);
  const name = written?.name ?? secret.name;
  const given = written ? written.namespace : secret.namespace;
  const namespace = given === '' ? undefined : given;
  if (isExistingSecret(secret)) {
    return namespace === undefined
      ? { name, namespace, servers: secret.servers, inEveryNamespace: true }
      : { name, namespace, servers: secret.servers };
  }
  const copies = copiesOf(secret);
  if (copies === undefined) {
    // a RegistrySecret can be copied; an ExternalSecret's pull secret cannot
    return 'copyToPodNamespaces' in secret ? { name, namespace, servers: secret.servers, copyable: true } : { name, namespace, servers: secret.servers };
  }
  // a copy is written wherever a pod names it, or in the namespaces listed
  return copies.toPods
    ? { name, namespace, servers: secret.servers, inEveryNamespace: true }
    : { name, namespace, servers: secret.servers, copiedTo: copies.namespaces, copyable: true };
}

/**
 * The name the ServiceAccount of a cdk8s-plus pod or workload is written with, when a JSON patch
 * on the account or a resolver of its app makes it differ from the name cdk8s-plus writes in the
 * pod (`serviceAccount.name`); undefined otherwise, and for an account imported by name.
 * @param obj the ApiObject of the pod or workload (its `Resource`)
 */
export function writtenServiceAccountName(obj: ApiObject): string | undefined {
  const account = obj.node.id === 'Resource' ? (obj.node.scope as any)?.serviceAccount : undefined;
  if (typeof account?.name !== 'string') {
    return undefined;
  }
  const name = writtenMetadata(account)?.name;
  return name !== undefined && name !== account.name ? name : undefined;
}

/**
 * The name and namespace a RegistrySecret (or a ServiceAccount) is written with, when a JSON patch
 * on it or a resolver of its app may change them; undefined when they are those it was
 * constructed with (or its credentials cannot be read yet, which its own validation reports).
 */
function writtenMetadata(secret: object): { name?: string; namespace?: string } | undefined {
  const resource = (secret as any).node?.tryFindChild?.('Resource');
  if (!ApiObject.isApiObject(resource) || rendersAsConstructed(resource)) {
    return undefined;
  }
  let json: any;
  try {
    json = resource.toJson();
  } catch {
    return undefined;
  }
  return { name: typeof json?.metadata?.name === 'string' ? json.metadata.name : undefined, namespace: namespaceOf(json) };
}

/**
 * Refuses, now, what cannot be a registry secret: a name instead of a secret, or a secret whose
 * servers no synth can know.
 */
export function checkSecret(where: string, property: string, secret: unknown): void {
  const s: any = secret;
  if (!isObject(s) || typeof s.name !== 'string') {
    // a string here is most likely a secret's name; one that could not be a name is not repeated, as it may be a password
    const name = typeof s === 'string' && SECRET_NAME.test(s) ? s : 'NAME';
    const named = typeof s === 'string' ? `; for an existing secret use RegistrySecret.fromSecretName(this, '${name}', '${name}', { servers: ['registry.example.com'] })` : '';
    throw new Error(`${where}: ${property} is ${typeOf(secret)}; expected a RegistrySecret${named}`);
  }
  if (Array.isArray(s.servers)) {
    return;
  }
  const child = s.node?.defaultChild;
  if (!ApiObject.isApiObject(child) || child.kind !== 'Secret') {
    throw new Error(`${where}: ${property} is the secret "${s.name}", whose servers are unknown (cdk8s-plus Secret.fromSecretName); `
      + `declare it with RegistrySecret.fromSecretName(scope, id, '${s.name}', { servers: ['registry.example.com'] })`);
  }
  const type = child.toJson().type;
  if (type !== 'kubernetes.io/dockerconfigjson' && type !== 'kubernetes.io/dockercfg') {
    throw new Error(`${where}: ${property} is the secret "${s.name}" of type ${JSON.stringify(type ?? 'Opaque')}; `
      + 'the kubelet reads pull credentials only from kubernetes.io/dockerconfigjson secrets: use a RegistrySecret or a DockerConfigSecret');
  }
}
