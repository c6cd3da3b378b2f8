// The secrets and ServiceAccounts of the whole app, which a pod's pull fields depend on.
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { registrySecretInfo } from './pull-secrets';
import { ManifestIndex } from './rules/manifest-index';
import { PullSecretInfo } from './rules/pod-spec-check';
import { rootOf, SynthRequest } from './synth-request';

/** Secrets and ServiceAccounts known around a pod. @internal */
export interface Lookup {
  secrets(name: string): PullSecretInfo[];
  serviceAccount(name: string, namespace: string | undefined): string[] | undefined;
}

/**
 * The secrets and ServiceAccounts of a construct tree, read from their JSON, so that a pod naming
 * a secret from `Include` or a ServiceAccount from a Helm chart is judged as the kubelet would.
 */
export class TreeIndex extends ManifestIndex implements Lookup {
  /** the index of `obj`'s app: the one of the current synth request, or a new one */
  public static of(obj: IConstruct): Lookup {
    const root = rootOf(obj);
    const request = SynthRequest.current(root);
    return request ? request.index ??= new TreeIndex(root) : new TreeIndex(root);
  }

  constructor(root: IConstruct) {
    super();
    this.visit(root);
  }

  /** `c` and what is under it, in the order of `findAll()`, without building that list: this runs once per synth */
  private visit(c: IConstruct): void {
    const kind = (c as any).kind;
    if (kind === 'Secret' || kind === 'ServiceAccount') {
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
      this.addSecret(registrySecretInfo(secret));
    } else if (ApiObject.isApiObject(c) && !isRegistrySecretResource(c)) {
      this.addManifest(c.toJson());
    }
  }
}

function isRegistrySecretResource(obj: ApiObject): boolean {
  const parent: any = obj.node.scope;
  return parent !== undefined && parent.kind === 'Secret' && Array.isArray(parent.servers);
}
