// Drives every error path with a sentinel password and asserts that neither it, its base64,
// nor the `auth` value appears in any message, stack, warning, log line or serialized snapshot.
import { Console } from 'console';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inspect } from 'util';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { format } from 'pretty-format';
import {
  CredentialValue, PolicyMode, PrivateImageDeployment, PrivateImagePod, PrivateImagePull, PrivateImageServiceAccount, PrivateRegistryPolicy,
  RegistrySecret,
} from '../src';
import { main } from '../src/cli/check-command';
import { PrivateRegistryValidation } from '../src/cli/validation-plugin';
import { credentialsFromEnvironment, SeedChart } from '../src/main';
import * as serializer from '../src/testing/snapshot-serializer';

const SENTINEL = 'Sentinel-Pa55word-9f3c';
const USER = 'leak-user';
const FORMS = [SENTINEL, Buffer.from(SENTINEL).toString('base64'), Buffer.from(`${USER}:${SENTINEL}`).toString('base64')];

function secret(chart: Chart, props: object = {}) {
  return new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, server: 'registry.gitlab.com', username: CredentialValue.fromString(USER), password: CredentialValue.fromString(SENTINEL), ...props });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leak-'));
const emptyFile = path.join(dir, 'empty');
fs.writeFileSync(emptyFile, '');

const ERROR_PATHS: Array<[string, () => unknown]> = [
  ['empty username', () => secret(Testing.chart(), { username: '' })],
  ['username with a colon', () => secret(Testing.chart(), { username: 'a:b' })],
  ['invalid secret name', () => secret(Testing.chart(), { metadata: { name: 'Bad_Name' } })],
  ['empty server', () => secret(Testing.chart(), { server: '' })],
  ['unusable server', () => secret(Testing.chart(), { server: 'host:port' })],
  ['duplicate server', () => secret(Testing.chart()).addRegistry({ server: 'registry.gitlab.com', username: CredentialValue.fromString(USER), password: CredentialValue.fromString(SENTINEL) })],
  ['malformed docker config', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 's', `{"auths":{"x":{"password":"${SENTINEL}" ]}}`)],
  ['docker config with credsStore', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 's', `{"auths":{"x":{"auth":"${FORMS[2]}"}},"credsStore":"desktop"}`)],
  ['docker config with identitytoken', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 's', `{"auths":{"x":{"identitytoken":"${SENTINEL}"}}}`)],
  ['docker config with a bad auth', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 's', `{"auths":{"x":{"auth":"${SENTINEL}"}}}`)],
  ['docker config entry without user', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 's', `{"auths":{"x":{"password":"${SENTINEL}"}}}`)],
  ['missing docker config file', () => RegistrySecret.fromDockerConfigFile(Testing.chart(), 's', path.join(dir, 'missing.json'))],
  ['missing environment variable', () => {
    process.env.LEAK_TEST_PASSWORD = SENTINEL;
    const chart = Testing.chart();
    new RegistrySecret(chart, 's', {
      username: CredentialValue.fromEnvironment('LEAK_TEST_MISSING_USER'), password: CredentialValue.fromEnvironment('LEAK_TEST_PASSWORD'),
    });
    return Testing.synth(chart);
  }],
  ['empty password file', () => {
    const chart = Testing.chart();
    new RegistrySecret(chart, 's', { username: CredentialValue.fromString(USER), password: CredentialValue.fromFile(emptyFile) });
    return Testing.synth(chart);
  }],
  ['uncovered image', () => {
    const chart = Testing.chart();
    new PrivateImagePod(chart, 'pod', { registrySecrets: [secret(chart)], containers: [{ image: 'ghcr.io/org/app:v1' }] });
    return Testing.synth(chart);
  }],
  ['unparsable image', () => {
    const chart = Testing.chart();
    new PrivateImageDeployment(chart, 'web', { registrySecrets: [secret(chart)], containers: [{ image: 'registry.gitlab.com/Bad_Image:v1' }] });
    return Testing.synth(chart);
  }],
  ['secret in another namespace', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'prod' });
    new PrivateImagePod(chart, 'pod', { registrySecrets: [secret(chart, { metadata: { name: 'regcred', namespace: 'ci' } })], containers: [{ image: 'registry.gitlab.com/a/b:v1' }] });
    return Testing.synth(chart);
  }],
  ['service account in another namespace', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'prod' });
    new PrivateImageServiceAccount(chart, 'sa', { registrySecrets: [secret(chart, { metadata: { name: 'regcred', namespace: 'ci' } })] });
    return Testing.synth(chart);
  }],
  ['policy in verify mode', () => {
    const chart = Testing.chart();
    secret(chart);
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY, disallowLatest: true, requireDigest: true });
    new PrivateImagePod(chart, 'pod', { registrySecrets: [RegistrySecret.fromSecretName(chart, 'ref', 'regcred', { servers: ['ghcr.io'] })], containers: [{ image: 'registry.gitlab.com/a/b' }] });
    return Testing.synth(chart);
  }],
  ['seed app with credentials for another registry', () => Testing.synth(new SeedChart(Testing.app(), 'seed', { credentials: { server: 'ghcr.io', username: CredentialValue.fromString(USER), password: CredentialValue.fromString(SENTINEL) } }))],
  ['seed app with a partial environment', () => credentialsFromEnvironment({ REGISTRY_PASSWORD: SENTINEL })],
  // JavaScript callers: a credential of the wrong type is named by its type, never shown
  ['password given as an object', () => new RegistrySecret(Testing.chart(), 's', { username: USER, password: { token: SENTINEL } } as any)],
  ['password given as an array', () => new RegistrySecret(Testing.chart(), 's', { username: USER, password: [SENTINEL] } as any)],
  ['username given as an object', () => new RegistrySecret(Testing.chart(), 's', { username: { SENTINEL }, password: SENTINEL } as any)],
  ['addRegistry with a password object', () => secret(Testing.chart()).addRegistry({ server: 'ghcr.io', username: USER, password: { SENTINEL } } as any)],
  ['CredentialValue.fromString of an object', () => CredentialValue.fromString({ SENTINEL } as any)],
  ['a password where a secret is expected', () => new PrivateImagePod(Testing.chart(), 'pod', { registrySecrets: [SENTINEL], containers: [{ image: 'a.io/b:v1' }] } as any)],
  ['fromDockerConfigJson given an object', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 's', { auths: { x: { password: SENTINEL } } } as any)],
];

/** every way a test or a user prints an object */
const PRINTERS: Array<[string, (value: unknown) => string]> = [
  ['util.inspect', value => inspect(value)],
  ['util.inspect at any depth, hidden fields and getters', value => inspect(value, { depth: Infinity, showHidden: true, getters: true })],
  ['console.log', value => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => { lines.push(String(chunk)); return true; });
    try {
      new Console(process.stdout).log(value);
    } finally {
      spy.mockRestore();
    }
    return lines.join('');
  }],
  ['JSON.stringify', value => { try { return JSON.stringify(value) ?? ''; } catch (e: any) { return e.message; } }],
  ['a jest snapshot', value => format(value, { plugins: [serializer] })],
  ['a jest snapshot without the serializer', value => format(value)],
  ['a jest failure diff', value => { try { expect(value).toEqual({ anything: 'else' }); return ''; } catch (e: any) { return e.message; } }],
];

describe('no credential leaks', () => {
  const output: string[] = [];

  beforeEach(() => {
    for (const method of ['log', 'warn', 'error', 'info', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => { output.push(args.map(String).join(' ')); });
    }
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => { output.push(String(chunk)); return true; });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    delete process.env.LEAK_TEST_PASSWORD;
  });

  test.each(ERROR_PATHS)('%s: refused, and the message, stack and logs hold no credential', (_name, run) => {
    // GIVEN
    output.length = 0;

    // WHEN
    let error: any;
    try { run(); } catch (e) { error = e; }

    // THEN
    expect(error).toBeInstanceOf(Error);
    const text = [error.message, error.stack, ...output].join('\n');
    for (const form of FORMS) {
      expect(text).not.toContain(form);
    }
  });

  test('a snapshot written through the serializer holds no credential', () => {
    // GIVEN
    const chart = Testing.chart();
    secret(chart).addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString(USER), password: CredentialValue.fromString(SENTINEL) });

    // WHEN
    const printed = format(Testing.synth(chart), { plugins: [serializer] });

    // THEN
    expect(printed).toContain(USER);
    for (const form of FORMS) {
      expect(printed).not.toContain(form);
    }
  });
});

describe('no credential in any printout', () => {
  function app() {
    const root = Testing.app();
    const chart = new Chart(root, 'chart');
    const regcred = secret(chart, { appendHash: true });
    regcred.addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString(USER), password: CredentialValue.fromString(SENTINEL) });
    const fromConfig = RegistrySecret.fromDockerConfigJson(chart, 'config', JSON.stringify({ auths: { 'quay.io': { auth: FORMS[2] } } }));
    const pod = new PrivateImagePod(chart, 'pod', { registrySecrets: [regcred, fromConfig], containers: [{ image: 'registry.gitlab.com/a/b:v1' }, { image: 'quay.io/a/b:v1' }] });
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [regcred] });
    Testing.synth(chart);
    return { root, chart, regcred, fromConfig, pod, credential: CredentialValue.fromString(SENTINEL) };
  }
  const objects = app();

  test.each(PRINTERS.flatMap(([printer, print]) => Object.entries(objects).map(([name, value]) => [printer, name, print, value] as const)))(
    '%s of the %s shows no credential', (_printer, _name, print, value) => {
      // WHEN
      const printed = print(value);

      // THEN
      expect(printed.length).toBeGreaterThan(0);
      for (const form of FORMS) {
        expect(printed).not.toContain(form);
      }
    });

  test('a printed secret still tells which one it is', () => {
    expect(inspect(objects.regcred)).toBe('RegistrySecret(chart/regcred, servers: registry.gitlab.com, ghcr.io)');
    expect(JSON.stringify(objects.credential)).toBe('{"source":"a literal value"}');
  });
});

describe('no credential behind a getter, a hidden field or a toJSON', () => {
  /** inspect as a debugger or a test helper would: no custom inspect, every getter called, hidden fields shown */
  const RAW = { customInspect: false, getters: true, showHidden: true, depth: Infinity } as const;
  const configFile = path.join(dir, 'config.json');
  const passwordFile = path.join(dir, 'password');

  /** one RegistrySecret from each way a credential can reach one */
  const FACTORIES: Array<[string, (chart: Chart) => RegistrySecret]> = [
    ['the constructor, with CredentialValue.fromString', chart => secret(chart, { server: 'ghcr.io' })],
    ['the constructor, with JavaScript strings', chart => new RegistrySecret(chart, 'js', { server: 'ghcr.io', username: USER, password: SENTINEL, email: SENTINEL } as any)],
    ['the constructor, with CredentialValue.fromEnvironment', chart => new RegistrySecret(chart, 'env', {
      server: 'ghcr.io', username: CredentialValue.fromString(USER), password: CredentialValue.fromEnvironment('LEAK_TEST_PASSWORD'),
    })],
    ['the constructor, with CredentialValue.fromFile', chart => new RegistrySecret(chart, 'file', {
      server: 'ghcr.io', username: CredentialValue.fromString(USER), password: CredentialValue.fromFile(passwordFile),
    })],
    ['the constructor, with CredentialValue.fromString and a generated name', chart => new RegistrySecret(chart, 'values', {
      server: 'ghcr.io', username: CredentialValue.fromString(USER), password: CredentialValue.fromString(SENTINEL),
    })],
    ['addRegistry', chart => {
      const s = new RegistrySecret(chart, 'added', { server: 'quay.io', username: CredentialValue.fromString('other'), password: CredentialValue.fromString('other') });
      s.addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString(USER), password: CredentialValue.fromString(SENTINEL) });
      return s;
    }],
    ['fromDockerConfigJson, with an auth field', chart => RegistrySecret.fromDockerConfigJson(chart, 'auth', JSON.stringify({ auths: { 'ghcr.io': { auth: FORMS[2] } } }))],
    ['fromDockerConfigJson, with username and password', chart => RegistrySecret.fromDockerConfigJson(chart, 'json', JSON.stringify({ auths: { 'ghcr.io': { username: USER, password: SENTINEL } } }))],
    ['fromDockerConfigFile', chart => RegistrySecret.fromDockerConfigFile(chart, 'config', configFile, { appendHash: true })],
  ];

  beforeAll(() => {
    fs.writeFileSync(configFile, JSON.stringify({ auths: { 'ghcr.io': { username: USER, password: SENTINEL, auth: FORMS[2] } } }));
    fs.writeFileSync(passwordFile, `${SENTINEL}\n`);
  });

  beforeEach(() => {
    process.env.LEAK_TEST_PASSWORD = SENTINEL;
  });

  afterEach(() => {
    delete process.env.LEAK_TEST_PASSWORD;
  });

  test.each(FACTORIES)('GIVEN a secret made by %s, used by a pod, a mixin and a policy, WHEN every construct is inspected raw, before and after synth, THEN no password, token or auth appears', (_name, make) => {
    // GIVEN
    const app = Testing.app();
    const chart = new Chart(app, 'chart');
    const regcred = make(chart);
    new PrivateImagePod(chart, 'pod', { registrySecrets: [regcred], containers: [{ image: 'ghcr.io/a/b:v1' }] });
    const pull = new PrivateImagePull({ registrySecrets: [regcred] });
    new kplus.Deployment(chart, 'web', { containers: [{ image: 'ghcr.io/a/web:v1' }] }).with(pull);
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [regcred] });
    const printouts = () => [
      // every construct is reachable from the app, and printed with it; the mixin is not: its own fields
      // and the secret's are printed (deeper, it reaches the app again, through getters that make new objects)
      inspect(app, RAW), inspect(pull, { ...RAW, depth: 3 }),
      JSON.stringify(regcred), JSON.stringify(pull),
    ];

    // WHEN
    const before = printouts();
    const manifests = Testing.synth(chart);
    const after = printouts();

    // THEN: the synth wrote the credential, and no printout holds it
    const configs = manifests.filter(m => m.kind === 'Secret').map(m => Buffer.from(m.data['.dockerconfigjson'], 'base64').toString('utf8'));
    expect(FORMS.some(form => configs.join('').includes(form))).toBe(true);
    expect(before.join('').length).toBeGreaterThan(0);
    for (const printed of [...before, ...after]) {
      for (const form of FORMS) {
        expect(printed).not.toContain(form);
      }
    }
  });

  test.each(['entries', 'entries.ghcr.io', 'content', 'credentials', 'configText'])(
    'GIVEN a secret from a docker config, WHEN a jest toHaveProperty(%j) fails on it, THEN the failure shows no credential', (property) => {
      // GIVEN
      const regcred = RegistrySecret.fromDockerConfigJson(Testing.chart(), 'config', JSON.stringify({ auths: { 'ghcr.io': { username: USER, password: SENTINEL } } }));

      // WHEN
      let message = '';
      try {
        expect(regcred).toHaveProperty(`${property}.x`);
      } catch (e: any) {
        message = e.message;
      }

      // THEN
      expect(message).toContain('toHaveProperty');
      for (const form of FORMS) {
        expect(message).not.toContain(form);
      }
    });

  test('GIVEN a CredentialValue from each source, WHEN it is inspected raw and read, THEN only the read shows the value', () => {
    // GIVEN
    const values = [CredentialValue.fromString(SENTINEL), CredentialValue.fromEnvironment('LEAK_TEST_PASSWORD'), CredentialValue.fromFile(passwordFile)];

    // WHEN
    const printed = values.map(v => inspect(v, RAW) + JSON.stringify(v)).join('\n');

    // THEN
    expect(values.map(v => v.resolve())).toEqual([SENTINEL, SENTINEL, SENTINEL]);
    for (const form of FORMS) {
      expect(printed).not.toContain(form);
    }
  });

  test('GIVEN a RegistrySecret, WHEN its own and prototype properties are listed, THEN none holds the credentials', () => {
    // GIVEN
    const regcred = RegistrySecret.fromDockerConfigJson(Testing.chart(), 'config', JSON.stringify({ auths: { 'ghcr.io': { username: USER, password: SENTINEL } } }));

    // WHEN: every property name, own or inherited, read through its getter if it has one
    const names = new Set<string | symbol>();
    for (let o: any = regcred; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      Reflect.ownKeys(o).forEach(k => names.add(k));
    }
    const values = [...names].map(name => { try { return inspect((regcred as any)[name], RAW); } catch (e: any) { return String(e.message); } });

    // THEN
    expect(names.has('entries')).toBe(false);
    for (const form of FORMS) {
      expect(values.join('\n')).not.toContain(form);
    }
  });
});

describe('no credential leaks from the check command and the validation plugin', () => {
  const secretYaml = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: regcred, namespace: ci}',
    'type: kubernetes.io/dockerconfigjson',
    'data:',
    `  .dockerconfigjson: ${Buffer.from(JSON.stringify({ auths: { 'ghcr.io': { username: USER, password: SENTINEL, auth: FORMS[2] } } })).toString('base64')}`,
  ].join('\n');
  const podYaml = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: app, namespace: prod}',
    'spec:',
    '  imagePullSecrets: [{name: regcred}]',
    '  containers: [{name: a, image: "registry.gitlab.com/a/b:latest"}]',
  ].join('\n');
  const files: Array<[string, string]> = [
    ['violations next to a secret', `${secretYaml}\n---\n${podYaml}\n`],
    ['malformed YAML around a password', `${secretYaml}\n---\npassword: "${SENTINEL}\n  - [${SENTINEL}: {\n`],
    ['an alias to an undefined anchor', `apiVersion: v1\nkind: Secret\nmetadata: {name: x}\nstringData:\n  password: *${SENTINEL}\n`],
    ['imagePullSecrets of the wrong shape', `${secretYaml}\n---\n${podYaml.replace('[{name: regcred}]', `[null, ${SENTINEL}]`)}\n`],
    ['a stringData secret that is not JSON', `apiVersion: v1\nkind: Secret\nmetadata: {name: regcred, namespace: prod}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: "{${SENTINEL}"\n---\n${podYaml}\n`],
  ];

  test.each(files)('check command: %s', async (_name, yaml) => {
    // GIVEN
    const file = path.join(dir, 'manifests.yaml');
    fs.writeFileSync(file, yaml);
    const output: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => { output.push(String(chunk)); return true; });
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => { output.push(String(chunk)); return true; });

    // WHEN
    const codes: number[] = [];
    try {
      for (const outputFormat of ['text', 'json']) {
        codes.push(await main(['--format', outputFormat, '--disallow-latest', file]));
      }
    } finally {
      jest.restoreAllMocks();
    }

    // THEN
    expect(codes.every(code => code === 1 || code === 2)).toBe(true);
    const text = output.join('');
    expect(text.length).toBeGreaterThan(0);
    for (const form of FORMS) {
      expect(text).not.toContain(form);
    }
  });

  test.each(files)('validation plugin: %s', async (_name, yaml) => {
    // GIVEN
    const file = path.join(dir, 'plugin.k8s.yaml');
    fs.writeFileSync(file, yaml);
    const output: string[] = [];
    const context = {
      manifests: [file],
      report: {
        addViolation: (v: unknown) => output.push(JSON.stringify(v)),
        submit: (status: string, extra?: unknown) => output.push(status, JSON.stringify(extra ?? {})),
      },
      logger: { log: (m: string) => output.push(m) },
    };

    // WHEN
    await new PrivateRegistryValidation({ disallowLatest: true }).validate(context as any);

    // THEN
    expect(output).toContain('failure');
    for (const form of FORMS) {
      expect(output.join('\n')).not.toContain(form);
    }
  });
});
