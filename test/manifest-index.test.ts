import { ManifestIndex } from '../src/rules/manifest-index';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('ManifestIndex', () => {
  test('reads the servers of dockerconfigjson and dockercfg Secrets, from data or stringData', () => {
    // GIVEN
    const index = new ManifestIndex();

    // WHEN
    index.addManifest({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'a', namespace: 'prod' }, data: { '.dockerconfigjson': b64('{"auths":{"ghcr.io":{}}}') } });
    index.addManifest({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'b' }, stringData: { '.dockerconfigjson': '{"auths":{"quay.io":{},"docker.io":{}}}' } });
    index.addManifest({ kind: 'Secret', type: 'kubernetes.io/dockercfg', metadata: { name: 'c' }, data: { '.dockercfg': b64('{"registry.gitlab.com":{}}') } });
    index.addManifest({ kind: 'Secret', type: 'Opaque', metadata: { name: 'd' }, data: {} });

    // THEN
    expect(index.secrets('a')).toEqual([{ name: 'a', namespace: 'prod', servers: ['ghcr.io'] }]);
    expect(index.secrets('b')[0].servers).toEqual(['quay.io', 'docker.io']);
    expect(index.secrets('c')[0].servers).toEqual(['registry.gitlab.com']);
    expect(index.secrets('d')).toEqual([]);
  });

  test('a Secret whose data does not parse is known, with unknown servers', () => {
    // GIVEN
    const index = new ManifestIndex();

    // WHEN
    index.addManifest({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'broken' }, data: { '.dockerconfigjson': b64('not json') } });

    // THEN
    expect(index.secrets('broken')).toEqual([{ name: 'broken', namespace: undefined, servers: undefined }]);
  });

  test('keeps same-named secrets of several namespaces', () => {
    // GIVEN
    const index = new ManifestIndex();

    // WHEN
    index.addSecret({ name: 'regcred', namespace: 'a', servers: ['ghcr.io'] });
    index.addSecret({ name: 'regcred', namespace: 'b', servers: ['quay.io'] });

    // THEN
    expect(index.secrets('regcred').map(s => s.namespace)).toEqual(['a', 'b']);
  });

  test('reads ServiceAccounts by namespace and name', () => {
    // GIVEN
    const index = new ManifestIndex();

    // WHEN
    index.addManifest({ kind: 'ServiceAccount', metadata: { name: 'builder', namespace: 'ci' }, imagePullSecrets: [{ name: 'regcred' }] });
    index.addManifest({ kind: 'ServiceAccount', metadata: { name: 'default' } });

    // THEN
    expect(index.serviceAccount('builder', 'ci')).toEqual(['regcred']);
    expect(index.serviceAccount('builder', undefined)).toBeUndefined();
    expect(index.serviceAccount('default', undefined)).toEqual([]);
  });
});
