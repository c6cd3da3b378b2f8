import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { format } from 'pretty-format';
import * as YAML from 'yaml';
import { CredentialValue, PrivateImagePod, RegistrySecret } from '../src';
import { propertyRuns } from './support/property-runs';
import * as serializer from '../src/testing/snapshot-serializer';

const PASSWORD = 'sentinel-password-123';
const AUTH = Buffer.from(`test-user:${PASSWORD}`).toString('base64');

function chartWithSecrets(app = Testing.app()): Chart {
  const chart = new Chart(app, 'test');
  const secret = new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, server: 'registry.gitlab.com', username: CredentialValue.fromString('test-user'), password: CredentialValue.fromString(PASSWORD), email: CredentialValue.fromString('ci@example.com') });
  secret.addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString('bot'), password: CredentialValue.fromString(PASSWORD) });
  new kplus.DockerConfigSecret(chart, 'plus', { metadata: { name: 'plus' }, data: { auths: { 'quay.io': { username: 'q', password: PASSWORD } } } });
  return chart;
}

function leaks(text: string): string[] {
  const manifests = Testing.synth(chartWithSecrets());
  const encoded = manifests.filter(m => m.data).map(m => m.data['.dockerconfigjson']);
  return [PASSWORD, AUTH, Buffer.from(PASSWORD).toString('base64'), ...encoded].filter(s => text.includes(s));
}

describe('snapshot serializer', () => {
  expect.addSnapshotSerializer(serializer);

  test('shows a dockerconfigjson Secret as servers and usernames, with credentials redacted', () => {
    // GIVEN
    const manifests = Testing.synth(chartWithSecrets());

    // WHEN
    const printed = format(manifests, { plugins: [serializer] });

    // THEN
    expect(leaks(printed)).toEqual([]);
    expect(printed).toContain('"registry.gitlab.com": Object {');
    expect(printed).toContain('"username": "test-user"');
    expect(printed).toContain('"email": "ci@example.com"');
    expect(printed).toContain('"password": "<redacted>"');
    expect(printed).toContain('"auth": "<redacted>"');
    expect(manifests).toMatchSnapshot();
  });

  test('redacts the base64 in synthesized YAML text too', () => {
    // GIVEN
    const app = new App({ outdir: '/nonexistent' });
    chartWithSecrets(app);

    // WHEN
    const yaml = app.synthYaml();
    const printed = format(yaml, { plugins: [serializer] });

    // THEN
    expect(yaml).toContain('.dockerconfigjson: ');
    expect(leaks(printed)).toEqual([]);
    expect(printed).toContain('password: <redacted>');
    expect(printed).toContain('username: test-user');
  });

  test('does not change what synth writes', () => {
    // GIVEN
    const manifests = Testing.synth(chartWithSecrets());

    // WHEN
    format(manifests, { plugins: [serializer] });

    // THEN
    expect(Buffer.from(manifests[0].data['.dockerconfigjson'], 'base64').toString()).toContain(PASSWORD);
  });

  test('leaves other objects alone', () => {
    expect(serializer.test({ kind: 'Secret', type: 'Opaque', data: { a: 'b' } })).toBe(false);
    expect(serializer.test({ kind: 'ConfigMap', data: { '.dockerconfigjson': 'abc' } })).toBe(false);
    expect(serializer.test('plain text')).toBe(false);
  });
});

const b64 = (text: string) => Buffer.from(text).toString('base64');
const print = (value: unknown) => format(value, { plugins: [serializer], escapeString: false });

/** A docker config with one credential, and every form of it that must not be printed. */
interface Planted {
  readonly username: string;
  readonly password: string;
  /** the `.dockerconfigjson` (or `.dockercfg`) text */
  readonly config: string;
  readonly forms: string[];
}

function plant(username: string, password: string, server = 'registry.gitlab.com', legacy = false, indent?: string): Planted {
  const auth = b64(`${username}:${password}`);
  const auths = { [server]: { username, password, auth } };
  const config = JSON.stringify(legacy ? auths : { auths }, null, indent);
  return { username, password, config, forms: [password, b64(password), auth, b64(config)] };
}

function survivors(printed: string, planted: Planted): string[] {
  return planted.forms.filter(form => printed.includes(form));
}

const SECRET = plant('test-user', 'Sentinel-Pa55word-9f3c');

function dockerSecret(planted: Planted, type: string | undefined = 'kubernetes.io/dockerconfigjson', body?: object): any {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, ...type && { type }, ...body ?? { data: { '.dockerconfigjson': b64(planted.config) } } };
}

describe('snapshot serializer: every credential form', () => {
  const wrapped = b64(SECRET.config).replace(/(.{76})/g, '$1\n      ').trimEnd();
  const cases: Array<[string, unknown]> = [
    ['an Opaque Secret carrying .dockerconfigjson', dockerSecret(SECRET, 'Opaque')],
    ['an untyped Secret carrying .dockerconfigjson (kubectl create secret generic --from-file)', dockerSecret(SECRET, undefined)],
    ['an Opaque Secret carrying .dockercfg in stringData', dockerSecret(SECRET, 'Opaque', { stringData: { '.dockercfg': plant('test-user', SECRET.password, 'ghcr.io', true).config } })],
    ['any other data key of a dockerconfigjson Secret', dockerSecret(SECRET, undefined, { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{}'), 'password': b64(SECRET.password) } })],
    ['data that is not an object, in a dockercfg Secret', dockerSecret(SECRET, 'kubernetes.io/dockercfg', { data: b64(SECRET.config) })],
    ['the props of a Secret, without a kind', { type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': SECRET.config } }],
    ['credential props', { server: 'registry.gitlab.com', username: 'test-user', password: SECRET.password }],
    ['a docker config object', JSON.parse(SECRET.config)],
    ['a List, as kubectl get secrets -o yaml prints it', { apiVersion: 'v1', kind: 'List', items: [dockerSecret(SECRET)] }],
    ['kubectl get secrets -o yaml, as text', YAML.stringify({ apiVersion: 'v1', kind: 'List', items: [dockerSecret(SECRET)] })],
    ['a Secret YAML inside a ConfigMap', { kind: 'ConfigMap', data: { 'secret.yaml': YAML.stringify(dockerSecret(SECRET)) } }],
    ['a Secret YAML inside a ConfigMap, as text', YAML.stringify({ kind: 'ConfigMap', data: { 'secret.yaml': YAML.stringify(dockerSecret(SECRET)) } })],
    ['prose', `the pull secret has .dockerconfigjson: ${b64(SECRET.config)} and nothing else`],
    ['prose with the config itself', `we pass ${SECRET.config} to kubectl`],
    ['the value on the next line', `kind: Secret\ndata:\n  .dockerconfigjson:\n    ${b64(SECRET.config)}\n`],
    ['a block scalar of wrapped base64', `kind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: |\n      ${wrapped}\n`],
    ['a stringData block scalar', `kind: Secret\nstringData:\n  .dockerconfigjson: |\n${SECRET.config.replace(/^/gm, '    ')}\n`],
    ['a quoted key', `kind: Secret\ndata:\n  ".dockerconfigjson": "${b64(SECRET.config)}"\n`],
    ['a ? key', `kind: Secret\ndata:\n  ? .dockerconfigjson\n  : ${b64(SECRET.config)}\n`],
    ['an alias', `kind: Secret\nmetadata:\n  annotations:\n    copy: &cfg ${b64(SECRET.config)}\ndata:\n  .dockerconfigjson: *cfg\n`],
    ['YAML that does not parse', `kind: Secret\ndata: [\n  .dockerconfigjson: ${b64(SECRET.config)}\n  other: {"auths": {"r": {"password": "${SECRET.password}"}}}\n`],
    ['a block scalar in YAML that does not parse', `a: [\n.dockerconfigjson: |\n   ${wrapped}\nnext: 1\n`],
    ['JSON text of a Secret', JSON.stringify(dockerSecret(SECRET), null, 2)],
    ['JSON of YAML text (escaped twice)', JSON.stringify(JSON.stringify({ yaml: YAML.stringify(dockerSecret(SECRET, 'Opaque', { stringData: { '.dockerconfigjson': SECRET.config } })) }))],
    ['a cycle', (() => { const list: any = { kind: 'List', items: [dockerSecret(SECRET)] }; list.self = list; return list; })()],
  ];

  test.each(cases)('redacts %s', (_name, value) => {
    // WHEN
    const printed = print(value);

    // THEN
    expect(survivors(printed, SECRET)).toEqual([]);
  });

  test.each([
    ['kubectl get secrets -o yaml', YAML.stringify({ apiVersion: 'v1', kind: 'List', items: [dockerSecret(SECRET)] })],
    ['a Secret YAML inside a ConfigMap', YAML.stringify({ kind: 'ConfigMap', data: { 'secret.yaml': YAML.stringify(dockerSecret(SECRET)) } })],
    ['prose', 'the key is .dockerconfigjson: that is all'],
  ])('prints text that once recursed forever: %s', (_name, text) => {
    // WHEN / THEN
    expect(() => print(text)).not.toThrow();
    expect(print({ text })).toContain('"text":');
  });

  test('shows a docker config in YAML text as its servers and usernames', () => {
    // WHEN
    const printed = print(YAML.stringify({ apiVersion: 'v1', kind: 'List', items: [dockerSecret(SECRET)] }));

    // THEN
    expect(printed).toContain('registry.gitlab.com:');
    expect(printed).toContain('username: test-user');
    expect(printed).toContain('password: <redacted>');
  });

  test('shows a server key without its user name and password', () => {
    // WHEN
    const printed = print(dockerSecret(SECRET, undefined, { stringData: { '.dockerconfigjson': '{"auths":{"https://u5er:s3cr3t@ghcr.io":{"auth":"dTpw"}}}' } }));

    // THEN
    expect(printed).toContain('"https://<redacted>@ghcr.io": Object {');
    expect(printed).not.toMatch(/u5er|s3cr3t/);
  });

  test.each([
    ['a Secret of another type', { kind: 'Secret', type: 'Opaque', data: { a: 'b' } }],
    ['a ConfigMap with a key named like a docker config', { kind: 'ConfigMap', data: { '.dockerconfigjson': 'abc' } }],
    ['plain text', 'plain text'],
    ['the type of a docker config Secret', 'kubernetes.io/dockerconfigjson'],
    ['an image', 'registry.gitlab.com/onurbolatoglu/images:nginx'],
    ['base64 of something else', b64('{"name": "not a credential at all", "value": 12345}')],
    ['a name that looks hashed but is not', { kind: 'Secret', type: 'Opaque', metadata: { name: 'web-bcdfghkmt2' }, data: { a: 'Yg==' } }],
    ['prose about passwords', 'set the password in the vault'],
  ])('leaves %s alone', (_name, value) => {
    // WHEN
    const printed = print(value);

    // THEN
    expect(serializer.test(value)).toBe(false);
    expect(printed).toBe(format(value, { escapeString: false }));
  });
});

describe('snapshot serializer: credential fields as Go reads their names', () => {
  // the member names the kubelet (password, auth) or docker (identitytoken, registrytoken) reads as
  // a credential, written as only Go's encoding/json sees them: JSON escapes, any case, ſ and K
  const spellings = [
    ['an escaped password', 'pass\\u0077ord'],
    ['an escaped auth', '\\u0061uth'],
    ['password with the long s', 'pa\u017f\u017fword'],
    ['AUTH', 'AUTH'],
    ['escapes in upper case', 'PASS\\u0057ORD'],
    ['identitytoken with the Kelvin sign', 'identityto\u212aen'],
    ['an escaped identitytoken', 'identi\\u0074ytoken'],
    ['registrytoken with the Kelvin sign', 'registryto\u212aen'],
  ];
  const password = 'Sentinel-Go-Spelling-5e2a';
  const configOf = (name: string, extra: string) => `{"auths":{"ghcr.io":{"username":"test-user","${name}":"${password}"${extra}}}}`;
  const carriers: Array<[string, (config: string) => unknown]> = [
    ['the JSON text', config => config],
    ['prose', config => `docker login wrote ${config} today`],
    ['the parsed object', config => JSON.parse(config)],
    ['a Secret\'s stringData', config => ({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': config } })],
    ['a Secret\'s data', config => ({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(config) } })],
    ['a ConfigMap', config => ({ kind: 'ConfigMap', data: { 'config.json': config } })],
    ['a ConfigMap as YAML text', config => YAML.stringify({ kind: 'ConfigMap', data: { 'config.json': config } })],
    ['JSON in a JSON string', config => JSON.stringify({ config })],
    ['JSON in a JSON string in a JSON string', config => JSON.stringify(JSON.stringify({ config }))],
    ['base64 in prose', config => `the config is ${b64(config)}`],
  ];
  const cases = spellings.flatMap(([spelling, name]) => carriers.flatMap(([carrier, carry]) =>
    ['', ',"registry":"x"'].map(extra => [spelling, carrier, extra ? 'and a member of its own' : 'alone', carry(configOf(name, extra)), configOf(name, extra)] as const)));

  test.each(cases)('redacts %s in %s, %s in its entry', (_spelling, carrier, _extra, value, config) => {
    // GIVEN a docker config whose credential field is spelled as only Go reads it, in a carrier
    // WHEN it is printed
    const printed = print(value);

    // THEN neither the credential nor the config's base64 is printed; the user name still is,
    // unless it was inside the base64
    expect([password, b64(password), b64(config)].filter(form => printed.includes(form))).toEqual([]);
    expect(printed.includes('test-user')).toBe(!carrier.startsWith('base64'));
  });

  test('shows what Go reads as auths and username, whatever their spelling', () => {
    // GIVEN a Secret whose config names auths and username with the long s and escapes
    const config = `{"auth\u017f":{"ghcr.io":{"u\\u0073ername":"test-user","pa\u017f\u017fword":"${password}"}}}`;

    // WHEN
    const printed = print({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(config) } });

    // THEN the servers and the username are shown, the password redacted
    expect(printed).toContain('"ghcr.io": Object {');
    expect(printed).toContain('"username": "test-user"');
    expect(printed).toContain('"pa\u017f\u017fword": "<redacted>"');
    expect(printed).not.toContain(password);
  });

  test.each([
    ['JSON with an escape in a key that is no credential', '{"caf\\u00e9":"open","n":1}'],
    ['a long s in prose', 'the long \u017f is an old letter'],
  ])('leaves %s alone', (_name, value) => {
    // WHEN / THEN
    expect(serializer.test(value)).toBe(false);
    expect(print(value)).toBe(format(value, { escapeString: false }));
  });
});

describe('snapshot serializer: properties', () => {
  const fragments = fc.constantFrom('.dockerconfigjson', '.dockercfg', ':', ': ', '\n', '\n  ', '|', '>-', '? ', '&a ', '*a', '"', "'", '\\', '{', '}', '[', ']',
    '"auth"', '"password": "', 'auths', 'kind: Secret', 'type: kubernetes.io/dockerconfigjson', 'data:', '---\n', b64(SECRET.config).slice(0, 30), 'eyJhdXRocyI6', '=', '\t', '#', 'Secret', '-bcdfghkmt2');
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.array(fragments, { maxLength: 25 }).map(parts => parts.join('')));
  const anything = fc.anything({
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withBoxedValues: true,
    withTypedArray: true,
    withSparseArray: true,
    withDate: true,
    withBigInt: true,
    withObjectString: true,
    values: [text, fc.constantFrom<unknown>(dockerSecret(SECRET), undefined, null)],
  });

  test('never throws, on any string or object', () => {
    fc.assert(fc.property(fc.oneof(text, anything), (value) => {
      expect(() => serializer.test(value)).not.toThrow();
      expect(typeof print(value)).toBe('string');
      expect(typeof format(value, { plugins: [serializer] })).toBe('string');
    }), { seed: 20261101, numRuns: propertyRuns(1500) });
  });

  test('a planted credential never survives, in any form and any wrapping', () => {
    // GIVEN: a docker config Secret, written in many ways and put somewhere in other values
    const secretForm = fc.record({
      type: fc.constantFrom('kubernetes.io/dockerconfigjson', 'kubernetes.io/dockercfg', 'Opaque', undefined),
      legacy: fc.boolean(),
      stringData: fc.boolean(),
      extraKey: fc.boolean(),
      indent: fc.constantFrom(undefined, '\t', '  '),
    });
    const yamlOptions = fc.record({
      defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
      defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE'),
      lineWidth: fc.constantFrom(0, 20, 80),
    }) as fc.Arbitrary<any>;
    const wrapping = fc.constantFrom('object', 'list', 'yaml', 'yaml-list', 'json', 'json-of-yaml', 'configmap', 'configmap-yaml', 'prose', 'prose-config', 'broken-yaml', 'alias');
    const password = fc.stringMatching(/^[A-Za-z0-9!#$%&*+,.:;=?@^_~-]{12,24}$/).map(p => `Pw${p}`);
    const username = fc.stringMatching(/^user-[a-z]{3,8}$/);
    const server = fc.constantFrom('registry.gitlab.com', 'ghcr.io', 'https://index.docker.io/v1/', 'localhost:5000');

    fc.assert(fc.property(username, password, server, secretForm, wrapping, yamlOptions, fc.anything(), fc.anything(),
      (user, pass, host, form, wrap, options, before, after) => {
        const planted = plant(user, pass, host, form.legacy, form.indent);
        const key = form.legacy ? '.dockercfg' : '.dockerconfigjson';
        const type = form.type === 'kubernetes.io/dockercfg' || form.type === 'kubernetes.io/dockerconfigjson' ? (form.legacy ? 'kubernetes.io/dockercfg' : 'kubernetes.io/dockerconfigjson') : form.type;
        const section = form.stringData ? { stringData: { [key]: planted.config } } : { data: { [key]: b64(planted.config) } };
        const extra = form.extraKey && type?.startsWith('kubernetes.io/') ? { password: b64(pass) } : {};
        const secret = dockerSecret(planted, type, form.stringData ? { ...section, data: extra } : { data: { ...section.data, ...extra } });
        const list = { apiVersion: 'v1', kind: 'List', items: [secret] };
        const yaml = (value: unknown) => YAML.stringify(value, options);
        const carriers: { [wrap: string]: () => unknown } = {
          'object': () => secret,
          'list': () => list,
          'yaml': () => yaml(secret),
          'yaml-list': () => yaml(list),
          'json': () => JSON.stringify(secret, null, 2),
          'json-of-yaml': () => JSON.stringify(yaml(secret)),
          'configmap': () => ({ kind: 'ConfigMap', data: { 'secret.yaml': yaml(secret) } }),
          'configmap-yaml': () => yaml({ kind: 'ConfigMap', data: { 'secret.yaml': yaml(secret) } }),
          'prose': () => `apply this: ${key}: ${b64(planted.config)}`,
          'prose-config': () => `docker login wrote ${planted.config} today`,
          'broken-yaml': () => `oops: [\n${yaml(secret)}`,
          'alias': () => `kind: Secret\nmetadata:\n  labels:\n    x: &c ${b64(planted.config)}\ndata:\n  ${key}: *c\n`,
        };

        // WHEN
        const printed = print({ before, value: carriers[wrap](), after });

        // THEN
        expect(survivors(printed, planted)).toEqual([]);
      }), { seed: 20261101, numRuns: propertyRuns(400) });
  });
});

describe('snapshot serializer: hashed names', () => {
  function hashedChart(password: string): Chart {
    const chart = Testing.chart();
    const regcred = new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, appendHash: true, server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString(password) });
    new PrivateImagePod(chart, 'app', { metadata: { name: 'app' }, registrySecrets: [regcred], containers: [{ image: 'registry.gitlab.com/team/app:v1' }] });
    return chart;
  }

  test('show the hash as <hash> in the Secret and in the pods that name it, so the password does not change the snapshot', () => {
    // GIVEN
    const first = Testing.synth(hashedChart('first-password'));
    const second = Testing.synth(hashedChart('second-password'));

    // WHEN
    const printed = [print(first), print(second)];

    // THEN
    expect(first[0].metadata.name).not.toBe(second[0].metadata.name);
    expect(printed[0]).toBe(printed[1]);
    expect(printed[0].match(/regcred-<hash>/g)).toHaveLength(2);
    expect(printed[0]).not.toContain(first[0].metadata.name);
  });

  test('in YAML text too', () => {
    // GIVEN
    const app = new App({ outdir: '/nonexistent' });
    const chart = new Chart(app, 'test');
    const regcred = new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, appendHash: true, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
    new PrivateImagePod(chart, 'app', { registrySecrets: [regcred], containers: [{ image: 'ghcr.io/org/app:v1' }] });

    // WHEN
    const printed = print(app.synthYaml());

    // THEN
    expect(printed).toContain('name: regcred-<hash>');
    expect(printed).toContain('- name: regcred-<hash>');
    expect(printed).not.toContain(regcred.name);
  });

  test('can be turned off', () => {
    // GIVEN
    const manifests = Testing.synth(hashedChart('first-password'));
    const keepHashes = serializer.snapshotSerializer({ stableHashedNames: false });

    // WHEN
    const printed = format(manifests, { plugins: [keepHashes] });

    // THEN
    expect(printed).toContain(`"name": "${manifests[0].metadata.name}"`);
    expect(printed).not.toContain('<hash>');
    expect(printed).toContain('"password": "<redacted>"');
  });

  test('a name with a hash-like suffix that is not the hash of the content is kept', () => {
    // GIVEN
    const [secret] = Testing.synth(hashedChart('first-password'));
    const renamed = { ...secret, metadata: { name: 'regcred-bcdfghkmt2' } };

    // WHEN
    const printed = print([renamed, 'regcred-bcdfghkmt2']);

    // THEN
    expect(printed).toContain('regcred-bcdfghkmt2');
    expect(printed).not.toContain('<hash>');
  });
});
