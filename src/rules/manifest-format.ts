// What a registry's manifest answer is, read as containerd reads it: the media type from
// Content-Type without parameters, `text/plain` taken as schema 1 (containerd v2.x,
// core/remotes/docker/resolver.go `getManifestMediaType`), the types of core/images/mediatypes.go
// and the OCI image-spec v1.1 (an `artifactType`, or a config that is not an image config, makes
// an artifact, not an image).
import { Platform } from './platforms';

/** @internal */
export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerSchema2: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/**
 * The `Accept` header containerd's resolver sends (core/remotes/docker/resolver.go, the same in
 * v1.7 and v2.x): Docker and OCI manifests and indexes, then `*\/*` last, which is how a tag that
 * holds only a schema-1 manifest is answered.
 * @internal
 */
export const CONTAINERD_ACCEPT = [
  MEDIA_TYPES.dockerSchema2,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  '*/*',
].join(', ');

/** @internal */
export type ManifestFormat = 'oci-index' | 'docker-manifest-list' | 'oci-manifest' | 'docker-schema2'
| 'docker-schema1' | 'docker-schema1-signed' | 'unknown';

/** how a report names each format */
export const FORMAT_NAMES: { readonly [format in ManifestFormat]: string } = {
  'oci-index': 'an OCI image index',
  'docker-manifest-list': 'a Docker manifest list',
  'oci-manifest': 'an OCI image manifest',
  'docker-schema2': 'a Docker schema 2 manifest',
  'docker-schema1': 'a Docker schema 1 manifest',
  'docker-schema1-signed': 'a signed Docker schema 1 manifest',
  'unknown': 'not a manifest',
};

/** what some well-known artifact types are, for a message a person reads */
const ARTIFACT_NAMES: { readonly [mediaType: string]: string } = {
  'application/vnd.cncf.helm.config.v1+json': 'a Helm chart',
  'application/vnd.dev.cosign.simplesigning.v1+json': 'a cosign signature',
  'application/vnd.dev.sigstore.bundle.v0.3+json': 'a Sigstore bundle',
  'application/vnd.cncf.notary.signature': 'a Notary signature',
  'application/vnd.in-toto+json': 'an in-toto attestation',
  'application/spdx+json': 'an SPDX SBOM',
  'application/vnd.cyclonedx+json': 'a CycloneDX SBOM',
  'application/vnd.wasm.config.v0+json': 'a WebAssembly module',
  'application/vnd.cncf.flux.config.v1+json': 'a Flux artifact',
};

/**
 * A descriptor of an index, as far as the check needs it.
 * @internal
 */
export interface IndexEntry {
  readonly digest: string;
  readonly mediaType: string;
  readonly platform?: Platform;
}

/**
 * A manifest answer, read.
 * @internal
 */
export interface ManifestReading {
  readonly format: ManifestFormat;
  /** the media type it was served as (or declares) */
  readonly mediaType: string;
  /** an index's entries */
  readonly manifests?: readonly IndexEntry[];
  /** a manifest's config */
  readonly config?: { readonly digest: string; readonly mediaType: string };
  /** an artifact's type, named as a person reads it: `application/vnd.cncf.helm.config.v1+json (a Helm chart)` */
  readonly artifact?: string;
  /** why the body cannot be read as its media type says */
  readonly invalid?: string;
}

/** `getManifestMediaType`: the Content-Type without parameters; `text/plain` is schema 1 */
export function servedMediaType(contentType: string | string[] | undefined): string {
  const value = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
  const type = value.split(';')[0].trim().toLowerCase();
  return type === 'text/plain' ? MEDIA_TYPES.dockerSchema1Signed : type;
}

function platformOf(value: any): Platform | undefined {
  if (!value || typeof value !== 'object' || typeof value.os !== 'string' || typeof value.architecture !== 'string') {
    return undefined;
  }
  return {
    os: value.os,
    architecture: value.architecture,
    ...(typeof value.variant === 'string' && value.variant !== '' ? { variant: value.variant } : {}),
    ...(typeof value['os.version'] === 'string' && value['os.version'] !== '' ? { osVersion: value['os.version'] } : {}),
    ...(Array.isArray(value['os.features']) ? { osFeatures: value['os.features'].filter((f: unknown) => typeof f === 'string') } : {}),
  };
}

/**
 * The platform an image config names (`ConfigPlatform` in containerd's core/images/image.go):
 * its `os`, `architecture`, `variant`, `os.version` and `os.features`.
 * @internal
 */
export function configPlatform(body: Buffer): Platform | undefined {
  try {
    return platformOf(JSON.parse(body.toString('utf8')));
  } catch {
    return undefined;
  }
}

function artifactName(type: string): string {
  const name = ARTIFACT_NAMES[type];
  return name ? `${type} (${name})` : type;
}

/**
 * Reads a manifest answer: its format from the media type it was served as, or, when the registry
 * sent none that names one (`application/json`), from the body; an index's entries; a manifest's
 * config, and whether it is an artifact rather than an image.
 * @internal
 */
export function readManifest(contentType: string | string[] | undefined, body: Buffer): ManifestReading {
  const served = servedMediaType(contentType);
  let json: any;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    json = undefined;
  }
  const declared = typeof json?.mediaType === 'string' ? json.mediaType : '';
  const known = Object.values(MEDIA_TYPES) as string[];
  let mediaType = known.includes(served) ? served : declared;
  if (mediaType === '' && json?.schemaVersion === 1) {
    mediaType = Array.isArray(json.signatures) ? MEDIA_TYPES.dockerSchema1Signed : MEDIA_TYPES.dockerSchema1;
  } else if (mediaType === '' && Array.isArray(json?.manifests)) {
    mediaType = MEDIA_TYPES.ociIndex;
  } else if (mediaType === '' && json?.config) {
    mediaType = MEDIA_TYPES.ociManifest;
  }
  const format: ManifestFormat = ({
    [MEDIA_TYPES.ociIndex]: 'oci-index',
    [MEDIA_TYPES.dockerManifestList]: 'docker-manifest-list',
    [MEDIA_TYPES.ociManifest]: 'oci-manifest',
    [MEDIA_TYPES.dockerSchema2]: 'docker-schema2',
    [MEDIA_TYPES.dockerSchema1]: 'docker-schema1',
    [MEDIA_TYPES.dockerSchema1Signed]: 'docker-schema1-signed',
  } as { [type: string]: ManifestFormat })[mediaType] ?? 'unknown';
  if (format === 'unknown') {
    return { format, mediaType: served || declared, invalid: `the registry served ${JSON.stringify(served || 'no media type')}, which is not a manifest type` };
  }
  if (format === 'docker-schema1' || format === 'docker-schema1-signed') {
    return { format, mediaType };
  }
  if (json === undefined || typeof json !== 'object') {
    return { format, mediaType, invalid: `the body of ${FORMAT_NAMES[format]} is not JSON` };
  }
  const artifactType = typeof json.artifactType === 'string' && json.artifactType !== '' ? json.artifactType : undefined;
  if (format === 'oci-index' || format === 'docker-manifest-list') {
    if (!Array.isArray(json.manifests)) {
      return { format, mediaType, invalid: `${FORMAT_NAMES[format]} without "manifests"` };
    }
    const manifests = json.manifests
      .filter((m: any) => typeof m?.digest === 'string')
      .map((m: any) => ({ digest: m.digest, mediaType: String(m.mediaType ?? ''), ...(platformOf(m.platform) ? { platform: platformOf(m.platform) } : {}) }));
    return { format, mediaType, manifests, ...(artifactType ? { artifact: artifactName(artifactType) } : {}) };
  }
  const config = json.config;
  if (!config || typeof config.digest !== 'string') {
    return { format, mediaType, invalid: `${FORMAT_NAMES[format]} without a config` };
  }
  const configType = String(config.mediaType ?? '');
  const isImageConfig = configType === MEDIA_TYPES.ociConfig || configType === MEDIA_TYPES.dockerConfig;
  return {
    format,
    mediaType,
    config: { digest: config.digest, mediaType: configType },
    ...(artifactType ? { artifact: artifactName(artifactType) } : !isImageConfig ? { artifact: artifactName(configType) } : {}),
  };
}
