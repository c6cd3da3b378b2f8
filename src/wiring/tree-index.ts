// The secrets and ServiceAccounts of the whole app, which a pod's pull fields depend on.
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { cdk8sJson, rootOf } from './cdk8s-hooks';
import { isExistingSecret, registrySecretInfo } from './pull-secrets';
import { kubectlObjects } from '../rules/kubectl-objects';
import { isListKind, ManifestIndex, SecretSource } from '../rules/manifest-index';
import { PullSecretInfo, namespacedKey, resolvesIn } from '../rules/pod-spec';

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

/** where a pull secret of the app is; and, for one the app writes, its JSON, rendered only to compare it with another */
interface Origin {
  readonly path: string;
  json?(): any;
}

/**
 * The secrets and ServiceAccounts of a construct tree, read from their JSON, so that a pod naming
 * a secret from `Include` or a ServiceAccount from a Helm chart is judged as the kubelet would.
 * The tree feeds the rules' index; the conflicts between what it writes and declares are its own.
 */
export class TreeIndex implements Lookup {
  /** the index of `obj`'s app: the one of `request`, the synth request running for it, or a new one */
  public static of(obj: IConstruct, request?: { index?: Lookup }): Lookup {
    const root = rootOf(obj);
    return request ? request.index ??= new TreeIndex(root) : new TreeIndex(root);
  }

  private readonly index = new ManifestIndex<Origin>();
  /** the names of the secrets declared to exist */
  private readonly declaredNames = new Set<string>();
  /** whether any namespace/name is written twice, or written and declared: else there is no conflict to look for */
  private doubts = false;
  private readonly conflicts = new Map<string, string | undefined>();

  constructor(root: IConstruct) {
    this.visit(root);
    for (const name of this.declaredNames) {
      this.doubts ||= this.index.secrets(name).some(s => this.isWritten(s));
    }
  }

  public secrets(name: string): PullSecretInfo[] {
    return this.index.secrets(name);
  }

  public serviceAccount(name: string, namespace: string | undefined): string[] | undefined {
    return this.index.serviceAccount(name, namespace);
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
      this.conflicts.set(key, this.findConflict(name, namespace));
    }
    return this.conflicts.get(key);
  }

  public existing(name: string, namespace: string | undefined): PullSecretInfo | undefined {
    const declared = this.index.declared(name);
    if (declared.length === 0 || this.writtenHere(name, namespace).length > 0) {
      return undefined;
    }
    return declared.find(d => resolvesIn(d, namespace));
  }

  public holders(name: string, namespace: string | undefined): string[] {
    const paths = this.writtenHere(name, namespace).map(s => this.index.origin(s)!.path);
    for (const d of this.index.declared(name)) {
      if (resolvesIn(d, namespace)) {
        paths.push(this.index.origin(d)!.path);
      }
    }
    return paths;
  }

  /** the pull secrets the app writes with this namespace and name, in the order written */
  private writtenHere(name: string, namespace: string | undefined): PullSecretInfo[] {
    return this.index.written(name, namespace).filter(s => this.isWritten(s)).reverse();
  }

  private isWritten(secret: PullSecretInfo): boolean {
    return this.index.origin(secret)?.json !== undefined;
  }

  private findConflict(name: string, namespace: string | undefined): string | undefined {
    const written = this.writtenHere(name, namespace);
    const path = (s: PullSecretInfo) => this.index.origin(s)!.path;
    const where = namespace === undefined ? 'without a namespace' : `in namespace "${namespace}"`;
    for (let i = 1; i < written.length; i++) {
      if (!this.sameContent(written[0], written[i])) {
        return `pull secret "${name}" is written twice ${where} with different content, by ${path(written[0])} and by ${path(written[i])}: `
          + 'kubectl apply keeps the last, and the pods that need the other fail to pull; give each secret its own name';
      }
    }
    const last = written[written.length - 1];
    for (const d of this.index.declared(name)) {
      const covered = last?.servers;
      if (last !== undefined && resolvesIn(d, namespace) && !(d.servers ?? []).every(server => covered?.includes(server))) {
        return `pull secret "${name}" is declared by RegistrySecret.fromSecretName at ${path(d)} for [${(d.servers ?? []).join(', ')}], `
          + `but ${path(last)} writes a Secret "${name}" ${where}${covered ? ` for [${covered.join(', ')}]` : ''}, which is the one the pod gets; `
          + 'name the existing secret differently, or drop the declaration and use the secret written';
      }
    }
    return undefined;
  }

  /** whether two written secrets are the same object: the same JSON (compared here, never shown) */
  private sameContent(a: PullSecretInfo, b: PullSecretInfo): boolean {
    try {
      return JSON.stringify(this.index.origin(a)!.json!()) === JSON.stringify(this.index.origin(b)!.json!());
    } catch {
      // a credential that cannot be read yet is reported by its secret; judge by the servers meanwhile
      return JSON.stringify(a.servers) === JSON.stringify(b.servers);
    }
  }

  /** `c` and what is under it, in the order of `findAll()`, without building that list */
  private visit(c: IConstruct): void {
    const kind = (c as any).kind;
    // an ESO ExternalSecret makes a pull secret too (rules/external-secret.ts)
    if (kind === 'Secret' || kind === 'ServiceAccount' || kind === 'ExternalSecret' || isListKind(kind)) {
      this.add(c);
    }
    const children = c.node.children;
    for (let i = 0; i < children.length; i++) {
      this.visit(children[i]);
    }
  }

  private add(c: IConstruct): void {
    const secret = c as any;
    const path = c.node.path;
    if (secret.kind === 'Secret' && Array.isArray(secret.servers) && typeof secret.name === 'string' && !ApiObject.isApiObject(c)) {
      // a RegistrySecret or a reference to one: its servers are known without reading credentials
      const info = registrySecretInfo(secret);
      const resource = c.node.tryFindChild('Resource');
      if (isExistingSecret(secret)) {
        this.index.addSecret(info, SecretSource.DECLARED, { path });
        this.declaredNames.add(info.name);
      } else if (ApiObject.isApiObject(resource)) {
        this.index.addSecret(info, SecretSource.WRITTEN, { path, json: () => resource.toJson() });
        this.doubts ||= this.writtenHere(info.name, info.namespace).length > 1;
      } else {
        this.index.addSecret(info);
      }
    } else if (ApiObject.isApiObject(c) && !isRegistrySecretResource(c)) {
      // a List is read as cdk8s renders it, before its pods are wired: the wiring reads this index
      const json = isListKind(c.kind) ? cdk8sJson(c) : c.toJson();
      // a List's items count as kubectl applies them, one by one
      const found = isListKind(json?.kind) ? kubectlObjects(json) : undefined;
      const manifests = found === undefined ? [json] : 'error' in found ? [] : found.objects.map(o => o.manifest);
      for (const manifest of manifests) {
        const written = this.index.addManifest(manifest, { path, json: () => manifest });
        this.doubts ||= written !== undefined && this.writtenHere(written.name, written.namespace).length > 1;
      }
    }
  }
}

function isRegistrySecretResource(obj: ApiObject): boolean {
  const parent: any = obj.node.scope;
  return parent !== undefined && parent.kind === 'Secret' && Array.isArray(parent.servers);
}
