import { ManifestIndex, SecretSource } from '../src/rules/manifest-index';

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

  test.each([
    ['data that is not JSON', { data: { '.dockerconfigjson': b64('not json') } }, '".dockerconfigjson": not valid JSON at line 1, column 1 (a value is expected)'],
    ['an auth the kubelet cannot decode', { data: { '.dockerconfigjson': b64('{"auths":{"ghcr.io":{"auth":"dTpwcQ="}}}') } },
      '".dockerconfigjson": entry "ghcr.io" has an "auth" that is not base64 of "user:password" (it ends in "=" but is not padded base64)'],
    ['a stringData auth the kubelet cannot decode', { stringData: { '.dockerconfigjson': '{"auths":{"ghcr.io":{"auth":"dTpwc"}}}' } },
      '".dockerconfigjson": entry "ghcr.io" has an "auth" that is not base64 of "user:password" (it does not end in "=" and is not unpadded base64)'],
    ['stringData that replaces good data', { data: { '.dockerconfigjson': b64('{"auths":{}}') }, stringData: { '.dockerconfigjson': '[]' } }, '".dockerconfigjson": the JSON is an array, not an object'],
    ['data that Go does not read as base64', { data: { '.dockerconfigjson': b64('{"auths":{ }}').replace(/=+$/, '') } }, 'data ".dockerconfigjson" is not base64'],
    ['no data key', { data: { other: b64('{}') } }, 'it has no ".dockerconfigjson" key'],
    ['empty data', { data: { '.dockerconfigjson': '' } }, '".dockerconfigjson" is empty'],
    ['a number as data', { data: { '.dockerconfigjson': 5 } }, 'data ".dockerconfigjson" is not a string'],
  ])('records a Secret the kubelet cannot read, with why, for %s', (_name, body, reason) => {
    // GIVEN
    const index = new ManifestIndex();

    // WHEN
    index.addManifest({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'broken', namespace: 'prod' }, ...body });

    // THEN
    expect(index.secrets('broken')).toEqual([{ name: 'broken', namespace: 'prod', invalid: reason }]);
  });

  test('a pull secret\'s reason never holds its content', () => {
    // GIVEN
    const password = 'Sentinel-Pa55word-9f3c';
    const index = new ManifestIndex();

    // WHEN
    index.addManifest({ kind: 'Secret', type: 'kubernetes.io/dockercfg', metadata: { name: 'a' }, stringData: { '.dockercfg': `{"ghcr.io":{"auth":"${password}"}}` } });
    index.addManifest({ kind: 'Secret', type: 'kubernetes.io/dockercfg', metadata: { name: 'b' }, stringData: { '.dockercfg': `{"ghcr.io":{"auth":${password}}}` } });

    // THEN
    for (const name of ['a', 'b']) {
      expect(index.secrets(name)[0].invalid).toMatch(/^"\.dockercfg": /);
      expect(index.secrets(name)[0].invalid).not.toContain(password);
    }
  });

  test('reads data as the API server decodes it: newlines in the base64 are skipped', () => {
    // GIVEN
    const data = b64('{"auths":{"ghcr.io":{"auth":"dTpw"}}}').replace(/(.{8})/g, '$1\n');
    const index = new ManifestIndex();

    // WHEN
    index.addManifest({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'wrapped' }, data: { '.dockerconfigjson': data } });

    // THEN
    expect(index.secrets('wrapped')).toEqual([{ name: 'wrapped', namespace: undefined, servers: ['ghcr.io'] }]);
  });

  test.each([
    ['null', null], ['a string', 'x'], ['a number', 5], ['an array', []], ['no metadata', { kind: 'Secret', type: 'kubernetes.io/dockerconfigjson' }],
    ['metadata that is a string', { kind: 'ServiceAccount', metadata: 'x' }], ['a type that is an Object method', { kind: 'Secret', type: 'toString', metadata: { name: 'x' } }],
  ])('skips a manifest of any shape without a crash: %s', (_name, manifest) => {
    // GIVEN
    const index = new ManifestIndex();

    // WHEN
    index.addManifest(manifest);

    // THEN
    expect(index.secrets('x')).toEqual([]);
    expect(index.serviceAccount('x', undefined)).toBeUndefined();
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

  test('reads a ServiceAccount\'s imagePullSecrets as the API server does: null and nameless entries name nothing', () => {
    // GIVEN: Helm renders an empty `- ` as null
    const index = new ManifestIndex();

    // WHEN
    index.addManifest({ kind: 'ServiceAccount', metadata: { name: 'a' }, imagePullSecrets: [null, {}, { name: '' }, { name: 5 }, { name: 'regcred' }] });
    index.addManifest({ kind: 'ServiceAccount', metadata: { name: 'b' }, imagePullSecrets: 'regcred' });
    index.addManifest({ kind: 'ServiceAccount', metadata: { name: 'c', namespace: '' }, imagePullSecrets: null });

    // THEN
    expect(index.serviceAccount('a', undefined)).toEqual(['regcred']);
    expect(index.serviceAccount('b', undefined)).toEqual([]);
    expect(index.serviceAccount('c', undefined)).toEqual([]);
  });
});

describe('ManifestIndex: which secret a pod in a namespace gets', () => {
  const info = (name: string, namespace?: string, servers = ['ghcr.io'], inEveryNamespace?: boolean) =>
    (inEveryNamespace ? { name, namespace, servers, inEveryNamespace } : { name, namespace, servers });

  test('a secret written in the pod\'s namespace, the last one written first, then those declared', () => {
    // GIVEN
    const index = new ManifestIndex();
    const declared = info('regcred', 'prod', ['quay.io']);
    const first = info('regcred', 'prod', ['ghcr.io']);
    const last = info('regcred', 'prod', ['docker.io']);

    // WHEN
    index.addSecret(declared, SecretSource.DECLARED);
    index.addSecret(first);
    index.addSecret(last, SecretSource.WRITTEN);

    // THEN: kubectl apply keeps the last object with a namespace and name
    expect(index.resolved('regcred', 'prod')).toEqual([last, first, declared]);
    expect(index.written('regcred', 'prod')).toEqual([last, first]);
    expect(index.declared('regcred')).toEqual([declared]);
    expect(index.secrets('regcred')).toEqual([declared, first, last]);
    expect(index.resolved('regcred', 'dev')).toEqual([]);
  });

  test('a secret declared without a namespace resolves in every namespace; one written without one only for pods without one', () => {
    // GIVEN
    const index = new ManifestIndex();
    const everywhere = info('existing', undefined, ['quay.io'], true);
    const written = info('plain', undefined);

    // WHEN
    index.addSecret(everywhere, SecretSource.DECLARED);
    index.addSecret(written);

    // THEN
    expect(index.resolved('existing', 'prod')).toEqual([everywhere]);
    expect(index.resolved('existing', undefined)).toEqual([everywhere]);
    expect(index.resolved('plain', 'prod')).toEqual([]);
    expect(index.resolved('plain', undefined)).toEqual([written]);
  });

  test('a secret copied into other namespaces resolves there too, after those of the pod\'s namespace', () => {
    // GIVEN
    const index = new ManifestIndex();
    const copied = { name: 'regcred', namespace: 'ci', servers: ['ghcr.io'], copiedTo: ['prod', 'dev'] };
    const own = info('regcred', 'prod', ['quay.io']);

    // WHEN
    index.addSecret(copied);
    index.addSecret(own);

    // THEN
    expect(index.resolved('regcred', 'prod')).toEqual([own, copied]);
    expect(index.resolved('regcred', 'ci')).toEqual([copied]);
    expect(index.resolved('regcred', 'test')).toEqual([]);
  });

  test('a secret of another namespace is found for a message: the first written namespace\'s newest, else a declared one', () => {
    // GIVEN
    const index = new ManifestIndex();
    const a1 = info('regcred', 'a');
    const a2 = info('regcred', 'a', ['quay.io']);
    const declared = info('other', 'b');

    // WHEN
    index.addSecret(info('regcred', 'z', ['docker.io']), SecretSource.DECLARED);
    index.addSecret(a1);
    index.addSecret(info('regcred', 'b'));
    index.addSecret(a2);
    index.addSecret(declared, SecretSource.DECLARED);

    // THEN
    expect(index.anyNamespace('regcred')).toBe(a2);
    expect(index.anyNamespace('other')).toBe(declared);
    expect(index.anyNamespace('none')).toBeUndefined();
  });

  test('keeps what a feeder gives beside a secret, without reading it', () => {
    // GIVEN
    const index = new ManifestIndex<{ path: string }>();
    const secret = info('regcred', 'prod');

    // WHEN
    index.addSecret(secret, SecretSource.WRITTEN, { path: 'app/regcred' });
    const manifest = { kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'b' }, stringData: { '.dockerconfigjson': '{"auths":{"quay.io":{}}}' } };
    const read = index.addManifest(manifest, { path: 'app/b' });

    // THEN
    expect(index.origin(secret)).toEqual({ path: 'app/regcred' });
    expect(read).toEqual({ name: 'b', namespace: undefined, servers: ['quay.io'] });
    expect(index.origin(read!)).toEqual({ path: 'app/b' });
  });

  test('records Secrets of other types, the last one of a namespace and name first, for the message that names their type', () => {
    // GIVEN
    const index = new ManifestIndex();

    // WHEN
    index.addManifest({ kind: 'Secret', metadata: { name: 'regcred', namespace: 'prod' } });
    index.addManifest({ kind: 'Secret', type: 'kubernetes.io/basic-auth', metadata: { name: 'regcred', namespace: 'prod' } });

    // THEN
    expect(index.otherType('regcred', 'prod')).toEqual({ namespace: 'prod', type: 'kubernetes.io/basic-auth' });
    expect(index.otherType('regcred', 'dev')).toBeUndefined();
    expect(index.secrets('regcred')).toEqual([]);
  });
});
