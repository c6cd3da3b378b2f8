import { configPlatform, CONTAINERD_ACCEPT, MEDIA_TYPES, readManifest, servedMediaType } from '../src/rules/manifest-format';

const json = (value: object) => Buffer.from(JSON.stringify(value));
const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('readManifest', () => {
  test('the Accept header is containerd\'s, schema 1 reached only by */* last', () => {
    expect(CONTAINERD_ACCEPT).toBe('application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, '
      + 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, */*');
  });

  test('an OCI index and a Docker manifest list give their entries and platforms', () => {
    // GIVEN an index with two platforms and an attestation entry without one
    const body = json({
      schemaVersion: 2,
      manifests: [
        { mediaType: MEDIA_TYPES.ociManifest, digest: D(1), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: MEDIA_TYPES.ociManifest, digest: D(2), size: 1, platform: { 'os': 'linux', 'architecture': 'arm', 'variant': 'v7', 'os.version': '' } },
        { mediaType: MEDIA_TYPES.ociManifest, digest: D(3), size: 1 },
      ],
    });
    // WHEN it is served as an OCI index, with parameters on the Content-Type
    const reading = readManifest(`${MEDIA_TYPES.ociIndex}; charset=utf-8`, body);
    // THEN
    expect(reading.format).toBe('oci-index');
    expect(reading.manifests).toEqual([
      { digest: D(1), mediaType: MEDIA_TYPES.ociManifest, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: D(2), mediaType: MEDIA_TYPES.ociManifest, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { digest: D(3), mediaType: MEDIA_TYPES.ociManifest },
    ]);
    expect(readManifest(MEDIA_TYPES.dockerManifestList, body).format).toBe('docker-manifest-list');
  });

  test('OCI and Docker schema 2 image manifests give their config', () => {
    const ociBody = json({ schemaVersion: 2, config: { mediaType: MEDIA_TYPES.ociConfig, digest: D(4), size: 1 }, layers: [] });
    const oci = readManifest(MEDIA_TYPES.ociManifest, ociBody);
    expect(oci).toEqual({ format: 'oci-manifest', mediaType: MEDIA_TYPES.ociManifest, config: { digest: D(4), mediaType: MEDIA_TYPES.ociConfig } });
    const dockerBody = json({ schemaVersion: 2, config: { mediaType: MEDIA_TYPES.dockerConfig, digest: D(5), size: 1 } });
    const docker = readManifest(MEDIA_TYPES.dockerSchema2, dockerBody);
    expect(docker.format).toBe('docker-schema2');
    expect(docker.artifact).toBeUndefined();
  });

  test('schema 1, signed or not, by its type, by text/plain, or by its body', () => {
    expect(readManifest(MEDIA_TYPES.dockerSchema1Signed, Buffer.from('{}')).format).toBe('docker-schema1-signed');
    expect(readManifest(MEDIA_TYPES.dockerSchema1, Buffer.from('{}')).format).toBe('docker-schema1');
    // containerd: registry.access.redhat.com served schema 1 as text/plain
    expect(servedMediaType('text/plain; charset=utf-8')).toBe(MEDIA_TYPES.dockerSchema1Signed);
    expect(readManifest('application/json', json({ schemaVersion: 1, name: 'a', tag: 'b', fsLayers: [] })).format).toBe('docker-schema1');
    expect(readManifest('application/json', json({ schemaVersion: 1, signatures: [{}] })).format).toBe('docker-schema1-signed');
  });

  test('an artifact: a config that is not an image config, or an artifactType, named', () => {
    // GIVEN a Helm chart as `helm push` writes it
    const helm = readManifest(MEDIA_TYPES.ociManifest, json({
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: D(6), size: 1 },
      layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: D(7), size: 1 }],
    }));
    expect(helm.artifact).toBe('application/vnd.cncf.helm.config.v1+json (a Helm chart)');
    // AND an OCI 1.1 artifact with an empty config and an artifactType
    const sbom = readManifest(MEDIA_TYPES.ociManifest, json({
      schemaVersion: 2,
      artifactType: 'application/spdx+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: D(8), size: 2 },
    }));
    expect(sbom.artifact).toBe('application/spdx+json (an SPDX SBOM)');
    expect(readManifest(MEDIA_TYPES.ociManifest, json({ config: { mediaType: 'application/x-mine', digest: D(9) } })).artifact).toBe('application/x-mine');
  });

  test('what is not a manifest, or does not read as its type, says why', () => {
    expect(readManifest('text/html', Buffer.from('<html>')).invalid).toBe('the registry served "text/html", which is not a manifest type');
    expect(readManifest(MEDIA_TYPES.ociIndex, Buffer.from('{')).invalid).toBe('the body of an OCI image index is not JSON');
    expect(readManifest(MEDIA_TYPES.ociManifest, json({ layers: [] })).invalid).toBe('an OCI image manifest without a config');
  });

  test('configPlatform reads os, architecture, variant and os.version', () => {
    expect(configPlatform(json({ architecture: 'arm', os: 'linux', variant: 'v6', rootfs: {} }))).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(configPlatform(json({ 'architecture': 'amd64', 'os': 'windows', 'os.version': '10.0.20348.1' })))
      .toEqual({ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.1' });
    expect(configPlatform(Buffer.from('not json'))).toBeUndefined();
  });
});
