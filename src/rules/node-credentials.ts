// What the node brings to a pull besides the pod's secrets: the kubelet's credential provider
// plugins, each run for the images its matchImages match, and a static docker config on the node.
// The kubelet tries the pod's secrets first, then these (pkg/credentialprovider/secrets
// MakeDockerKeyring: UnionDockerKeyring{secrets, node keyring}).
import { CredentialProviderSpec, providerMatches } from './credential-provider-config';
import { KubeletKeyring } from './kubelet-keyring';

/**
 * One source of node credentials, as the rules see it: no credential, only what it covers.
 * @internal
 */
export interface NodeCredentialSource {
  /** the provider's name (its executable), or the docker config file's path */
  readonly name: string;
  /** `provider`: a credential provider plugin; `docker-config`: a static config.json on the node */
  readonly kind: 'provider' | 'docker-config';
  /** a provider's matchImages */
  readonly matchImages: readonly string[];
  /** a docker config's `auths` keys */
  readonly servers: readonly string[];
}

/**
 * The first source of `sources` that gives the kubelet a credential for the image name, or
 * undefined. A provider counts when one of its matchImages matches (plugin.go `isImageAllowed`):
 * what it answers is not known before it runs, and a provider that matches is expected to answer.
 * @internal
 */
export function nodeSourceFor(sources: readonly NodeCredentialSource[] | undefined, imageName: string): NodeCredentialSource | undefined {
  for (let i = 0; sources !== undefined && i < sources.length; i++) {
    const source = sources[i];
    if (source.kind === 'provider' ? providerMatches(source, imageName) : source.servers.some(s => KubeletKeyring.covers(s, imageName))) {
      return source;
    }
  }
  return undefined;
}

/**
 * The sources of a CredentialProviderConfig's providers.
 * @internal
 */
export function providerSources(providers: readonly CredentialProviderSpec[]): NodeCredentialSource[] {
  return providers.map(p => ({ name: p.name, kind: 'provider', matchImages: p.matchImages, servers: [] }));
}

/**
 * How reports name a source: `node provider "ecr-credential-provider"`.
 * @internal
 */
export function describeNodeSource(source: NodeCredentialSource): string {
  return source.kind === 'provider' ? `node provider "${source.name}"` : `node docker config "${source.name}"`;
}

/*
 * The matchImages each cloud's credential provider publishes as its default. Keep in step with:
 * - ECR: kubernetes/cloud-provider-aws v1.36.1, docs/credential_provider.md (ecr-credential-provider)
 * - GCP: kubernetes/cloud-provider-gcp v36.3.8, pkg/gcpcredential/gcpcredential.go
 *   `containerRegistryUrls` (auth-provider-gcp; GKE's cri_auth_config.yaml lists the same)
 * - ACR: kubernetes-sigs/cloud-provider-azure v1.36.5, examples/out-of-tree/credential-provider-config.yaml
 *   (acr-credential-provider); its `mcr.microsoft.com` entry is left out: it serves public images
 *   and that example pairs it with a --registry-mirror argument
 */

/** @internal */
export const ECR_PROVIDER: NodeCredentialSource = Object.freeze({
  name: 'ecr-credential-provider', kind: 'provider', matchImages: Object.freeze(['*.dkr.ecr.*.amazonaws.com', '*.dkr.ecr.*.amazonaws.com.cn']), servers: [],
});

/** @internal */
export const GCP_PROVIDER: NodeCredentialSource = Object.freeze({
  name: 'auth-provider-gcp', kind: 'provider', matchImages: Object.freeze(['container.cloud.google.com', 'gcr.io', '*.gcr.io', '*.pkg.dev']), servers: [],
});

/** @internal */
export const ACR_PROVIDER: NodeCredentialSource = Object.freeze({
  name: 'acr-credential-provider', kind: 'provider', matchImages: Object.freeze(['*.azurecr.io', '*.azurecr.cn', '*.azurecr.de', '*.azurecr.us']), servers: [],
});

/**
 * The presets by the names the plugin's `nodeCredentials` property takes.
 * @internal
 */
export const NODE_PRESETS: { readonly [name: string]: NodeCredentialSource } = { ecr: ECR_PROVIDER, gcp: GCP_PROVIDER, acr: ACR_PROVIDER };
