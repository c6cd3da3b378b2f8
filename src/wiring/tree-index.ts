// The secrets and ServiceAccounts of the whole app, which a pod's pull fields depend on.
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { cdk8sJson, rootOf } from './cdk8s-hooks';
import { isExistingSecret, registrySecretInfo } from './pull-secrets';
import { kubectlObjects } from '../rules/kubectl-reader';
import { isListKind, isPullSecret, ManifestIndex, readPullSecret } from '../rules/manifest-index';
import { namespacedKey, namespaceOf, PullSecretInfo, resolvesIn } from '../rules/pod-spec-check';

/** Secrets and ServiceAccounts known around a pod. @internal */
export interface Lookup {
  secrets(name: string): PullSecretInfo[];
  serviceAccount(name: string, namespace: string | undefined): string[] | undefined;
  /**
   * why the pull secret `name` a pod in `namespace` gets cannot be known from the app: two
   * different Secrets are written with that namespace and name, or a reference declares it for
   * servers that the one written does not cover; undefined when there is no such doubt
   */
  conflict?(name: string, namespace: string | undefined): string | undefined;
  /** whether `conflict` may find anything */
  mayConflict?(): boolean;
  /**
   * the secret created out of band that a pod in `namespace` gets when it names `name`: one
   * declared anywhere in the app (RegistrySecret.fromSecretName) for that namespace, when the app
   * writes no Secret `name` there; undefined otherwise
   */
  existing?(name: string, namespace: string | undefined): PullSecretInfo | undefined;
  /**
   * the paths of the constructs that write a Secret `name` in `namespace`, or declare one
   * (RegistrySecret.fromSecretName) that a pod there gets
   */
  holders?(name: string, namespace: string | undefined): string[];
}

/** a pull secret written by the app: where, and its JSON, rendered only to compare it with another */
interface Written {
  readonly path: string;
  readonly servers?: string[];
  json(): any;
}

/** a secret created out of band, declared with RegistrySecret.fromSecretName */
interface Declared {
  readonly path: string;
  readonly info: PullSecretInfo;
}

/**
 * The secrets and ServiceAccounts of a construct tree, read from their JSON, so that a pod naming
 * a secret from `Include` or a ServiceAccount from a Helm chart is judged as the kubelet would.
 */
export class TreeIndex extends ManifestIndex implements Lookup {
  /** the index of `obj`'s app: the one of `request`, the synth request running for it, or a new one */
  public static of(obj: IConstruct, request?: { index?: Lookup }): Lookup {
    const root = rootOf(obj);
    return request ? request.index ??= new TreeIndex(root) : new TreeIndex(root);
  }

  /** the pull secrets written, by namespace/name; only read when a name is written twice or also declared */
  private readonly written = new Map<string, Written[]>();
  /** the secrets declared to exist, by name */
  private readonly declared = new Map<string, Declared[]>();
  /** whether any namespace/name is written twice, or written and declared: else there is no conflict to look for */
  private doubts = false;
  private readonly conflicts = new Map<string, string | undefined>();

  constructor(root: IConstruct) {
    super();
    this.visit(root);
    for (const name of this.declared.keys()) {
      this.doubts ||= [...this.written.keys()].some(key => key.endsWith(`/${name}`));
    }
  }

  /** whether any pull secret is written twice, or written and declared: else `conflict` finds nothing */
  public mayConflict(): boolean {
    return this.doubts;
  }

  public conflict(name: string, namespace: string | undefined): string | undefined {
    if (!this.doubts) {
      return undefined;
    }
    const key = namespacedKey(namespace, name);
    if (!this.conflicts.has(key)) {
      this.conflicts.set(key, this.findConflict(key, name, namespace));
    }
    return this.conflicts.get(key);
  }

  public existing(name: string, namespace: string | undefined): PullSecretInfo | undefined {
    const declared = this.declared.get(name);
    if (declared === undefined || this.written.has(namespacedKey(namespace, name))) {
      return undefined;
    }
    return declared.find(d => resolvesIn(d.info, namespace))?.info;
  }

  public holders(name: string, namespace: string | undefined): string[] {
    const paths = (this.written.get(namespacedKey(namespace, name)) ?? []).map(w => w.path);
    for (const d of this.declared.get(name) ?? []) {
      if (resolvesIn(d.info, namespace)) {
        paths.push(d.path);
      }
    }
    return paths;
  }

  private findConflict(key: string, name: string, namespace: string | undefined): string | undefined {
    const written = this.written.get(key) ?? [];
    const where = namespace === undefined ? 'without a namespace' : `in namespace "${namespace}"`;
    for (let i = 1; i < written.length; i++) {
      if (!sameContent(written[0], written[i])) {
        return `pull secret "${name}" is written twice ${where} with different content, by ${written[0].path} and by ${written[i].path}: `
          + 'kubectl apply keeps the last, and the pods that need the other fail to pull; give each secret its own name';
      }
    }
    const last = written[written.length - 1];
    for (const d of this.declared.get(name) ?? []) {
      const covered = last?.servers;
      if (last !== undefined && resolvesIn(d.info, namespace) && !(d.info.servers ?? []).every(server => covered?.includes(server))) {
        return `pull secret "${name}" is declared by RegistrySecret.fromSecretName at ${d.path} for [${(d.info.servers ?? []).join(', ')}], `
          + `but ${last.path} writes a Secret "${name}" ${where}${covered ? ` for [${covered.join(', ')}]` : ''}, which is the one the pod gets; `
          + 'name the existing secret differently, or drop the declaration and use the secret written';
      }
    }
    return undefined;
  }

  /** `c` and what is under it, in the order of `findAll()`, without building that list: this runs once per synth */
  private visit(c: IConstruct): void {
    const kind = (c as any).kind;
    if (kind === 'Secret' || kind === 'ServiceAccount' || isListKind(kind)) {
      this.add(c);
    }
    const children = c.node.children;
    for (let i = 0; i < children.length; i++) {
      this.visit(children[i]);
    }
  }

  private add(c: IConstruct): void {
    const secret = c as any;
    if (secret.kind === 'Secret' && Array.isArray(secret.servers) && typeof secret.name === 'string' && !ApiObject.isApiObject(c)) {
      // a RegistrySecret or a reference to one: its servers are known without reading credentials
      const info = registrySecretInfo(secret);
      this.addSecret(info);
      const resource = c.node.tryFindChild('Resource');
      if (isExistingSecret(secret)) {
        this.declare(secret.name, { path: c.node.path, info });
      } else if (ApiObject.isApiObject(resource)) {
        this.write(namespacedKey(info.namespace, info.name), { path: c.node.path, servers: info.servers, json: () => resource.toJson() });
      }
    } else if (ApiObject.isApiObject(c) && !isRegistrySecretResource(c)) {
      // a List is read as cdk8s renders it, before its pods are wired: the wiring reads this index
      const json = isListKind(c.kind) ? cdk8sJson(c) : c.toJson();
      // a List's items count as kubectl applies them, one by one
      const found = isListKind(json?.kind) ? kubectlObjects(json) : undefined;
      const manifests = found === undefined ? [json] : 'error' in found ? [] : found.objects.map(o => o.manifest);
      for (const manifest of manifests) {
        this.addManifest(manifest);
        if (isPullSecret(manifest) && typeof manifest.metadata?.name === 'string') {
          const entries = readPullSecret(manifest).entries;
          this.write(namespacedKey(namespaceOf(manifest), manifest.metadata.name),
            { path: c.node.path, servers: entries && [...entries.keys()], json: () => manifest });
        }
      }
    }
  }

  private write(key: string, written: Written): void {
    const same = this.written.get(key);
    if (same) {
      same.push(written);
      this.doubts = true;
    } else {
      this.written.set(key, [written]);
    }
  }

  private declare(name: string, declared: Declared): void {
    const same = this.declared.get(name);
    if (same) {
      same.push(declared);
    } else {
      this.declared.set(name, [declared]);
    }
  }
}

/** whether two written secrets are the same object: the same JSON (compared here, never shown) */
function sameContent(a: Written, b: Written): boolean {
  try {
    return JSON.stringify(a.json()) === JSON.stringify(b.json());
  } catch {
    // a credential that cannot be read yet is reported by its secret; judge by the servers meanwhile
    return JSON.stringify(a.servers) === JSON.stringify(b.servers);
  }
}

function isRegistrySecretResource(obj: ApiObject): boolean {
  const parent: any = obj.node.scope;
  return parent !== undefined && parent.kind === 'Secret' && Array.isArray(parent.servers);
}
