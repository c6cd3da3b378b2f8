// End to end against real parts: Debian's docker-registry (distribution 2.8) with htpasswd basic
// auth on 127.0.0.1, an image pushed into it with skopeo, and the `.dockerconfigjson` of a
// synthesized RegistrySecret handed to skopeo as its --authfile. Needs the apt packages
// docker-registry, skopeo and apache2-utils; without them every test here fails, naming them.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { RegistryCredentials, RegistrySecret, CredentialValue } from '../src';
import { OciImage, writeOciLayout } from './support/oci-image';
import { RunningRegistry, SkopeoResult, freePort, requireTools, skopeo, startRegistry } from './support/registry';

/** Obvious test values: nothing here is a credential anywhere. */
const USERNAME = 'test-user';
const PASSWORD = 'test-password';
const WRONG_PASSWORD = 'wrong-test-password';
const REPOSITORY = 'team/app';
const TAG = 'v1';

/** What skopeo (containers/image) says when the registry refuses the credentials, or gets none. */
const AUTH_ERROR = /unauthorized|authentication required/i;

const SETUP_TIMEOUT = 60_000;
const TEST_TIMEOUT = 30_000;

let work: string;
let registry: RunningRegistry | undefined;
let image: OciImage;
/** A port on 127.0.0.1 that no registry listens on, for keys of another server. */
let otherPort: number;

beforeAll(async () => {
  requireTools();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-pr-e2e-'));
  registry = await startRegistry([{ username: USERNAME, password: PASSWORD }]);
  otherPort = await freePort();

  image = writeOciLayout(path.join(work, 'oci'), TAG);
  const pushed = skopeo(work, [
    '--insecure-policy', 'copy',
    '--dest-creds', `${USERNAME}:${PASSWORD}`, '--dest-tls-verify=false',
    `oci:${image.dir}:${TAG}`, `docker://${registry.host}/${REPOSITORY}:${TAG}`,
  ]);
  if (pushed.status !== 0) {
    throw new Error(`skopeo copy of the test image into ${registry.host} failed (exit ${pushed.status}): ${pushed.stderr}`);
  }
}, SETUP_TIMEOUT);

afterAll(async () => {
  await registry?.stop();
  if (work) {
    fs.rmSync(work, { recursive: true, force: true });
  }
}, SETUP_TIMEOUT);

function host(): string {
  return registry!.host;
}

let authFiles = 0;

/**
 * Synthesizes a chart that holds one RegistrySecret, made by `make`, takes `.dockerconfigjson` out
 * of the synthesized Secret and writes its bytes, unchanged, to a file for skopeo's --authfile.
 */
function authFileFrom(make: (chart: Chart) => RegistrySecret): { file: string; auths: { [server: string]: any } } {
  // GIVEN a chart with the secret
  const chart = Testing.chart();
  make(chart);

  // WHEN it is synthesized
  const manifests = Testing.synth(chart);

  // THEN it is one dockerconfigjson Secret whose only key is .dockerconfigjson
  expect(manifests).toHaveLength(1);
  const [manifest] = manifests;
  expect(manifest).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson' });
  expect(Object.keys(manifest.data)).toEqual(['.dockerconfigjson']);
  const bytes = Buffer.from(manifest.data['.dockerconfigjson'], 'base64');
  const file = path.join(work, `auth-${++authFiles}.json`);
  fs.writeFileSync(file, bytes, { mode: 0o600 });
  return { file, auths: JSON.parse(bytes.toString('utf8')).auths };
}

/** `authFileFrom` a RegistrySecret of `entries`: the first through the constructor, the rest through `addRegistry`. */
function authFileOf(entries: RegistryCredentials[]): { file: string; auths: { [server: string]: any } } {
  return authFileFrom((chart) => {
    const [first, ...rest] = entries;
    const secret = new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, ...first });
    rest.forEach(entry => secret.addRegistry(entry));
    return secret;
  });
}

/** `skopeo inspect` of the pushed image through `imageHost`, with only `authFile` as credentials. */
function inspect(authFile: string, imageHost: string = host()): SkopeoResult {
  return skopeo(work, ['inspect', '--tls-verify=false', '--authfile', authFile, `docker://${imageHost}/${REPOSITORY}:${TAG}`]);
}

/** Asserts that skopeo read the pushed image: its name, manifest digest and layer. */
function expectPushedImage(result: SkopeoResult): void {
  // the whole result, so that a failure shows skopeo's stderr
  expect(result).toMatchObject({ status: 0 });
  const inspected = JSON.parse(result.stdout);
  expect(inspected.Name).toBe(`${host()}/${REPOSITORY}`);
  expect(inspected.Digest).toBe(image.manifest.digest);
  expect(inspected.Layers).toEqual([image.layer.digest]);
  expect(inspected.Os).toBe('linux');
}

/** Asserts that skopeo was refused for want of valid credentials, and printed none. */
function expectAuthFailure(result: SkopeoResult): void {
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(AUTH_ERROR);
  expect(result.stderr + result.stdout).not.toContain(PASSWORD);
}

describe('a RegistrySecret against a real registry with basic auth', () => {
  test('the registry refuses a pull without credentials', () => {
    // GIVEN an auth file with no entries
    const empty = path.join(work, 'empty-auth.json');
    fs.writeFileSync(empty, '{"auths":{}}', { mode: 0o600 });

    // WHEN
    const result = inspect(empty);

    // THEN
    expectAuthFailure(result);
  }, TEST_TIMEOUT);

  test.each<[string, (h: string) => string]>([
    ['host:port, as the kubelet matches it', h => h],
    ['https:// URL', h => `https://${h}`],
    ['https:// URL with /v2/', h => `https://${h}/v2/`],
    ['http:// URL with /v1/', h => `http://${h}/v1/`],
  ])('skopeo pulls the image with the secret\'s .dockerconfigjson: server as %s', (_form, server) => {
    // GIVEN
    const { file, auths } = authFileOf([{
      server: server(host()), username: CredentialValue.fromString(USERNAME), password: CredentialValue.fromString(PASSWORD),
    }]);
    expect(Object.keys(auths)).toEqual([server(host())]);

    // WHEN
    const result = inspect(file);

    // THEN
    expectPushedImage(result);
  }, TEST_TIMEOUT);

  test('a server with a path covers the images under it', () => {
    // GIVEN a key scoped to the image's namespace, as the kubelet and skopeo both match it
    const { file } = authFileOf([{ server: `${host()}/team`, username: CredentialValue.fromString(USERNAME), password: CredentialValue.fromString(PASSWORD) }]);

    // WHEN
    const result = inspect(file);

    // THEN
    expectPushedImage(result);
  }, TEST_TIMEOUT);

  test('a server with another path does not cover the image', () => {
    // GIVEN right credentials, scoped to a namespace the image is not in
    const { file } = authFileOf([{ server: `${host()}/other-team`, username: CredentialValue.fromString(USERNAME), password: CredentialValue.fromString(PASSWORD) }]);

    // WHEN
    const result = inspect(file);

    // THEN
    expectAuthFailure(result);
  }, TEST_TIMEOUT);

  test('with an email, as kubectl --docker-email writes it', () => {
    // GIVEN
    const { file, auths } = authFileOf([{ server: host(), username: CredentialValue.fromString(USERNAME), password: CredentialValue.fromString(PASSWORD), email: CredentialValue.fromString('test@example.com') }]);
    expect(auths[host()]).toMatchObject({ email: 'test@example.com' });

    // WHEN
    const result = inspect(file);

    // THEN
    expectPushedImage(result);
  }, TEST_TIMEOUT);

  test('a wrong password fails with an authentication error', () => {
    // GIVEN
    const { file } = authFileOf([{
      server: host(), username: CredentialValue.fromString(USERNAME), password: CredentialValue.fromString(WRONG_PASSWORD),
    }]);

    // WHEN
    const result = inspect(file);

    // THEN
    expectAuthFailure(result);
    expect(result.stderr).not.toContain(WRONG_PASSWORD);
  }, TEST_TIMEOUT);

  test('a secret for another server fails with an authentication error', () => {
    // GIVEN right credentials, filed under other servers: another port, and the same port by name
    const { file } = authFileOf([
      { server: `localhost:${otherPort}`, username: CredentialValue.fromString(USERNAME), password: CredentialValue.fromString(PASSWORD) },
      { server: `127.0.0.1:${otherPort}`, username: CredentialValue.fromString(USERNAME), password: CredentialValue.fromString(PASSWORD) },
      { server: '127.0.0.1', username: CredentialValue.fromString(USERNAME), password: CredentialValue.fromString(PASSWORD) },
    ]);

    // WHEN
    const result = inspect(file);

    // THEN
    expectAuthFailure(result);
  }, TEST_TIMEOUT);

  test('a secret covering two registries: the entry of the image\'s registry is used', () => {
    // GIVEN the registry's entry between two others with wrong passwords, one sorted before it
    const { file, auths } = authFileOf([
      { server: `localhost:${otherPort}`, username: CredentialValue.fromString('other-user'), password: CredentialValue.fromString(WRONG_PASSWORD) },
      { server: host(), username: CredentialValue.fromString(USERNAME), password: CredentialValue.fromString(PASSWORD) },
      { server: '127.0.0.1', username: CredentialValue.fromString('other-user'), password: CredentialValue.fromString(WRONG_PASSWORD) },
    ]);
    expect(Object.keys(auths)).toEqual(['127.0.0.1', host(), `localhost:${otherPort}`]);

    // WHEN
    const result = inspect(file);

    // THEN
    expectPushedImage(result);
  }, TEST_TIMEOUT);

  test('a secret covering two registries: the other registry\'s right credentials do not help', () => {
    // GIVEN the right credentials under the other registry, and a wrong password under this one
    const { file } = authFileOf([
      { server: `localhost:${otherPort}`, username: CredentialValue.fromString(USERNAME), password: CredentialValue.fromString(PASSWORD) },
      { server: host(), username: CredentialValue.fromString(USERNAME), password: CredentialValue.fromString(WRONG_PASSWORD) },
    ]);

    // WHEN
    const result = inspect(file);

    // THEN
    expectAuthFailure(result);
  }, TEST_TIMEOUT);

  test('a RegistrySecret from the config.json that skopeo login wrote', () => {
    // GIVEN a docker config.json written by a real login: an entry with only "auth"
    const config = path.join(work, 'login', 'config.json');
    fs.mkdirSync(path.dirname(config), { recursive: true });
    const login = skopeo(work, ['login', '--tls-verify=false', '--authfile', config, '--username', USERNAME, '--password-stdin', host()], PASSWORD);
    expect(login).toMatchObject({ status: 0 });
    expect(JSON.parse(fs.readFileSync(config, 'utf8')).auths[host()]).toEqual({ auth: Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64') });

    // WHEN the secret is made from it, with a hashed name, immutable
    const { file, auths } = authFileFrom(chart => RegistrySecret.fromDockerConfigFile(chart, 'login', config, { metadata: { name: 'login' }, appendHash: true, immutable: true }));

    // THEN
    expect(Object.keys(auths)).toEqual([host()]);
    expectPushedImage(inspect(file));
  }, TEST_TIMEOUT);
});
