// The registries that the `check --pull` tests and the benchmark start (test/support/): Debian's
// docker-registry (distribution 2.8) with htpasswd over HTTP and over HTTPS with a test CA, with token
// auth and our token issuer, and with no auth; and pushImage, which fills them. skopeo, a real client,
// proves each one behaves as a private registry does. Needs the apt packages docker-registry, skopeo,
// apache2-utils and openssl; without them every test here fails, naming them.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OciImage, pushImage, writeOciLayout } from './support/oci-image';
import { RegistryUser, RunningRegistry, SkopeoResult, requireTools, skopeo, startRegistry } from './support/registry';
import { TestCertificates, makeCertificates } from './support/tls';
import { RunningTokenIssuer, startTokenIssuer } from './support/token-issuer';

/** Obvious test values: nothing here is a credential anywhere. */
const USER: RegistryUser = { username: 'test-user', password: 'test-password' };
const WRONG_PASSWORD = 'wrong-test-password';
const RIGHT_CREDS = `${USER.username}:${USER.password}`;
const WRONG_CREDS = `${USER.username}:${WRONG_PASSWORD}`;
const SERVICE = 'harness-registry';
const ISSUER = 'harness-token-issuer';
const TAG = 'v1';

/** What skopeo (containers/image 5.23) says when the registry refuses basic credentials. */
const AUTH_ERROR = /unauthorized: authentication required/;
/** ... when the token issuer refuses the credentials (its 401). */
const TOKEN_AUTH_ERROR = /unable to retrieve auth token: invalid username\/password: unauthorized: incorrect username or password/;
/** ... when the registry refuses a token that grants nothing on the repository. */
const DENIED = /denied: requested access to the resource is denied/;
/** What Go's TLS stack says of a certificate whose CA it was not given. */
const UNKNOWN_CA = /x509: certificate signed by unknown authority/;

const SETUP_TIMEOUT = 60_000;
const TEST_TIMEOUT = 30_000;

let work: string;
let image: OciImage;
let certificates: TestCertificates;
/** skopeo's `--cert-dir`: the test CA as `ca.crt`, which containers/image reads as a CA. */
let certDir: string;
const running: Array<{ stop(): Promise<void> }> = [];

beforeAll(() => {
  requireTools();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-pr-harness-'));
  image = writeOciLayout(path.join(work, 'oci'), TAG);
  certificates = makeCertificates(path.join(fs.mkdtempSync(path.join(work, 'tls-'))));
  certDir = path.join(work, 'certs');
  fs.mkdirSync(certDir);
  fs.copyFileSync(certificates.caFile, path.join(certDir, 'ca.crt'));
});

afterAll(async () => {
  await Promise.all(running.map(server => server.stop()));
  if (work) {
    fs.rmSync(work, { recursive: true, force: true });
  }
}, SETUP_TIMEOUT);

/** Keeps `server` for afterAll to stop. */
function started<T extends { stop(): Promise<void> }>(server: T): T {
  running.push(server);
  return server;
}

/** skopeo copy of the test image to `reference`, with `options` (credentials, TLS). */
function push(reference: string, options: string[]): SkopeoResult {
  return skopeo(work, ['--insecure-policy', 'copy', ...options, `oci:${image.dir}:${TAG}`, `docker://${reference}`]);
}

function inspect(reference: string, options: string[]): SkopeoResult {
  return skopeo(work, ['inspect', ...options, `docker://${reference}`]);
}

/** The parsed output of a skopeo inspect that must have succeeded; its stderr otherwise. */
function inspected(result: SkopeoResult): { Digest: string; RepoTags: string[] } {
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(result.stdout);
}

describe('htpasswd over HTTP: startRegistry(users)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = started(await startRegistry([USER]));
  }, SETUP_TIMEOUT);

  test('the right credentials push and inspect; wrong ones are refused', () => {
    // GIVEN the registry's address
    expect(registry.url).toBe(`http://${registry.host}`);
    expect(registry.host).toBe(`127.0.0.1:${registry.port}`);
    const reference = `${registry.host}/team/app:${TAG}`;

    // WHEN the image is pushed and inspected with the right credentials, then inspected with wrong ones
    const pushed = push(reference, ['--dest-creds', RIGHT_CREDS, '--dest-tls-verify=false']);
    const right = inspect(reference, ['--creds', RIGHT_CREDS, '--tls-verify=false']);
    const wrong = inspect(reference, ['--creds', WRONG_CREDS, '--tls-verify=false']);

    // THEN the registry holds the image, and refuses the wrong password
    expect(pushed.stderr).toBe('');
    expect(pushed.status).toBe(0);
    expect(inspected(right).Digest).toBe(image.manifest.digest);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(AUTH_ERROR);
  }, TEST_TIMEOUT);
});

describe('htpasswd over HTTPS with a test CA', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = started(await startRegistry({ auth: 'htpasswd', users: [USER], tls: certificates }));
  }, SETUP_TIMEOUT);

  test('a client given the CA pushes and inspects; one without it refuses the certificate', () => {
    // GIVEN a registry that serves HTTPS with a certificate of the test CA
    expect(registry.url).toBe(`https://${registry.host}`);
    const reference = `${registry.host}/team/app:${TAG}`;

    // WHEN skopeo verifies TLS with the CA, and then with only the machine's CAs
    const pushed = push(reference, ['--dest-creds', RIGHT_CREDS, '--dest-cert-dir', certDir]);
    const withCa = inspect(reference, ['--creds', RIGHT_CREDS, '--cert-dir', certDir]);
    const withoutCa = inspect(reference, ['--creds', RIGHT_CREDS]);

    // THEN the CA makes the certificate valid for 127.0.0.1, and without it TLS fails before any auth
    expect(pushed.stderr).toBe('');
    expect(pushed.status).toBe(0);
    expect(inspected(withCa).Digest).toBe(image.manifest.digest);
    expect(withoutCa.status).not.toBe(0);
    expect(withoutCa.stderr).toMatch(UNKNOWN_CA);
  }, TEST_TIMEOUT);

  test('pushImage with the CA pushes every tag, and skopeo reads them back', async () => {
    // GIVEN several tags
    const tags = ['a', 'b', 'c', 'd', 'e'];

    // WHEN pushImage pushes them over HTTPS with basic auth
    await pushImage(image, registry.url, 'bulk/app', tags, { username: USER.username, password: USER.password, caFile: certificates.caFile });

    // THEN one tag inspects to the image, and the repository lists every tag
    const result = inspected(inspect(`${registry.host}/bulk/app:c`, ['--creds', RIGHT_CREDS, '--cert-dir', certDir]));
    expect(result.Digest).toBe(image.manifest.digest);
    expect([...result.RepoTags].sort()).toEqual(tags);
  }, TEST_TIMEOUT);

  test('pushImage with a wrong password fails, naming neither password', async () => {
    // GIVEN wrong credentials
    const options = { username: USER.username, password: WRONG_PASSWORD, caFile: certificates.caFile };

    // WHEN pushImage tries to push
    const pushing = pushImage(image, registry.url, 'bulk/refused', [TAG], options);

    // THEN the registry's 401 is reported, and no password is in the message
    await expect(pushing).rejects.toThrow(/answered 401, expected 202/);
    const message = await pushing.catch((e: Error) => e.message);
    expect(message).not.toContain(WRONG_PASSWORD);
    expect(message).not.toContain(USER.password);
  }, TEST_TIMEOUT);
});

describe('token auth: the registry sends clients to the token issuer, and verifies its tokens', () => {
  let issuer: RunningTokenIssuer;
  let registry: RunningRegistry;
  beforeAll(async () => {
    issuer = started(await startTokenIssuer({ users: [USER], service: SERVICE, issuer: ISSUER, anonymousPullPrefixes: ['public/'] }));
    registry = started(await startRegistry({ auth: 'token', token: issuer }));
    const options = ['--dest-creds', RIGHT_CREDS, '--dest-tls-verify=false'];
    for (const repository of ['team/app', 'public/app']) {
      const pushed = push(`${registry.host}/${repository}:${TAG}`, options);
      if (pushed.status !== 0) {
        throw new Error(`skopeo copy of the test image into ${registry.host}/${repository} failed (exit ${pushed.status}): ${pushed.stderr}`);
      }
    }
  }, SETUP_TIMEOUT);

  test('the registry challenges with the issuer\'s realm and service', async () => {
    // GIVEN a registry in token mode
    // WHEN a client asks for a manifest without a token
    const response = await fetch(`${registry.url}/v2/team/app/manifests/${TAG}`, { method: 'HEAD' });

    // THEN it is sent to the issuer for pull on that repository
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${issuer.realm}",service="${SERVICE}",scope="repository:team/app:pull"`);
  });

  test('the pushes were granted by the issuer to the authenticated user', async () => {
    // GIVEN the pushes of beforeAll
    // WHEN the issuer's log is read
    const requests = await issuer.requests();

    // THEN skopeo asked for pull and push with the credentials, and got both
    expect(requests).toContainEqual({
      service: SERVICE,
      scopes: ['repository:team/app:pull,push'],
      client: 'authenticated',
      status: 200,
      access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
    });
  });

  test('the right credentials inspect the pushed manifest\'s digest', () => {
    // GIVEN the image pushed with the right credentials
    // WHEN it is inspected with them
    const result = inspect(`${registry.host}/team/app:${TAG}`, ['--creds', RIGHT_CREDS, '--tls-verify=false']);

    // THEN the digest is the manifest's that was pushed
    expect(inspected(result).Digest).toBe(image.manifest.digest);
  }, TEST_TIMEOUT);

  test('a wrong password is refused by the issuer with 401', async () => {
    // GIVEN the right user with a wrong password
    // WHEN skopeo inspects with it
    const result = inspect(`${registry.host}/team/app:${TAG}`, ['--creds', WRONG_CREDS, '--tls-verify=false']);

    // THEN the issuer refused it, and skopeo fails with the issuer's 401
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(TOKEN_AUTH_ERROR);
    expect((await issuer.requests()).map(r => [r.client, r.status])).toContainEqual(['rejected', 401]);
  }, TEST_TIMEOUT);

  test('anonymous clients pull public/ repositories and nothing else', () => {
    // GIVEN no credentials at all
    const anonymous = ['--no-creds', '--tls-verify=false'];

    // WHEN skopeo inspects a public/ repository and a private one
    const publicImage = inspect(`${registry.host}/public/app:${TAG}`, anonymous);
    const privateImage = inspect(`${registry.host}/team/app:${TAG}`, anonymous);

    // THEN only the public one answers
    expect(inspected(publicImage).Digest).toBe(image.manifest.digest);
    expect(privateImage.status).not.toBe(0);
    expect(privateImage.stderr).toMatch(DENIED);
  }, TEST_TIMEOUT);

  test('an anonymous token for a private repository has no access, and the registry refuses it', async () => {
    // GIVEN an anonymous token request for pull on a private repository
    const scope = 'repository:team/app:pull';

    // WHEN the token is fetched, then used for the manifest
    const tokenResponse = await fetch(`${issuer.realm}?service=${SERVICE}&scope=${scope}`);
    const body = await tokenResponse.json() as { token: string; access_token: string; expires_in: number; issued_at: string };
    const manifest = await fetch(`${registry.url}/v2/team/app/manifests/${TAG}`, {
      method: 'HEAD', headers: { Authorization: `Bearer ${body.token}` },
    });

    // THEN the issuer answers 200 with an empty grant (as Docker Hub does), and the registry 401 insufficient_scope
    expect(tokenResponse.status).toBe(200);
    expect(body).toEqual({ token: body.token, access_token: body.token, expires_in: 300, issued_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const claims = JSON.parse(Buffer.from(body.token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ iss: ISSUER, aud: SERVICE, sub: '', access: [] });
    expect(manifest.status).toBe(401);
    expect(manifest.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  test('the issuer refuses a service that is not the registry\'s', async () => {
    // GIVEN the right credentials
    const authorization = 'Basic ' + Buffer.from(RIGHT_CREDS).toString('base64');

    // WHEN a token is asked for another service
    const response = await fetch(`${issuer.realm}?service=elsewhere&scope=repository:team/app:pull`, { headers: { Authorization: authorization } });

    // THEN it is refused with 400
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ details: `service "elsewhere" is not "${SERVICE}", the service of the challenge` });
  });

  test('pushImage follows the Bearer challenge with the credentials', async () => {
    // GIVEN the right credentials for the token registry
    const options = { username: USER.username, password: USER.password };

    // WHEN pushImage pushes two tags
    await pushImage(image, registry.url, 'team/bulk', ['x', 'y'], options);

    // THEN skopeo reads one of them back with the same credentials
    const result = inspected(inspect(`${registry.host}/team/bulk:y`, ['--creds', RIGHT_CREDS, '--tls-verify=false']));
    expect(result.Digest).toBe(image.manifest.digest);
    expect([...result.RepoTags].sort()).toEqual(['x', 'y']);
  }, TEST_TIMEOUT);
});

describe('no auth', () => {
  test('startRegistry({ auth: none }) serves anyone, and pushImage needs no credentials', async () => {
    // GIVEN a registry without auth
    const registry = started(await startRegistry({ auth: 'none' }));

    // WHEN pushImage pushes without credentials and skopeo inspects without any
    await pushImage(image, registry.url, 'open/app', [TAG]);
    const result = inspect(`${registry.host}/open/app:${TAG}`, ['--no-creds', '--tls-verify=false']);

    // THEN the image is there
    expect(inspected(result).Digest).toBe(image.manifest.digest);
  }, TEST_TIMEOUT);
});

describe('startRegistry refuses options it cannot serve', () => {
  test.each([
    [{ auth: 'htpasswd' as const }, /auth htpasswd received no users: give at least one in users/],
    [{ auth: 'token' as const }, /auth token received no token section/],
  ])('%j', async (options, message) => {
    // GIVEN options that miss what their auth mode needs
    // WHEN the registry is started
    // THEN it is refused, before any process starts
    await expect(startRegistry(options)).rejects.toThrow(message);
  });
});
