// Drives every error path with a sentinel password and asserts that neither it, its base64,
// nor the `auth` value appears in any message, stack, warning, log line or serialized snapshot.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { format } from 'pretty-format';
import {
  CredentialValue, PolicyMode, PrivateImageDeployment, PrivateImagePod, PrivateImageServiceAccount, PrivateRegistryPolicy, RegistrySecret,
} from '../src';
import { credentialsFromEnvironment, SeedChart } from '../src/main';
import * as serializer from '../src/snapshot-serializer';

const SENTINEL = 'Sentinel-Pa55word-9f3c';
const USER = 'leak-user';
const FORMS = [SENTINEL, Buffer.from(SENTINEL).toString('base64'), Buffer.from(`${USER}:${SENTINEL}`).toString('base64')];

function secret(chart: Chart, props: object = {}) {
  return new RegistrySecret(chart, 'secret', { metadata: { name: 'regcred' }, server: 'registry.gitlab.com', username: USER, password: SENTINEL, ...props });
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
  ['duplicate server', () => secret(Testing.chart()).addRegistry({ server: 'registry.gitlab.com', username: USER, password: SENTINEL })],
  ['malformed docker config', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 's', `{"auths":{"x":{"password":"${SENTINEL}" ]}}`)],
  ['docker config with credsStore', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 's', `{"auths":{"x":{"auth":"${FORMS[2]}"}},"credsStore":"desktop"}`)],
  ['docker config with identitytoken', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 's', `{"auths":{"x":{"identitytoken":"${SENTINEL}"}}}`)],
  ['docker config with a bad auth', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 's', `{"auths":{"x":{"auth":"${SENTINEL}"}}}`)],
  ['docker config entry without user', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 's', `{"auths":{"x":{"password":"${SENTINEL}"}}}`)],
  ['missing docker config file', () => RegistrySecret.fromDockerConfigFile(Testing.chart(), 's', path.join(dir, 'missing.json'))],
  ['missing environment variable', () => {
    process.env.LEAK_TEST_PASSWORD = SENTINEL;
    return RegistrySecret.fromCredentialValues(Testing.chart(), 's', {
      username: CredentialValue.fromEnvironment('LEAK_TEST_MISSING_USER'), password: CredentialValue.fromEnvironment('LEAK_TEST_PASSWORD'),
    });
  }],
  ['empty password file', () => RegistrySecret.fromCredentialValues(Testing.chart(), 's', {
    username: CredentialValue.fromString(USER), password: CredentialValue.fromFile(emptyFile),
  })],
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
  ['seed app with credentials for another registry', () => Testing.synth(new SeedChart(Testing.app(), 'seed', { credentials: { server: 'ghcr.io', username: USER, password: SENTINEL } }))],
  ['seed app with a partial environment', () => credentialsFromEnvironment({ REGISTRY_PASSWORD: SENTINEL })],
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
    secret(chart).addRegistry({ server: 'ghcr.io', username: USER, password: SENTINEL });

    // WHEN
    const printed = format(Testing.synth(chart), { plugins: [serializer] });

    // THEN
    expect(printed).toContain(USER);
    for (const form of FORMS) {
      expect(printed).not.toContain(form);
    }
  });
});
