// The one index of pull secrets and ServiceAccounts, by namespace and name, as the API server
// stores them and the kubelet and the ServiceAccount admission plugin then read them. The
// constructs (wiring/tree-index.ts), `check` and the plugin (cli/manifest-check.ts) and
// `check --pull` (cli/pull-check.ts) each feed it from their own source and read it here.
//
// A new source of pull secrets (an ESO ExternalSecret, a secret replicated to several namespaces):
// read it into a PullSecretInfo (name, namespace, servers; never credentials) and call `addSecret`,
// WRITTEN when the manifests create the Secret and DECLARED when it exists outside them; one call
// per namespace it is in, or one with `copiedTo` or `inEveryNamespace` (see `resolvesIn`). A manifest kind
// that carries one is read in `addManifest`, so that every feeder gets it. What a feeder needs
// beside a secret (where it was found, its credentials) is that secret's `origin`. A source no
// pod names (a node's credential provider) is no secret: give it its own add and lookup here.
import { isExternalSecret, readExternalPullSecret } from './external-secret';
import { goBase64Decode } from './go-decoding';
import { KubeletDockerConfigEntry, readKubeletDockerConfig, UnreadableDockerConfig } from './kubelet-docker-config';
import { namedSecrets, namespacedKey, namespaceOf, PullSecretInfo, resolvesIn } from './pod-spec';


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
 * How the index learned of a pull secret.
 * @internal
 */
export enum SecretSource {
  /** a Secret the manifests (or the app) write, which kubectl apply creates */
  WRITTEN = 'written',
  /**
   * one that exists outside them: RegistrySecret.fromSecretName, the existing-pull-secrets
   * annotation, `--existing-secret`, the plugin's `existingSecrets`
   */
  DECLARED = 'declared',
}

/**
 * A Secret of a type the kubelet reads no credentials from.
 * @internal
 */
export interface OtherSecret {
  readonly namespace?: string;
  /** undefined: Opaque */
  readonly type?: unknown;
}

/** by namespace (undefined: none), the newest first: kubectl apply keeps the last object with a namespace and name */
type ByNamespace<T> = Map<string | undefined, T[]>;

const NO_SECRETS: PullSecretInfo[] = Object.freeze([]) as any;

/** secrets of one name and source */
class Shelf {
  public readonly byNamespace: ByNamespace<PullSecretInfo> = new Map();
  /** those that resolve beyond their own namespace (`inEveryNamespace`, `copiedTo`), the newest first */
  private readonly roaming: PullSecretInfo[] = [];

  public add(info: PullSecretInfo): void {
    addNewest(this.byNamespace, info.namespace, info);
    if (info.inEveryNamespace === true || info.copiedTo !== undefined) {
      this.roaming.unshift(info);
    }
  }

  /** those a pod in `namespace` can name (`resolvesIn`, by lookup): of its namespace, then the others' */
  public here(namespace: string | undefined): PullSecretInfo[] {
    const local = this.byNamespace.get(namespace) ?? NO_SECRETS;
    if (this.roaming.length === 0) {
      return local;
    }
    const anywhere = this.roaming.filter(s => s.namespace !== namespace && resolvesIn(s, namespace));
    return anywhere.length === 0 ? local : [...local, ...anywhere];
  }
}

/** the secrets of one name */
interface Named {
  /** all of them, in the order added */
  readonly all: PullSecretInfo[];
  readonly written: Shelf;
  readonly declared: Shelf;
}

/**
 * Pull secrets and ServiceAccounts by namespace and name. Finding those a pod can name does not
 * grow with the number of namespaces (a platform has a "regcred" in each).
 * @typeParam O what a feeder keeps beside each secret; the index never reads it
 * @internal
 */
export class ManifestIndex<O = unknown> {
  private readonly byName = new Map<string, Named>();
  private readonly origins = new Map<PullSecretInfo, O>();
  private readonly accounts = new Map<string, string[]>();
  private readonly others = new Map<string, ByNamespace<OtherSecret>>();

  /** every known secret with this name, in any namespace, in the order added */
  public secrets(name: string): PullSecretInfo[] {
    return this.byName.get(name)?.all ?? [];
  }

  /** imagePullSecrets of the ServiceAccount `name` in `namespace`, if it is known */
  public serviceAccount(name: string, namespace: string | undefined): string[] | undefined {
    // most apps declare no ServiceAccount, and every pod without secrets of its own asks
    return this.accounts.size === 0 ? undefined : this.accounts.get(namespacedKey(namespace, name));
  }

  /**
   * The secrets named `name` that a pod in `namespace` can name (`resolvesIn`): those written
   * first, then those declared, each in its namespace before those of every namespace, the
   * newest first.
   */
  public resolved(name: string, namespace: string | undefined): PullSecretInfo[] {
    const named = this.byName.get(name);
    if (named === undefined) {
      return NO_SECRETS;
    }
    const written = named.written.here(namespace);
    if (named.declared.byNamespace.size === 0) {
      return written;
    }
    const declared = named.declared.here(namespace);
    return declared.length === 0 ? written : [...written, ...declared];
  }

  /** one secret named `name` in whichever namespace, for a message: the first written namespace's newest, else the first declared one's */
  public anyNamespace(name: string): PullSecretInfo | undefined {
    const named = this.byName.get(name);
    return named?.written.byNamespace.values().next().value?.[0] ?? named?.declared.byNamespace.values().next().value?.[0];
  }

  /** the secrets written with this namespace and name, the newest first */
  public written(name: string, namespace: string | undefined): PullSecretInfo[] {
    return this.byName.get(name)?.written.byNamespace.get(namespace) ?? NO_SECRETS;
  }

  /** the secrets declared with this name, in any namespace, in the order added */
  public declared(name: string): PullSecretInfo[] {
    const named = this.byName.get(name);
    const declared = named?.declared.byNamespace;
    return declared === undefined || declared.size === 0 ? NO_SECRETS : named!.all.filter(s => declared.get(s.namespace)?.includes(s));
  }

  /** what the feeder gave with `secret` */
  public origin(secret: PullSecretInfo): O | undefined {
    return this.origins.get(secret);
  }

  /** the newest Secret of another type named `name` in `namespace` */
  public otherType(name: string, namespace: string | undefined): OtherSecret | undefined {
    return this.others.get(name)?.get(namespace)?.[0];
  }

  /**
   * Records `manifest` if it is a Secret or a ServiceAccount; anything else, of any shape, is
   * skipped. Returns the pull secret it recorded, if any.
   */
  public addManifest(manifest: any, origin?: O): PullSecretInfo | undefined {
    const metadata = isObject(manifest) && isObject(manifest.metadata) ? manifest.metadata : undefined;
    if (typeof metadata?.name !== 'string') {
      return undefined;
    }
    const name: string = metadata.name;
    // "" is no namespace, as kubectl reads it
    const namespace = namespaceOf(manifest);
    if (manifest.kind === 'ServiceAccount') {
      // as the API server reads the list: a null or nameless entry names no secret
      this.addServiceAccount(namespace, name, namedSecrets(manifest.imagePullSecrets));
    } else if (isPullSecret(manifest)) {
      const info = pullSecretInfo(name, namespace, readPullSecret(manifest));
      this.addSecret(info, SecretSource.WRITTEN, origin);
      return info;
    } else if (isExternalSecret(manifest)) {
      // the Secret the operator writes, in the ExternalSecret's namespace
      const external = readExternalPullSecret(manifest);
      if (external === undefined || 'error' in external) {
        return undefined;
      }
      const info: PullSecretInfo = { name: external.name, namespace: external.namespace, servers: external.servers, store: external.store };
      this.addSecret(info, SecretSource.WRITTEN, origin);
      return info;
    } else if (manifest.kind === 'Secret') {
      let others = this.others.get(name);
      if (others === undefined) {
        others = new Map();
        this.others.set(name, others);
      }
      addNewest(others, namespace, { namespace, type: manifest.type });
    }
    return undefined;
  }

  /** records a pull secret, whose servers are known without reading its data */
  public addSecret(info: PullSecretInfo, source = SecretSource.WRITTEN, origin?: O): void {
    let named = this.byName.get(info.name);
    if (named === undefined) {
      named = { all: [], written: new Shelf(), declared: new Shelf() };
      this.byName.set(info.name, named);
    }
    named.all.push(info);
    (source === SecretSource.DECLARED ? named.declared : named.written).add(info);
    if (origin !== undefined) {
      this.origins.set(info, origin);
    }
  }

  /** records the ServiceAccount `name` in `namespace`, whose imagePullSecrets name `secrets` */
  public addServiceAccount(namespace: string | undefined, name: string, secrets: string[]): void {
    this.accounts.set(namespacedKey(namespace, name), secrets);
  }
}

function addNewest<T>(byNamespace: ByNamespace<T>, namespace: string | undefined, item: T): void {
  const same = byNamespace.get(namespace);
  if (same) {
    same.unshift(item);
  } else {
    byNamespace.set(namespace, [item]);
  }
}

/**
 * What the rules know of the pull secret `name` in `namespace`, read (see `readPullSecret`):
 * its servers, or why the kubelet cannot read it.
 * @internal
 */
export function pullSecretInfo(name: string, namespace: string | undefined, read: ReturnType<typeof readPullSecret>): PullSecretInfo {
  return read.entries ? { name, namespace, servers: [...read.entries.keys()] } : { name, namespace, invalid: read.invalid };
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
