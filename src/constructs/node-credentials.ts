import { readRegularFile } from '../rules/bounded-read';
import { readCredentialProviderConfigFile } from '../rules/credential-provider-config';
import { parseDockerConfigFile } from '../rules/docker-config';
import { parsesSchemeless } from '../rules/kubelet-keyring';
import { ACR_PROVIDER, ECR_PROVIDER, GCP_PROVIDER, NodeCredentialSource, providerSources } from '../rules/node-credentials';

/** the most a node's docker config file may hold */
const MAX_DOCKER_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * What the cluster's nodes pull with, besides the pods' pull secrets: the kubelet's credential
 * provider plugins (`--image-credential-provider-config`) or a docker `config.json` on the node.
 *
 * An image that one of them covers needs no pull secret: it is not refused at synth, and WIRE
 * adds no `imagePullSecrets` for it. The kubelet tries the pod's secrets first, then the node's.
 *
 * @see https://kubernetes.io/docs/tasks/administer-cluster/kubelet-credential-provider/
 */
export class NodeCredentials {
  /**
   * Amazon ECR through `ecr-credential-provider` (EKS nodes): `*.dkr.ecr.*.amazonaws.com` and
   * `*.dkr.ecr.*.amazonaws.com.cn`, the matchImages of kubernetes/cloud-provider-aws
   * docs/credential_provider.md (v1.36.1).
   */
  public static ecr(): NodeCredentials {
    return new NodeCredentials([ECR_PROVIDER]);
  }

  /**
   * Google Artifact Registry and Container Registry through `auth-provider-gcp` (GKE nodes):
   * `container.cloud.google.com`, `gcr.io`, `*.gcr.io` and `*.pkg.dev`, as in
   * kubernetes/cloud-provider-gcp pkg/gcpcredential/gcpcredential.go (v36.3.8).
   */
  public static gcp(): NodeCredentials {
    return new NodeCredentials([GCP_PROVIDER]);
  }

  /**
   * Azure Container Registry through `acr-credential-provider` (AKS nodes): `*.azurecr.io`,
   * `*.azurecr.cn`, `*.azurecr.de` and `*.azurecr.us`, as in kubernetes-sigs/cloud-provider-azure
   * examples/out-of-tree/credential-provider-config.yaml (v1.36.5).
   */
  public static acr(): NodeCredentials {
    return new NodeCredentials([ACR_PROVIDER]);
  }

  /**
   * A credential provider plugin given by its name and `matchImages`, matched as the kubelet
   * matches them: a glob per host label, an optional port, and a path prefix; no scheme.
   *
   * @param name the provider's name in the kubelet's CredentialProviderConfig (its executable)
   * @param matchImages e.g. `['*.registry.example.com', 'registry.example.com:5000/team']`
   */
  public static fromMatchImages(name: string, matchImages: string[]): NodeCredentials {
    const where = 'NodeCredentials.fromMatchImages';
    if (typeof name !== 'string' || name === '' || name.includes('/') || name.includes(' ') || name === '.' || name === '..') {
      throw new Error(`${where}: name ${JSON.stringify(name)} is not a provider name the kubelet accepts; `
        + 'expected its executable\'s name, without "/" or spaces, e.g. "ecr-credential-provider"');
    }
    if (!Array.isArray(matchImages) || matchImages.length === 0) {
      throw new Error(`${where}: matchImages of "${name}" is ${Array.isArray(matchImages) ? 'empty' : typeof matchImages}; `
        + 'expected at least one image pattern, e.g. ["*.registry.example.com"]');
    }
    matchImages.forEach((image, i) => {
      if (typeof image !== 'string' || image === '' || !parsesSchemeless(image)) {
        throw new Error(`${where}: matchImages[${i}] of "${name}" is ${JSON.stringify(image)}, which the kubelet refuses; `
          + 'expected host[:port][/path] with globs in host labels, e.g. "*.registry.example.com"');
      }
    });
    return new NodeCredentials([{ name, kind: 'provider', matchImages: [...matchImages], servers: [] }]);
  }

  /**
   * Every provider of the kubelet's CredentialProviderConfig file (the file given to
   * `--image-credential-provider-config`), in YAML or JSON; refused with the kubelet's reasons
   * when the kubelet would refuse it. A directory is read as the kubelet reads one: its `*.json`,
   * `*.yaml` and `*.yml` files in lexicographic order, merged.
   *
   * @param path a regular file of at most 1 MiB, or a directory of them
   */
  public static fromProviderConfigFile(path: string): NodeCredentials {
    const what = 'NodeCredentials.fromProviderConfigFile: file';
    if (typeof path !== 'string' || path === '') {
      throw new Error(`${what} is ${JSON.stringify(path)}; expected the path of a CredentialProviderConfig file`);
    }
    return new NodeCredentials(providerSources(readCredentialProviderConfigFile(path, what)));
  }

  /**
   * The servers of a docker `config.json` that the nodes hold (e.g. `/var/lib/kubelet/config.json`),
   * matched like a pull secret's keys. Only its `auths` keys are kept, never its credentials.
   *
   * @param path a regular file of at most 4 MiB, a copy of the node's file
   */
  public static fromDockerConfigFile(path: string): NodeCredentials {
    const what = 'NodeCredentials.fromDockerConfigFile: file';
    if (typeof path !== 'string' || path === '') {
      throw new Error(`${what} is ${JSON.stringify(path)}; expected the path of a docker config.json`);
    }
    const bytes = readRegularFile(path, what, MAX_DOCKER_CONFIG_BYTES);
    const { entries } = parseDockerConfigFile(bytes, `${what} ${JSON.stringify(path)}`);
    return new NodeCredentials([{ name: path, kind: 'docker-config', matchImages: [], servers: Object.keys(entries) }]);
  }

  /**
   * Checks a list of node credentials given to a construct.
   * @internal
   */
  public static _sourcesOf(where: string, property: string, value: unknown): NodeCredentialSource[] {
    if (value === undefined) {
      return [];
    }
    if (!Array.isArray(value)) {
      throw new Error(`${where}: ${property} is ${value === null ? 'null' : typeof value}; expected a list of NodeCredentials, e.g. [NodeCredentials.ecr()]`);
    }
    return value.flatMap((v, i) => {
      if (!(v instanceof NodeCredentials)) {
        throw new Error(`${where}: ${property}[${i}] is ${v === null ? 'null' : typeof v}; expected NodeCredentials, e.g. NodeCredentials.ecr()`);
      }
      return v._sources;
    });
  }

  /**
   * The providers' names, or the docker config's path, in the order the node tries them.
   */
  public readonly names: string[];

  /** @internal */
  public readonly _sources: readonly NodeCredentialSource[];

  private constructor(sources: NodeCredentialSource[]) {
    this._sources = Object.freeze(sources);
    this.names = sources.map(s => s.name);
  }
}
