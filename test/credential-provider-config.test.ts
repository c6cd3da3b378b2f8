import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CredentialProviderConfigError, parseCredentialProviderConfig, parseGoDuration, providerMatches, readCredentialProviderConfigFile,
} from '../src/rules/credential-provider-config';
import { urlsMatchStr } from '../src/rules/kubelet-keyring';

/*
 * Vectors taken from kubernetes pkg/credentialprovider/plugin/config_test.go
 * (Test_readCredentialProviderConfig, Test_validateCredentialProviderConfig; kubernetes/kubernetes@16cef008)
 * and plugin_test.go (Test_ProvideWithCoordinates; @030880a5), and the matchImages that the cloud
 * providers publish.
 */

const V1 = 'credentialprovider.kubelet.k8s.io/v1';
const V1ALPHA1 = 'credentialprovider.kubelet.k8s.io/v1alpha1';

/** one provider in a v1 config, with `fields` replacing or adding to a valid one */
function config(fields: string, configVersion = 'v1'): string {
  return `kind: CredentialProviderConfig
apiVersion: kubelet.config.k8s.io/${configVersion}
providers:
  - name: foobar
    matchImages: ["foobar.registry.io"]
    defaultCacheDuration: 1m
    apiVersion: ${V1ALPHA1}
${fields.split('\n').map(l => `    ${l}`).join('\n')}
`;
}

function reasons(text: string): readonly string[] {
  try {
    parseCredentialProviderConfig(text, 'config.yaml');
  } catch (e) {
    if (e instanceof CredentialProviderConfigError) {
      return e.reasons;
    }
    throw e;
  }
  throw new Error('expected the config to be refused');
}

describe('parseCredentialProviderConfig: upstream Test_readCredentialProviderConfig', () => {
  test('config with 1 plugin and 1 image matcher, in YAML and in JSON', () => {
    // GIVEN
    const yaml = `---
kind: CredentialProviderConfig
apiVersion: kubelet.config.k8s.io/v1alpha1
providers:
  - name: test
    matchImages:
    - "registry.io/foobar"
    defaultCacheDuration: 10m
    apiVersion: credentialprovider.kubelet.k8s.io/v1alpha1
    args:
    - --v=5
    env:
    - name: FOO
      value: BAR`;
    const json = `{
      "kind": "CredentialProviderConfig",
      "apiVersion": "kubelet.config.k8s.io/v1alpha1",
      "providers": [{"name": "test", "matchImages": ["registry.io/foobar"], "defaultCacheDuration": "10m",
        "apiVersion": "credentialprovider.kubelet.k8s.io/v1alpha1", "args": ["--v=5"], "env": [{"name": "FOO", "value": "BAR"}]}]
    }`;

    // WHEN
    const fromYaml = parseCredentialProviderConfig(yaml, 'config.yaml');
    const fromJson = parseCredentialProviderConfig(json, 'config.json');

    // THEN
    const expected = [{
      name: 'test',
      matchImages: ['registry.io/foobar'],
      defaultCacheDuration: 600_000,
      apiVersion: V1ALPHA1,
      args: ['--v=5'],
      env: [{ name: 'FOO', value: 'BAR' }],
    }];
    expect(fromYaml).toEqual(expected);
    expect(fromJson).toEqual(expected);
  });

  test.each(['v1', 'v1beta1', 'v1alpha1'])('%s config with multiple providers keeps their order', version => {
    // GIVEN
    const text = `kind: CredentialProviderConfig
apiVersion: kubelet.config.k8s.io/${version}
providers:
  - name: test1
    matchImages: ["registry.io/one"]
    defaultCacheDuration: 10m
    apiVersion: credentialprovider.kubelet.k8s.io/${version}
  - name: test2
    matchImages: ["registry.io/two"]
    defaultCacheDuration: 10m
    apiVersion: credentialprovider.kubelet.k8s.io/${version}
    args: [--v=5]`;

    // WHEN
    const providers = parseCredentialProviderConfig(text, 'config.yaml');

    // THEN
    expect(providers.map(p => p.name)).toEqual(['test1', 'test2']);
    expect(providers[1].args).toEqual(['--v=5']);
  });

  test('config with wrong Kind', () => {
    expect(reasons(config('').replace('kind: CredentialProviderConfig', 'kind: WrongKind')))
      .toEqual([expect.stringContaining('no kind "WrongKind" is registered for version "kubelet.config.k8s.io/v1"')]);
  });

  test('config with wrong apiversion', () => {
    expect(reasons(config('').replace('kubelet.config.k8s.io/v1', 'foobar/v1alpha1')))
      .toEqual([expect.stringContaining('no kind "CredentialProviderConfig" is registered for version "foobar/v1alpha1"')]);
  });

  test('config with invalid typo', () => {
    expect(reasons(config('unknownField: should not be here'))).toEqual(['strict decoding error: unknown field "providers[0].unknownField"']);
  });

  test.each(['v1alpha1', 'v1beta1'])('%s config with token attributes should fail', version => {
    expect(reasons(config('tokenAttributes:\n  serviceAccountTokenAudience: audience', version)))
      .toEqual(['strict decoding error: unknown field "providers[0].tokenAttributes"']);
  });

  test('a JSON config with a trailing comma, as in the ECR docs, is refused by the JSON decoder', () => {
    // GIVEN: cloud-provider-aws docs/credential_provider.md (v1.36.1) example, with kind and apiVersion
    const text = `{"kind": "CredentialProviderConfig", "apiVersion": "kubelet.config.k8s.io/v1", "providers": [
      {"name": "ecr-credential-provider", "matchImages": ["*.dkr.ecr.*.amazonaws.com", "*.dkr.ecr.*.amazonaws.com.cn",],
       "apiVersion": "credentialprovider.kubelet.k8s.io/v1", "defaultCacheDuration": "0"}]}`;

    // WHEN / THEN
    expect(reasons(text)).toEqual([expect.stringMatching(/^not valid JSON at line 2, column \d+/)]);
  });

  test('a config without kind is refused', () => {
    expect(reasons('providers: []')).toEqual([expect.stringContaining('Object \'Kind\' is missing')]);
  });
});

describe('parseCredentialProviderConfig: upstream Test_validateCredentialProviderConfig', () => {
  const vectors: Array<[string, string, string]> = [
    ['no matchImages provided', 'matchImages: []', 'providers.matchImages: Required value: at least 1 item in matchImages is required'],
    ['name contains \'/\'', 'name: foo/../bar', 'providers.name: Invalid value: "foo/../bar": provider name cannot contain \'/\''],
    ['name is \'.\'', 'name: "."', 'providers.name: Invalid value: ".": provider name cannot be \'.\''],
    ['name is \'..\'', 'name: ".."', 'providers.name: Invalid value: "..": provider name cannot be \'..\''],
    ['name contains spaces', 'name: foo bar', 'providers.name: Invalid value: "foo bar": provider name cannot contain spaces'],
    ['no apiVersion', 'apiVersion: ""', 'providers.apiVersion: Required value'],
    ['invalid apiVersion', 'apiVersion: credentialprovider.kubelet.k8s.io/v1alpha0',
      'providers.apiVersion: Unsupported value: "credentialprovider.kubelet.k8s.io/v1alpha0": supported values: '
      + '"credentialprovider.kubelet.k8s.io/v1", "credentialprovider.kubelet.k8s.io/v1alpha1", "credentialprovider.kubelet.k8s.io/v1beta1"'],
    ['negative default cache duration', 'defaultCacheDuration: -1m',
      'providers.defaultCacheDuration: Invalid value: defaultCacheDuration must be greater than or equal to 0'],
    ['invalid match image', 'matchImages: ["%invalid%"]',
      'providers.matchImages: Invalid value: "%invalid%": match image is invalid: Go\'s url.Parse refuses "https://%invalid%"'],
    ['no default cache duration provided', 'defaultCacheDuration: null', 'providers.defaultCacheDuration: Required value'],
  ];

  test.each(vectors)('%s', (_name, fields, reason) => {
    // GIVEN: the valid provider with one field replaced (YAML keeps the last of two equal keys)
    const text = config(fields);

    // WHEN / THEN
    expect(reasons(text)).toEqual([reason]);
  });

  test('no providers provided', () => {
    expect(reasons('kind: CredentialProviderConfig\napiVersion: kubelet.config.k8s.io/v1\n'))
      .toEqual(['providers: Required value: at least 1 item in plugins is required']);
  });

  test('duplicate names', () => {
    // GIVEN
    const text = `${config('')}  - name: foobar
    matchImages: ["bar.registry.io"]
    defaultCacheDuration: 1m
    apiVersion: ${V1ALPHA1}
`;

    // WHEN / THEN
    expect(reasons(text)).toEqual(['providers.name: Duplicate value: "foobar"']);
  });

  test('valid config', () => {
    expect(parseCredentialProviderConfig(config(''), 'config.yaml')[0]).toMatchObject({ name: 'foobar', defaultCacheDuration: 60_000 });
  });

  test('token attributes not nil but empty ServiceAccountTokenAudience', () => {
    expect(reasons(config(`apiVersion: ${V1}\ntokenAttributes:\n  requireServiceAccount: true\n  cacheType: Token`)))
      .toEqual(['providers.tokenAttributes.serviceAccountTokenAudience: Required value']);
  });

  test('token attributes not nil but empty ServiceAccountTokenRequired', () => {
    expect(reasons(config(`apiVersion: ${V1}\ntokenAttributes:\n  serviceAccountTokenAudience: audience\n  cacheType: Token`)))
      .toEqual(['providers.tokenAttributes.requireServiceAccount: Required value']);
  });

  test('required service account annotation keys not qualified name', () => {
    expect(reasons(config(`apiVersion: ${V1}\ntokenAttributes:\n  serviceAccountTokenAudience: audience\n  requireServiceAccount: true\n`
      + '  cacheType: Token\n  requiredServiceAccountAnnotationKeys: ["cantendwithadash-", "now-with-dashes/simple"]')))
      .toEqual([expect.stringMatching(/^providers.tokenAttributes.requiredServiceAccountAnnotationKeys: Invalid value: "cantendwithadash-"/)]);
  });

  test('a valid v1 provider with tokenAttributes keeps its audience', () => {
    // GIVEN
    const text = config(`apiVersion: ${V1}\ntokenAttributes:\n  serviceAccountTokenAudience: my-audience\n  requireServiceAccount: true\n  cacheType: Token`);

    // WHEN
    const [provider] = parseCredentialProviderConfig(text, 'config.yaml');

    // THEN
    expect(provider.serviceAccountTokenAudience).toBe('my-audience');
  });

  test('an unquoted number as defaultCacheDuration is refused: metav1.Duration decodes a string', () => {
    expect(reasons(config('defaultCacheDuration: 0'))).toEqual([expect.stringContaining('providers[0].defaultCacheDuration: expected a duration string')]);
  });
});

describe('parseGoDuration: time.ParseDuration', () => {
  test.each<[string, number | undefined]>([
    ['0', 0], ['10m', 600_000], ['1h30m', 5_400_000], ['1.5s', 1500], ['-1m', -60_000], ['300ms', 300], ['+5s', 5000],
    ['', undefined], ['10', undefined], ['1d', undefined], ['.s', undefined], ['1m ', undefined],
  ])('%j is %j ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});

describe('providerMatches: matchImages as plugin.go isImageAllowed matches them', () => {
  // upstream Test_ProvideWithCoordinates: [matchImages, image]; each is allowed
  const allowed: Array<[string, string]> = [
    ['test.registry.io', 'test.registry.io/foo/bar'],
    ['test.registry.io/foo/bar', 'test.registry.io/foo/bar'],
    ['test.registry.io', 'test.registry.io'],
    ['*.registry.io:8080', 'test.registry.io:8080/foo'],
    ['*.*.registry.io', 'foo.bar.registry.io/foo/bar'],
    ['*.registry.io', 'test.registry.io'],
  ];
  test.each(allowed)('%s allows %s', (glob, image) => {
    expect(providerMatches({ matchImages: [glob] }, image)).toBe(true);
  });

  // keyring_test.go TestURLsMatch, which isImageAllowed relies on through URLsMatchStr
  const denied: Array<[string, string]> = [
    ['*.kubernetes.io', 'kubernetes.io'],
    ['*.*.kubernetes.io', 'prefix.kubernetes.io'],
    ['k*.io', 'quay.io'],
    ['*.kubernetes.io:1234/blah', 'prefix.kubernetes.io:1111/blah'],
    ['prefix.*.io/foo', 'prefix.kubernetes.io:1111/foo/bar'],
    ['registry.io/foo', 'registry.io/bar'],
  ];
  test.each(denied)('%s does not allow %s', (glob, image) => {
    expect(providerMatches({ matchImages: [glob] }, image)).toBe(false);
  });

  test('a matchImages entry is parsed as it is: a scheme or /v2/ is not cut as for a pull-secret key', () => {
    // GIVEN: "https://registry.io" parses as host "https:" with a path; the keyring would cut it
    // WHEN / THEN
    expect(urlsMatchStr('https://registry.io', 'registry.io/app')).toBe(false);
    expect(urlsMatchStr('registry.io/v2/', 'registry.io/app')).toBe(false);
  });

  test('a malformed glob matches nothing (filepath.Match ErrBadPattern)', () => {
    expect(urlsMatchStr('[a-.registry.io', 'a.registry.io/app')).toBe(false);
  });
});

describe('readCredentialProviderConfigFile: upstream Test_readCredentialProviderConfig, directories', () => {
  const V1_PROVIDER = (name: string, cache = '10m') => `---
kind: CredentialProviderConfig
apiVersion: kubelet.config.k8s.io/v1
providers:
  - name: ${name}
    matchImages:
    - "registry.io/${name}"
    defaultCacheDuration: ${cache}
    apiVersion: credentialprovider.kubelet.k8s.io/v1`;

  /** a directory holding these files */
  function dir(files: { [name: string]: string }): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'provider-config-'));
    for (const [name, text] of Object.entries(files)) {
      fs.writeFileSync(path.join(d, name), text);
    }
    return d;
  }

  function read(d: string) {
    return readCredentialProviderConfigFile(d, '--image-credential-provider-config');
  }

  test('empty directory with no JSON or YAML files', () => {
    expect(() => read(dir({}))).toThrow(/no configuration files found in directory/);
  });

  test('directory with unsupported file extensions', () => {
    expect(() => read(dir({ 'config.txt': 'text', 'config.md': 'text' }))).toThrow(/no configuration files found in directory/);
  });

  test('directory with multiple config files in lexicographic order', () => {
    // GIVEN: written in the other order
    const d = dir({ 'config-001.yaml': V1_PROVIDER('test2', '5m'), 'config-000.yaml': V1_PROVIDER('test1') });

    // WHEN
    const providers = read(d);

    // THEN
    expect(providers.map(p => [p.name, p.defaultCacheDuration])).toEqual([['test1', 600_000], ['test2', 300_000]]);
  });

  test('directory with mixed API versions in config files', () => {
    // GIVEN
    const d = dir({
      'config-000.yaml': V1_PROVIDER('test-beta').replace(/\/v1$/gm, '/v1beta1'),
      'config-001.yaml': V1_PROVIDER('test-v1'),
      'config-002.yaml': '{"kind": "CredentialProviderConfig", "apiVersion": "kubelet.config.k8s.io/v1", "providers": [{"name": "test-v2", '
        + '"matchImages": ["v2.registry.io/*"], "defaultCacheDuration": "20m", "apiVersion": "credentialprovider.kubelet.k8s.io/v1"}]}',
    });

    // WHEN / THEN
    expect(read(d).map(p => [p.name, p.apiVersion])).toEqual([
      ['test-beta', 'credentialprovider.kubelet.k8s.io/v1beta1'], ['test-v1', 'credentialprovider.kubelet.k8s.io/v1'], ['test-v2', 'credentialprovider.kubelet.k8s.io/v1'],
    ]);
  });

  test('directory with duplicate provider names, throw error', () => {
    expect(() => read(dir({ 'a.yaml': V1_PROVIDER('duplicate'), 'b.yaml': V1_PROVIDER('duplicate', '5m') })))
      .toThrow(/duplicate provider name "duplicate" found in configuration file\(s\)/);
  });

  test('directory with mixed supported and unsupported file extensions', () => {
    expect(read(dir({ 'config-001.yaml': V1_PROVIDER('test1'), 'config-002.txt': 'skipped', 'config-003.json': V1_PROVIDER('test2') })).map(p => p.name))
      .toEqual(['test1', 'test2']);
  });

  test('directory with one invalid config file', () => {
    expect(() => read(dir({ 'config-000.yaml': V1_PROVIDER('test1'), 'config-001.yaml': V1_PROVIDER('test2').replace('kind: CredentialProviderConfig', 'kind: WrongKind') })))
      .toThrow(/config-001\.yaml": the kubelet refuses this CredentialProviderConfig: no kind "WrongKind" is registered for version "kubelet.config.k8s.io\/v1"/);
  });
});
