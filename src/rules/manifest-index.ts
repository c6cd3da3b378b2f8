// The pull secrets and ServiceAccounts among a set of manifests, as the API server stores them
// and the kubelet and the ServiceAccount admission plugin then read them.
import { goBase64Decode } from './go-decoding';
import { KubeletDockerConfigEntry, readKubeletDockerConfig, UnreadableDockerConfig } from './kubelet-docker-config';
import { namedSecrets, namespacedKey, PullSecretInfo } from './pod-spec-check';


/**
 * The annotation on an object whose pods name secrets created out of band: a JSON object from each
 * secret's name to the servers it covers, e.g. `{"regcred":["registry.gitlab.com"]}`. The constructs
 * write it; the validation plugin and the `check` command read it.
 * @internal
 */
export const EXISTING_PULL_SECRETS_ANNOTATION = 'cdk8s-private-registry/existing-pull-secrets';

/** The data key the kubelet reads in each type of pull secret, and its format. */
const PULL_SECRET_TYPES: { readonly [type: string]: readonly [string, 'dockerconfigjson' | 'dockercfg'] } = {
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson', 'dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg', 'dockercfg'],
};

/**
 * Pull secrets and ServiceAccounts by name, fed from manifests in their JSON form.
 * @internal
 */
export class ManifestIndex {
  private readonly secretsByName = new Map<string, PullSecretInfo[]>();
  private readonly accounts = new Map<string, string[]>();

  /** every known secret with this name, in any namespace */
  public secrets(name: string): PullSecretInfo[] {
    return this.secretsByName.get(name) ?? [];
  }

  /** imagePullSecrets of the ServiceAccount `name` in `namespace`, if it is known */
  public serviceAccount(name: string, namespace: string | undefined): string[] | undefined {
    // most apps declare no ServiceAccount, and every pod without secrets of its own asks
    return this.accounts.size === 0 ? undefined : this.accounts.get(namespacedKey(namespace, name));
  }

  /** records `manifest` if it is a pull secret or a ServiceAccount; anything else, of any shape, is skipped */
  public addManifest(manifest: any): void {
    const metadata = isObject(manifest) && isObject(manifest.metadata) ? manifest.metadata : undefined;
    if (typeof metadata?.name !== 'string') {
      return;
    }
    const name: string = metadata.name;
    // "" is no namespace, as kubectl reads it
    const namespace: string | undefined = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
    if (manifest.kind === 'ServiceAccount') {
      // as the API server reads the list: a null or nameless entry names no secret
      this.accounts.set(namespacedKey(namespace, name), namedSecrets(manifest.imagePullSecrets));
    } else if (isPullSecret(manifest)) {
      const { entries, invalid } = readPullSecret(manifest);
      this.addSecret(entries ? { name, namespace, servers: [...entries.keys()] } : { name, namespace, invalid });
    }
  }

  /** records a secret whose servers are known without reading its data */
  public addSecret(info: PullSecretInfo): void {
    const same = this.secretsByName.get(info.name);
    if (same) {
      same.push(info);
    } else {
      this.secretsByName.set(info.name, [info]);
    }
  }
}

/**
 * Whether objects of this kind are lists of objects (`List`, `PodList`, ...), which kubectl applies
 * item by item.
 * @internal
 */
export function isListKind(kind: unknown): boolean {
  return typeof kind === 'string' && kind.endsWith('List');
}

/**
 * Whether `manifest` is a Secret of a type the kubelet reads pull credentials from.
 * @internal
 */
export function isPullSecret(manifest: any): boolean {
  return manifest?.kind === 'Secret' && typeof manifest.type === 'string' && Object.prototype.hasOwnProperty.call(PULL_SECRET_TYPES, manifest.type);
}

/**
 * The entries of a pull secret (see `isPullSecret`) as the kubelet reads it, after the API server
 * merged `stringData` over `data`; or why the API server or the kubelet cannot read it, never
 * quoting the data.
 * @internal
 */
export function readPullSecret(secret: any): { entries?: Map<string, KubeletDockerConfigEntry>; invalid?: string; refused?: boolean } {
  const [key, format] = PULL_SECRET_TYPES[secret.type];
  // what the API server refuses never exists in the cluster: the kubelet finds no such secret
  const refused = (invalid: string) => ({ invalid, refused: true });
  let bytes: Uint8Array | undefined;
  if (isObject(secret.stringData) && Object.prototype.hasOwnProperty.call(secret.stringData, key)) {
    const text = secret.stringData[key];
    if (text !== null && typeof text !== 'string') {
      return refused(`stringData "${key}" is not a string`);
    }
    // null is Go's empty string, and it still replaces data
    bytes = Buffer.from(text ?? '', 'utf8');
  } else {
    const encoded = isObject(secret.data) ? secret.data[key] : undefined;
    if (encoded === undefined) {
      return refused(`it has no "${key}" key`);
    }
    if (encoded !== null && typeof encoded !== 'string') {
      return refused(`data "${key}" is not a string`);
    }
    bytes = goBase64Decode(encoded ?? '', true);
    if (bytes === undefined) {
      return refused(`data "${key}" is not base64`);
    }
  }
  if (bytes.length === 0) {
    return refused(`"${key}" is empty`);
  }
  try {
    return { entries: readKubeletDockerConfig(bytes, format) };
  } catch (e) {
    if (e instanceof UnreadableDockerConfig) {
      return e.refusedByApiServer ? refused(`"${key}": ${e.reason}`) : { invalid: `"${key}": ${e.reason}` };
    }
    throw e;
  }
}

/**
 * Whether `value` is a JSON object: not null, not an array.
 * @internal
 */
export function isObject(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
