// Pure: the pull secrets and ServiceAccounts among a set of manifests, as the kubelet and the
// ServiceAccount admission plugin would find them. Imports nothing from cdk8s.
import { PullSecretInfo } from './pod-spec-check';

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
    return this.accounts.get(`${namespace ?? ''}/${name}`);
  }

  /** records `manifest` if it is a pull secret or a ServiceAccount */
  public addManifest(manifest: any): void {
    const name = manifest?.metadata?.name;
    const namespace = manifest?.metadata?.namespace;
    if (manifest?.kind === 'ServiceAccount') {
      this.accounts.set(`${namespace ?? ''}/${name}`, (manifest.imagePullSecrets ?? []).map((s: any) => s.name));
    } else if (manifest?.kind === 'Secret' && (manifest.type === 'kubernetes.io/dockerconfigjson' || manifest.type === 'kubernetes.io/dockercfg')) {
      this.addSecret({ name, namespace, servers: serversOf(manifest) });
    }
  }

  /** records a secret whose servers are known without reading its data */
  public addSecret(info: PullSecretInfo): void {
    this.secretsByName.set(info.name, [...this.secrets(info.name), info]);
  }
}

/** the servers of a docker config Secret; undefined when its data cannot be read */
function serversOf(secret: any): string[] | undefined {
  const key = secret.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
  try {
    const text = secret.stringData?.[key] ?? Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
    const config = JSON.parse(text);
    return Object.keys(key === '.dockercfg' ? config : config.auths ?? {});
  } catch {
    return undefined;
  }
}
