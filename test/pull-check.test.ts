// `check --pull` end to end against real registries on 127.0.0.1: Debian's docker-registry with
// htpasswd over HTTP and over HTTPS with a CA made here, and with token auth from the test's token
// issuer, which the registry verifies itself. The manifests are synthesized by our constructs, so
// the credentials asked with are those of the RegistrySecrets. The CLI runs as users run it (the
// bin script). Every run's output is kept and searched for the password at the end.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as k from 'cdk8s-plus-27/lib/imports/k8s';
import { CredentialValue, ImageLock, PrivateImagePod, RegistrySecret } from '../src';
import { OciImage, pushImage, writeOciLayout } from './support/oci-image';
import { freePort, requireTools, RunningRegistry, skopeo, startRegistry } from './support/registry';
import { makeCertificates, TestCertificates } from './support/tls';
import { RunningTokenIssuer, startTokenIssuer } from './support/token-issuer';
import { checkManifests } from '../src/cli/manifest-check';
import { answerFix, askRegistries, lockedDigests, otherUsers, PullAnswer, PullCollector } from '../src/cli/pull-check';
import { PullResult } from '../src/cli/registry-client';
import { PrivateRegistryValidation } from '../src/cli/validation-plugin';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'cdk8s-private-registry.js');
/** what no output may hold: the password, and its base64 in an `auth` or a header */
const SENTINEL = 'Sentinel-Pull-Password-93f1';
const USER = { username: 'puller', password: SENTINEL };
const LEAKS = [SENTINEL, Buffer.from(`${USER.username}:${SENTINEL}`).toString('base64'), Buffer.from(SENTINEL).toString('base64')];
const WRONG = 'Sentinel-Wrong-Password-77aa';
const SETUP_TIMEOUT = 90_000;
const TIMEOUT = 60_000;

let work: string;
let image: OciImage;
let certificates: TestCertificates;
let plain: RunningRegistry;
let secure: RunningRegistry;
let issuer: RunningTokenIssuer;
let token: RunningRegistry;
/** every stdout and stderr of the runs */
const outputs: string[] = [];

beforeAll(async () => {
  requireTools();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-pr-pull-'));
  image = writeOciLayout(path.join(work, 'oci'), 'v1');
  certificates = makeCertificates(fs.mkdtempSync(path.join(work, 'tls-')));
  [plain, secure, issuer] = await Promise.all([
    startRegistry({ auth: 'htpasswd', users: [USER] }),
    startRegistry({ auth: 'htpasswd', users: [USER], tls: certificates }),
    startTokenIssuer({ users: [USER], service: 'test-registry', issuer: 'test-issuer', anonymousPullPrefixes: ['public/'] }),
  ]);
  token = await startRegistry({ auth: 'token', token: issuer });
  await Promise.all([
    pushImage(image, plain.url, 'team/app', ['v1', 'v2'], USER),
    pushImage(image, secure.url, 'team/app', ['v1'], { ...USER, caFile: certificates.caFile }),
    pushImage(image, token.url, 'team/app', ['v1'], USER),
    pushImage(image, token.url, 'public/app', ['v1'], USER),
  ]);
}, SETUP_TIMEOUT);

afterAll(async () => {
  await Promise.all([plain, secure, token, issuer].filter(s => s).map(s => s.stop()));
  if (work) {
    fs.rmSync(work, { recursive: true, force: true });
  }
}, SETUP_TIMEOUT);

/** the collector of `check --pull` after `check` read this YAML: its questions, none asked yet */
async function collect(yaml: string): Promise<PullCollector> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pull-collect-'));
  const file = path.join(dir, 'm.yaml');
  fs.writeFileSync(file, yaml);
  const collector = new PullCollector();
  try {
    await checkManifests([{ name: file, path: file }], { collector, settings: { existingSecret: () => '', publicRegistry: () => '', privateRegistries: '' } });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return collector;
}

interface PodSpec {
  readonly image: string;
  /** passwords of the pod's secrets, in order, all for the image's registry */
  readonly passwords?: string[];
  readonly namespace?: string;
}

let files = 0;

/** synthesizes, with our constructs, one pod per spec with its RegistrySecrets, into one YAML file */
function manifests(pods: PodSpec[]): string {
  const app = new App({ outdir: path.join(work, `out-${++files}`) });
  const chart = new Chart(app, 'apps');
  pods.forEach((pod, i) => {
    const server = pod.image.split('/')[0];
    const secrets = (pod.passwords ?? []).map((password, j) => new RegistrySecret(chart, `secret-${i}-${j}`, {
      metadata: { name: `regcred-${i}-${j}`, namespace: pod.namespace },
      appendHash: false,
      server,
      username: CredentialValue.fromString(USER.username),
      password: CredentialValue.fromString(password),
    }));
    if (secrets.length === 0) {
      // a pod with no pull secret at all, as a public image needs none
      new k.KubePod(chart, `pod-${i}`, {
        metadata: { namespace: pod.namespace },
        spec: { containers: [{ name: 'main', image: pod.image, imagePullPolicy: 'IfNotPresent' }] },
      });
      return;
    }
    new PrivateImagePod(chart, `pod-${i}`, { metadata: { namespace: pod.namespace }, registrySecrets: secrets, containers: [{ image: pod.image }] });
  });
  const file = path.join(work, `manifests-${files}.yaml`);
  fs.writeFileSync(file, app.synthYaml());
  return file;
}

/** runs `cdk8s-private-registry check --pull ...args` */
function checkPull(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, 'check', '--pull', ...args], { encoding: 'utf8', timeout: TIMEOUT });
  outputs.push(result.stdout, result.stderr);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** the `image-pull` entries of a JSON report */
function pulls(stdout: string): any[] {
  return JSON.parse(stdout).filter((e: any) => e.rule === 'image-pull');
}

/** the digest skopeo reports for an image, with the same credentials */
function skopeoDigest(ref: string, tlsArgs: string[]): string {
  const result = skopeo(work, ['inspect', '--creds', `${USER.username}:${SENTINEL}`, ...tlsArgs, `docker://${ref}`]);
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout).Digest;
}

const insecure = (...registries: RunningRegistry[]) => registries.flatMap(r => ['--insecure-registry', r.host]);

describe('check --pull against real registries', () => {
  test('Basic over HTTP: the right credentials give ok, with the digest skopeo reports', () => {
    // GIVEN a pod whose secret has the right password
    const file = manifests([{ image: `${plain.host}/team/app:v1`, passwords: [SENTINEL] }]);

    // WHEN the registries are asked
    const { status, stdout } = checkPull([...insecure(plain), '--format', 'json', file]);

    // THEN the image is ok, at skopeo's digest, let in for that secret
    expect(status).toBe(0);
    const [entry] = pulls(stdout);
    expect(entry.pull).toEqual({
      image: `${plain.host}/team/app:v1`,
      status: 'ok',
      cause: null,
      digest: skopeoDigest(`${plain.host}/team/app:v1`, ['--tls-verify=false']),
      // the source of the credential the registry let in
      coveredBy: 'secret "regcred-0-0"',
      tried: [{ secret: 'regcred-0-0', server: plain.host, sameCredentials: [] }],
      untried: [],
      objects: [{ object: entry.object, file, image: `${plain.host}/team/app:v1` }],
      // the image's config says linux/amd64, the platform every pod runs on by default
      platforms: [{ platform: 'linux/amd64', why: 'the default linux/amd64: no --platform given', object: entry.object }],
    });
    expect(entry.pull.digest).toBe(image.manifest.digest);
    expect(entry).toMatchObject({
      file, object: `Pod/${entry.name}`, kind: 'Pod', namespace: null, name: expect.stringMatching(/^apps-pod-0-c8[0-9a-f]{6}$/), container: 'main', path: 'spec.containers[0]',
    });
    expect(fs.readFileSync(file, 'utf8').split('\n')[entry.line - 1]).toContain(`image: ${plain.host}/team/app:v1`);
  }, TIMEOUT);

  test('Basic over HTTPS: ok with --ca-file, a TLS failure without it', () => {
    // GIVEN a pod of the HTTPS registry, whose CA is the test's
    const file = manifests([{ image: `${secure.host}/team/app:v1`, passwords: [SENTINEL] }]);

    // WHEN asked with and without the CA
    const trusted = checkPull(['--ca-file', certificates.caFile, file]);
    const untrusted = checkPull([file]);

    // THEN the CA makes it ok; without it TLS fails, and the line says how to fix it
    expect(trusted.status).toBe(0);
    const certDir = fs.mkdtempSync(path.join(work, 'certs-'));
    // containers/image reads every *.crt in --cert-dir as a CA
    fs.copyFileSync(certificates.caFile, path.join(certDir, 'ca.crt'));
    expect(trusted.stdout).toContain(`${secure.host}/team/app:v1: ok ${skopeoDigest(`${secure.host}/team/app:v1`, ['--cert-dir', certDir])}`);
    expect(untrusted.status).toBe(1);
    expect(untrusted.stdout).toMatch(new RegExp(`${secure.host}/team/app:v1: unreachable \\(tls\\): TLS with ${secure.host} failed \\([A-Z_]+\\); if its certificate is signed by your own CA, give it with --ca-file`));
  }, TIMEOUT);

  test('Bearer: a token from the issuer for the secret\'s credentials gives ok, at skopeo\'s digest; identical images are asked once', async () => {
    // GIVEN three pods of one image, in two namespaces, with the same credentials
    const ref = `${token.host}/team/app:v1`;
    const file = manifests([
      { image: ref, passwords: [SENTINEL], namespace: 'a' },
      { image: ref, passwords: [SENTINEL], namespace: 'a' },
      { image: ref, passwords: [SENTINEL], namespace: 'b' },
    ]);
    const before = (await issuer.requests()).length;

    // WHEN asked
    const { status, stdout } = checkPull([...insecure(token), file]);

    // THEN one token request, for the pull scope, and one line, ok at skopeo's digest
    expect(status).toBe(0);
    const requests = (await issuer.requests()).slice(before);
    expect(requests).toEqual([expect.objectContaining({ client: 'authenticated', status: 200, scopes: ['repository:team/app:pull'] })]);
    const lines = stdout.split('\n').filter(l => l.includes(ref));
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^  ${file}:\\d+ ${ref}: ok ${skopeoDigest(ref, ['--tls-verify=false'])}$`))]);
  }, TIMEOUT);

  test.each([
    ['Basic', () => plain],
    ['Bearer', () => token],
  ])('%s: a wrong password is unauthorized, naming the secret and server, never the password', (_, registry) => {
    // GIVEN a pod whose only secret has a wrong password
    const ref = `${registry().host}/team/app:v1`;
    const file = manifests([{ image: ref, passwords: [WRONG], namespace: 'team' }]);

    // WHEN asked
    const { status, stdout } = checkPull([...insecure(registry()), file]);

    // THEN unauthorized, naming the secret and the server it was tried for
    expect(status).toBe(1);
    expect(stdout).toContain(`${ref}: unauthorized: tried secret "team/regcred-0-0" (server "${registry().host}"); `);
    expect(stdout).not.toContain(WRONG);
  }, TIMEOUT);

  test('the same wrong password in two namespaces: one line, naming the other secret and pod too', () => {
    // GIVEN one image, two namespaces, each with its own secret holding the same wrong password
    const ref = `${plain.host}/team/app:v1`;
    const file = manifests([{ image: ref, passwords: [WRONG], namespace: 'a' }, { image: ref, passwords: [WRONG], namespace: 'b' }]);

    // WHEN asked
    const { status, stdout } = checkPull([...insecure(plain), file]);

    // THEN one line names both secrets and both pods
    expect(status).toBe(1);
    const [line] = stdout.split('\n').filter(l => l.includes(`${ref}: unauthorized`));
    expect(line).toContain(`tried secret "a/regcred-0-0" (server "${plain.host}") (the same credentials as "b/regcred-1-0")`);
    expect(line).toMatch(/; also used by Pod\/b\/apps-pod-1-c8[0-9a-f]{6}$/);
  }, TIMEOUT);

  test('two secrets for one registry, the first wrong: ok, as the kubelet would find', () => {
    // GIVEN a pod naming a stale secret first and a current one second
    const file = manifests([{ image: `${plain.host}/team/app:v1`, passwords: [WRONG, SENTINEL] }]);

    // WHEN asked
    const { status, stdout } = checkPull([...insecure(plain), '--format', 'json', file]);

    // THEN it is ok, let in for the second
    expect(status).toBe(0);
    expect(pulls(stdout)[0].pull).toMatchObject({ status: 'ok', tried: [{ secret: 'regcred-0-1' }] });
  }, TIMEOUT);

  test('a tag never pushed and a repository with a typo are not found', () => {
    // GIVEN two images the registry does not have
    const file = manifests([
      { image: `${plain.host}/team/app:v9`, passwords: [SENTINEL] },
      { image: `${plain.host}/team/ap:v1`, passwords: [SENTINEL] },
    ]);

    // WHEN asked
    const { status, stdout } = checkPull([...insecure(plain), file]);

    // THEN both are not found, each saying what is missing
    expect(status).toBe(1);
    expect(stdout).toContain(`${plain.host}/team/app:v9: not found: the registry has no manifest "v9" in repository "team/app"`);
    expect(stdout).toContain(`${plain.host}/team/ap:v1: not found: the registry has no manifest "v1" in repository "team/ap"`);
    expect(stdout).toContain('2 of 2 images not ok');
  }, TIMEOUT);

  test('a closed port is unreachable, within the timeout', async () => {
    // GIVEN a port nothing listens on
    const port = await freePort();
    const file = manifests([{ image: `127.0.0.1:${port}/team/app:v1`, passwords: [SENTINEL] }]);

    // WHEN asked with a 2 s timeout
    const { status, stdout } = checkPull(['--insecure-registry', `127.0.0.1:${port}`, '--timeout', '2', file]);

    // THEN it is unreachable because the connection was refused, not because the timeout ran out
    expect(status).toBe(1);
    expect(stdout).toContain(`127.0.0.1:${port}/team/app:v1: unreachable (refused): 127.0.0.1:${port} refused the connection: nothing listens there`);
  }, TIMEOUT);

  test('an image no secret covers is asked anonymously: a public one is ok, a private one unauthorized', () => {
    // GIVEN pods with no secret, of a public and of a private repository of the token registry
    const file = manifests([{ image: `${token.host}/public/app:v1` }, { image: `${token.host}/team/app:v1` }]);

    // WHEN asked
    const { status, stdout } = checkPull([...insecure(token), '--format', 'json', file]);

    // THEN the public one is ok and the private one refused, with nothing tried
    expect(status).toBe(1);
    const [publicApp, privateApp] = pulls(stdout);
    expect(publicApp.pull).toMatchObject({ status: 'ok', digest: image.manifest.digest, tried: [] });
    expect(privateApp.pull).toMatchObject({ status: 'unauthorized', tried: [] });
    expect(privateApp.message).toMatch(/^unauthorized: tried anonymously: no pull secret of the pod covers its registry; /);
  }, TIMEOUT);

  test('a lock round trip: the synth output pinned from the lock, and still ok', () => {
    // GIVEN the synth output of a pod, and a lock written by check --pull from it
    const ref = `${plain.host}/team/app:v2`;
    const first = manifests([{ image: ref, passwords: [SENTINEL] }]);
    const lockFile = path.join(work, 'images.lock.json');
    const locked = checkPull([...insecure(plain), '--lock', lockFile, first]);
    expect(locked.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8'))).toEqual({ lockVersion: 1, images: { [ref]: image.manifest.digest } });

    // WHEN the app is synthesized again with the lock
    const app = new App({ outdir: path.join(work, 'locked') });
    const chart = new Chart(app, 'apps');
    const regcred = new RegistrySecret(chart, 'regcred', {
      server: plain.host, username: CredentialValue.fromString(USER.username), password: CredentialValue.fromString(SENTINEL),
    });
    new PrivateImagePod(chart, 'pod', { registrySecrets: [regcred], imageLock: ImageLock.fromFile(lockFile), requireLock: true, containers: [{ image: ref }] });
    const pinnedFile = path.join(work, 'pinned.yaml');
    fs.writeFileSync(pinnedFile, app.synthYaml());

    // THEN the image is pinned to the locked digest, and the registry serves it by digest
    const pinned = `${ref}@${image.manifest.digest}`;
    expect(fs.readFileSync(pinnedFile, 'utf8')).toContain(`image: ${pinned}`);
    const again = checkPull([...insecure(plain), '--lock', lockFile, pinnedFile]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`${pinned}: ok ${image.manifest.digest}`);

    // AND writing the lock again from the pinned output keeps it as it was, so the next synth still pins
    expect(JSON.parse(fs.readFileSync(lockFile, 'utf8'))).toEqual({ lockVersion: 1, images: { [ref]: image.manifest.digest } });
  }, TIMEOUT);

  test('the lock is not written when an image is not ok', () => {
    // GIVEN an image the registry does not have
    const file = manifests([{ image: `${plain.host}/team/app:v9`, passwords: [SENTINEL] }]);
    const lockFile = path.join(work, 'not-written.lock.json');

    // WHEN asked with --lock
    const { status, stderr } = checkPull([...insecure(plain), '--lock', lockFile, file]);

    // THEN there is no lock, and stderr says why
    expect(status).toBe(1);
    expect(fs.existsSync(lockFile)).toBe(false);
    expect(stderr).toBe(`cdk8s-private-registry: ${lockFile} not written: not every image is ok\n`);
  }, TIMEOUT);

  test('the lock is not written when an input cannot be read, so no entry of the rest is lost', () => {
    // GIVEN a readable file with an image the registry has, and a file that is not YAML
    const file = manifests([{ image: `${plain.host}/team/app:v1`, passwords: [SENTINEL] }]);
    const broken = path.join(work, 'broken.yaml');
    fs.writeFileSync(broken, 'apiVersion: v1\nkind: Pod\n  metadata: [\n');
    const lockFile = path.join(work, 'partial.lock.json');

    // WHEN asked with --lock
    const { status, stderr } = checkPull([...insecure(plain), '--lock', lockFile, file, broken]);

    // THEN exit 3 (unreadable input), and no lock
    expect(status).toBe(3);
    expect(fs.existsSync(lockFile)).toBe(false);
    expect(stderr).toContain(`cdk8s-private-registry: ${lockFile} not written: not every input could be read\n`);
  }, TIMEOUT);

  test('the validation plugin with pull: true fails the synth on a wrong password, and passes the right one', async () => {
    // GIVEN the synth output of a pod with a wrong password, and one with the right one
    const wrong = manifests([{ image: `${token.host}/team/app:v1`, passwords: [WRONG] }]);
    const right = manifests([{ image: `${token.host}/team/app:v1`, passwords: [SENTINEL] }]);
    const plugin = new PrivateRegistryValidation({ pull: true, insecureRegistries: [token.host], pullTimeoutSeconds: 5 });

    // WHEN the plugin validates each, as cdk8s-cli runs it
    const run = async (file: string) => {
      const report: { violations: any[]; status?: string; logs: string[] } = { violations: [], logs: [] };
      await plugin.validate({
        manifests: [file],
        report: { addViolation: v => report.violations.push(v), submit: status => { report.status = status; } },
        logger: { log: message => report.logs.push(message) },
      });
      outputs.push(JSON.stringify(report));
      return report;
    };
    const failed = await run(wrong);
    const passed = await run(right);

    // THEN the wrong one is a failure with an image-pull violation naming the secret; the right one a success
    expect(failed.status).toBe('failure');
    expect(failed.violations).toEqual([expect.objectContaining({
      ruleName: 'image-pull',
      violatingResources: [expect.objectContaining({ locations: [expect.stringContaining('unauthorized: tried secret "regcred-0-0"')] })],
    })]);
    expect(passed.status).toBe('success');
    expect(passed.logs.join('\n')).toContain(`${token.host}/team/app:v1: ok ${image.manifest.digest}`);
  }, TIMEOUT);

  test('a real npx cdk8s synth with the plugin\'s pull: true fails on a wrong password and passes the right one', () => {
    // GIVEN an app dir whose cdk8s.yaml runs the plugin with pull, and an app that takes the password from the pipeline
    const dir = fs.mkdtempSync(path.join(work, 'synth-app-'));
    fs.symlinkSync(path.join(ROOT, 'validation'), path.join(dir, 'validation'));
    fs.writeFileSync(path.join(dir, 'app.js'), [
      `const { App, Chart } = require(${JSON.stringify(require.resolve('cdk8s'))});`,
      `const { CredentialValue, PrivateImagePod, RegistrySecret } = require(${JSON.stringify(path.join(ROOT, 'validation', 'load.js'))})('index');`,
      'const app = new App();',
      'const chart = new Chart(app, \'apps\');',
      'const regcred = new RegistrySecret(chart, \'regcred\', { server: process.env.HOST, username: CredentialValue.fromString(\'puller\'),',
      '  password: CredentialValue.fromEnvironment(\'PULL_PASSWORD\') });',
      'new PrivateImagePod(chart, \'web\', { registrySecrets: [regcred], containers: [{ image: `${process.env.HOST}/team/app:v1` }] });',
      'app.synth();',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
      'app: node app.js',
      'validations:',
      '  - package: ./validation',
      '    class: PrivateRegistryValidation',
      '    version: 0.0.0',
      '    properties:',
      '      pull: true',
      `      insecureRegistries: [${plain.host}]`,
      '',
    ].join('\n'));
    const synth = (password: string) => {
      const result = spawnSync(process.execPath, [path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'bin', 'cdk8s'), 'synth'], {
        cwd: dir, encoding: 'utf8', timeout: TIMEOUT, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', HOST: plain.host, PULL_PASSWORD: password },
      });
      outputs.push(result.stdout, result.stderr);
      return result;
    };

    // WHEN it is synthesized with a wrong password, then with the right one
    const wrong = synth(WRONG);
    const right = synth(SENTINEL);

    // THEN the wrong one fails the synth on image-pull, naming the construct; the right one passes
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).toMatch(/image-pull \(1 occurrences\)/);
    expect(wrong.stdout + wrong.stderr).toContain('Construct Path: apps/web');
    expect(wrong.stdout + wrong.stderr).toContain(`${plain.host}/team/app:v1: unauthorized: tried secret "apps-regcred-`);
    expect(right.stdout + right.stderr).not.toContain('image-pull');
    expect(right.status).toBe(0);
    expect(right.stdout + right.stderr).toContain(`${plain.host}/team/app:v1: ok ${image.manifest.digest}`);
  }, TIMEOUT);

  test('usage errors of the pull options', () => {
    // WHEN the options are misused THEN each is a usage error that says what to do
    const file = manifests([{ image: `${plain.host}/team/app:v1`, passwords: [SENTINEL] }]);
    const lockAlone = spawnSync(process.execPath, [BIN, 'check', '--lock', 'x.json', file], { encoding: 'utf8' });
    expect(lockAlone.status).toBe(2);
    expect(lockAlone.stderr).toBe('cdk8s-private-registry: error: --lock works only with --pull; add --pull to ask the registries\n');
    expect(checkPull(['--concurrency', '0', file]).stderr).toBe('cdk8s-private-registry: error: --concurrency "0" is not a whole number above 0 and at most 256; e.g. --concurrency 8\n');
    expect(checkPull(['--concurrency', '257', file]).status).toBe(2);
    expect(checkPull(['--timeout', 'soon', file]).stderr).toBe('cdk8s-private-registry: error: --timeout "soon" is not a number above 0 and at most 600; e.g. --timeout 10\n');
    // an unwritable lock is refused before any registry is asked
    for (const [lock, problem] of [['/nonexistent/dir/x.json', 'cannot be created: its directory does not exist'], [work, 'is a directory'], ['', 'is empty']]) {
      const refused = checkPull(['--lock', lock, file]);
      expect(refused.status).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toBe(`cdk8s-private-registry: error: --lock ${JSON.stringify(lock)} ${problem}; give a file path in a writable directory, e.g. --lock images.lock.json\n`);
    }
    expect(checkPull(['--insecure-registry', 'http://x', file]).stderr)
      .toBe('cdk8s-private-registry: error: --insecure-registry "http://x" is not a registry host; expected HOST[:PORT] as in an image reference, e.g. 127.0.0.1:5000\n');
    expect(checkPull(['--ca-file', file, file]).stderr).toBe(`cdk8s-private-registry: error: --ca-file ${JSON.stringify(file)} holds no PEM certificate; expected -----BEGIN CERTIFICATE----- blocks\n`);
  }, TIMEOUT);
});

describe('check --pull: hostile files end at once, with a usage error', () => {
  /** `check --pull ...args` killed at 15 s: a run that blocks or fills memory fails the test, not the runner */
  function checkPullBounded(args: string[]) {
    const result = spawnSync(process.execPath, [BIN, 'check', '--pull', ...args], { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' });
    outputs.push(result.stdout, result.stderr);
    return result;
  }

  test('--ca-file /dev/zero is refused as not a regular file instead of read until memory runs out', () => {
    // GIVEN a manifest whose image the plain registry serves to its secret
    const file = manifests([{ image: `${plain.host}/team/app:v1`, passwords: [SENTINEL] }]);
    // WHEN /dev/zero is given as the CA file
    const run = checkPullBounded(['--ca-file', '/dev/zero', '--insecure-registry', plain.host, file]);
    // THEN it ends at once with a usage error that names the argument and what it is
    expect(run.signal).toBeNull();
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('cdk8s-private-registry: error: --ca-file "/dev/zero" is not a regular file (it is a character device)\n');
  }, 30_000);

  test('--ca-file and --lock naming a FIFO are refused instead of waiting on it', () => {
    // GIVEN a FIFO nothing reads or writes, and a manifest whose image is ok with its secret
    const fifo = path.join(fs.mkdtempSync(path.join(work, 'fifo-')), 'images.lock.json');
    spawnSync('mkfifo', [fifo]);
    const file = manifests([{ image: `${plain.host}/team/app:v1`, passwords: [SENTINEL] }]);
    // WHEN it is given as the CA file, then as the lock to write
    const ca = checkPullBounded(['--ca-file', fifo, '--insecure-registry', plain.host, file]);
    const lock = checkPullBounded(['--lock', fifo, '--insecure-registry', plain.host, file]);
    // THEN each ends at once with a usage error, before any registry is asked
    expect([ca.signal, lock.signal]).toEqual([null, null]);
    expect(ca.stderr).toBe(`cdk8s-private-registry: error: --ca-file ${JSON.stringify(fifo)} is not a regular file (it is a FIFO)\n`);
    expect(lock.stderr).toBe(`cdk8s-private-registry: error: --lock ${JSON.stringify(fifo)} is not a regular file (it is a FIFO); `
      + 'give a file path in a writable directory, e.g. --lock images.lock.json\n');
    expect([ca.status, lock.status]).toEqual([2, 2]);
    expect(lock.stdout).toBe('');
  }, 45_000);

  test('a CA file over 4 MiB is refused by its size, naming the limit', () => {
    // GIVEN a sparse file of 4 MiB and one byte
    const big = path.join(fs.mkdtempSync(path.join(work, 'big-')), 'ca.pem');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 4 * 1024 * 1024 + 1);
    const file = manifests([{ image: `${plain.host}/team/app:v1`, passwords: [SENTINEL] }]);
    // WHEN it is given as the CA file THEN the error says the limit
    const run = checkPullBounded(['--ca-file', big, '--insecure-registry', plain.host, file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`cdk8s-private-registry: error: --ca-file ${JSON.stringify(big)} is larger than 4 MiB, the most read from it\n`);
  }, 30_000);
});

describe('no credential in any output', () => {
  test('the runs above printed neither password, nor its base64 (run with the whole file)', () => {
    // GIVEN every output of the runs above, which used the sentinel password in every case
    expect(outputs.length).toBeGreaterThan(20);

    // THEN none holds it in any form
    for (const output of outputs) {
      for (const leak of LEAKS) {
        expect(output).not.toContain(leak);
      }
      expect(output).not.toContain(WRONG);
    }
  });
});

describe('PullCollector: the questions, as the kubelet would pull', () => {
  /** the questions `check --pull` would ask for this YAML, without asking them */
  async function questions(yaml: string) {
    const collector = await collect(yaml);
    return collector.result.map(q => ({ ...q, credentials: q.credentials.map(c => c.toJSON()), file: undefined }));
  }
  const config = (auths: { [server: string]: { username?: string; password?: string; auth?: string } }) =>
    Buffer.from(JSON.stringify({ auths })).toString('base64');
  const secret = (name: string, namespace: string | undefined, auths: Parameters<typeof config>[0]) =>
    `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ''}}\n`
    + `type: kubernetes.io/dockerconfigjson\ndata: {.dockerconfigjson: ${config(auths)}}\n---\n`;

  test('a pod\'s own secrets, else its ServiceAccount\'s; a secret without a namespace counts in any', async () => {
    // GIVEN a ServiceAccount with a secret, a namespaceless secret, and pods that use each way
    const yaml = secret('sa-secret', 'team', { 'reg.example.com': { username: 'u', password: SENTINEL } })
      + secret('elsewhere', 'other', { 'reg.example.com': { username: 'u', password: SENTINEL } })
      + secret('global', undefined, { 'reg.example.com/team': { auth: Buffer.from(`u:${SENTINEL}`).toString('base64') } })
      + 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: team}\nimagePullSecrets: [{name: sa-secret}]\n---\n'
      + 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: team}\nspec:\n  template:\n    spec:\n'
      + '      serviceAccountName: builder\n      initContainers: [{name: init, image: "reg.example.com/team/init:v1"}]\n'
      + '      containers: [{name: app, image: "reg.example.com/team/app:v1"}, {name: cached, image: "reg.example.com/team/x:v1", imagePullPolicy: Never}]\n---\n'
      + 'apiVersion: v1\nkind: Pod\nmetadata: {name: own, namespace: team}\nspec:\n  imagePullSecrets: [{name: global}, {name: missing}, {name: elsewhere}]\n'
      + '  containers: [{name: app, image: "reg.example.com/team/app:v1"}]\n';

    // WHEN the questions are made
    const found = await questions(yaml);

    // THEN the Deployment's images use the account's secret (the Never one is not pulled); the
    // pod's, its own, with the missing one named as not tried
    expect(found).toEqual([
      expect.objectContaining({ image: 'reg.example.com/team/init:v1', object: 'Deployment/team/web', line: 31, credentials: [{ secret: 'team/sa-secret', server: 'reg.example.com' }], untried: [] }),
      expect.objectContaining({ image: 'reg.example.com/team/app:v1', object: 'Deployment/team/web', line: 32, uses: 1, credentials: [{ secret: 'team/sa-secret', server: 'reg.example.com' }] }),
      expect.objectContaining({
        image: 'reg.example.com/team/app:v1',
        object: 'Pod/team/own',
        line: 39,
        credentials: [{ secret: 'global', server: 'reg.example.com/team' }],
        untried: ['secret "missing" (not in the input)', 'secret "elsewhere" (in another namespace than the pod)'],
        target: { registry: 'reg.example.com', repository: 'team/app', reference: 'v1' },
        lockKeys: ['reg.example.com/team/app:v1'],
      }),
    ]);
    expect(JSON.stringify(found)).not.toContain(SENTINEL);
  });

  test('the same image with the same credentials, in any spelling and namespace, is one question', async () => {
    // GIVEN two namespaces, each with a secret of the same content, and three spellings of one image
    const auths = { 'https://index.docker.io/v1/': { username: 'u', password: SENTINEL } };
    const pod = (name: string, namespace: string, ref: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  imagePullSecrets: [{name: hub}]\n  containers: [{name: c, image: "${ref}"}]\n---\n`;
    const yaml = secret('hub', 'a', auths) + secret('hub', 'b', auths)
      + pod('p1', 'a', 'nginx') + pod('p2', 'b', 'docker.io/library/nginx:latest') + pod('p3', 'a', 'index.docker.io/library/nginx')
      + pod('p4', 'a', 'nginx:1.25');

    // WHEN the questions are made
    const found = await questions(yaml);

    // THEN two questions, asked of Docker Hub with the Hub entry, the first used three times
    expect(found.map(q => [q.image, q.uses, q.target.reference, q.lockKeys])).toEqual([
      ['nginx', 3, 'latest', ['docker.io/library/nginx:latest']],
      ['nginx:1.25', 1, '1.25', ['docker.io/library/nginx:1.25']],
    ]);
    // THEN the pods of both namespaces are named, and the second namespace's secret as the same credentials
    expect(found[0].objects.map(o => o.object)).toEqual(['Pod/a/p1', 'Pod/b/p2', 'Pod/a/p3']);
    expect(found[0].sameCredentials).toEqual([['b/hub']]);
    expect(found[0].credentials).toEqual([{ secret: 'a/hub', server: 'https://index.docker.io/v1/' }]);
  });

  test('tags pinned to one digest are one question that keeps both lock keys', async () => {
    // GIVEN pinned output where two tags share a digest
    const digest = 'sha256:' + 'b'.repeat(64);
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n'
      + `  - {name: a, image: "reg.example.com/app:1.4@${digest}"}\n  - {name: b, image: "reg.example.com/app:1.4.2@${digest}"}\n`;

    // WHEN the questions are made
    const found = await questions(yaml);

    // THEN one question, by digest, with both tags for the lock
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ uses: 2, target: { reference: digest }, lockKeys: ['reg.example.com/app:1.4', 'reg.example.com/app:1.4.2'] });
  });

  test('a pull secret the API server refuses does not exist for the kubelet: named as not tried, and the others are', async () => {
    // GIVEN a pod that names a secret whose config is not JSON (the API server refuses it), and a good one
    const refused = 'apiVersion: v1\nkind: Secret\nmetadata: {name: refused}\ntype: kubernetes.io/dockerconfigjson\n'
      + `data: {.dockerconfigjson: ${Buffer.from('{not json').toString('base64')}}\n---\n`;
    const yaml = refused + secret('good', undefined, { 'reg.example.com': { username: 'u', password: SENTINEL } })
      + 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  imagePullSecrets: [{name: refused}, {name: good}]\n'
      + '  containers: [{name: c, image: "reg.example.com/app:v1"}]\n';

    // WHEN the questions are made
    const [q] = await questions(yaml);

    // THEN the good secret is tried, and the refused one named with why
    expect(q.unreadable).toBeUndefined();
    expect(q.credentials).toEqual([{ secret: 'good', server: 'reg.example.com' }]);
    expect(q.untried).toEqual([expect.stringMatching(/^secret "refused" \(the API server refuses it: ".dockerconfigjson": not valid JSON at line 1, column 2 \(.+\)\)$/)]);
  });

  test('what any pod of a merged question could not try is named', async () => {
    // GIVEN two pods of one image and secret, the second naming a secret the input lacks
    const pod = (name: string, secrets: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  imagePullSecrets: [${secrets}]\n  containers: [{name: c, image: "reg.example.com/app:v1"}]\n---\n`;
    const yaml = secret('good', undefined, { 'reg.example.com': { username: 'u', password: SENTINEL } })
      + pod('first', '{name: good}') + pod('second', '{name: good}, {name: missing}');

    // WHEN the questions are made THEN one question, which names the missing secret
    const found = await questions(yaml);
    expect(found).toHaveLength(1);
    expect(found[0].untried).toEqual(['secret "missing" (not in the input)']);
  });

  test('a pull secret the kubelet cannot read makes the pod pull nothing: an error, and nothing is asked', async () => {
    // GIVEN a pod that names a good secret and one the API server stores but the kubelet cannot read
    const broken = 'apiVersion: v1\nkind: Secret\nmetadata: {name: broken}\ntype: kubernetes.io/dockerconfigjson\n'
      + `data: {.dockerconfigjson: ${Buffer.from('{"auths": 5}').toString('base64')}}\n---\n`;
    const yaml = broken + secret('good', undefined, { 'reg.example.com': { username: 'u', password: SENTINEL } })
      + 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  imagePullSecrets: [{name: good}, {name: broken}]\n'
      + '  containers: [{name: c, image: "reg.example.com/app:v1"}]\n';
    const collector = await collect(yaml);

    // WHEN the registries are asked (reg.example.com does not exist: asking it would be unreachable)
    const [answer] = await askRegistries(collector, { timeoutMs: 1000 });

    // THEN the answer is the kubelet's: an error naming the secret, with its fix
    expect(answer.result).toEqual({ status: 'error', reason: expect.stringMatching(/^the kubelet cannot read pull secret "broken" \(.+\), so it pulls nothing for the pod$/) });
    expect(answerFix(answer)).toBe('fix the secret, e.g. recreate it with kubectl create secret docker-registry');
  });

  test('a pinned image is asked by its digest and keeps its tag\'s lock key; a ServiceAccount not in the input is named', async () => {
    // GIVEN a pod with a pinned image and an account the input does not define
    const digest = 'sha256:' + 'c'.repeat(64);
    const yaml = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  serviceAccountName: deployer\n  containers: [{name: c, image: "reg.example.com/app:v1@${digest}"}]\n`;

    // WHEN the questions are made
    const [q] = await questions(yaml);

    // THEN
    expect(q).toMatchObject({ target: { reference: digest }, lockKeys: ['reg.example.com/app:v1'], credentials: [], untried: ['serviceAccount "deployer" (not in the input)'] });
  });
});

describe('askRegistries', () => {
  test('at most `concurrency` requests at once, every question answered in order', async () => {
    // GIVEN a registry without auth that answers each manifest after 30 ms, counting requests in flight
    let inFlight = 0;
    let most = 0;
    const server = http.createServer((req, res) => {
      if (req.url === '/v2/') {
        res.writeHead(200).end();
        return;
      }
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        // an index that names its platform: no further request
        res.writeHead(200, { 'docker-content-digest': 'sha256:' + 'f'.repeat(64), 'content-type': 'application/vnd.oci.image.index.v1+json' })
          .end(JSON.stringify({ schemaVersion: 2, manifests: [{ digest: 'sha256:' + 'e'.repeat(64), platform: { os: 'linux', architecture: 'amd64' } }] }));
      }, 30);
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const collector = await collect(Array.from({ length: 20 }, (_, i) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\nspec:\n  containers: [{name: c, image: "${host}/app:v${i}", imagePullPolicy: IfNotPresent}]\n`).join('---\n'));

    try {
      // WHEN the 20 images are asked, 3 at once
      // many sockets: the limit must come from the pool of workers, not from the agent
      const answers = await askRegistries(collector, { concurrency: 3, maxSockets: 64, insecureRegistries: [host] });

      // THEN never more than 3 were in flight, 3 were, and every answer is in the input's order
      expect(most).toBe(3);
      expect(answers.map(a => [a.image, a.result.status])).toEqual(Array.from({ length: 20 }, (_, i) => [`${host}/app:v${i}`, 'ok']));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('otherUsers', () => {
  test('names the other objects an answer holds for, five at most', () => {
    // GIVEN an answer for seven objects
    const objects = Array.from({ length: 7 }, (_, i) => ({ object: `Pod/ns/p${i}`, file: 'f.yaml', image: 'r.io/app:v1' }));
    const answer = { object: 'Pod/ns/p0', image: 'r.io/app:v1', objects } as unknown as PullAnswer;

    // WHEN its line is written THEN the first is the line's own, five others follow, and a count
    expect(otherUsers(answer)).toBe('; also used by Pod/ns/p1, Pod/ns/p2, Pod/ns/p3, Pod/ns/p4, Pod/ns/p5 and 1 more');
    expect(otherUsers({ object: 'Pod/ns/p0', objects: objects.slice(0, 1) } as unknown as PullAnswer)).toBe('');
  });

  test('an object that writes the image another way (another tag on the same digest) is shown with its spelling', () => {
    const objects = [{ object: 'Pod/p', file: 'f', image: 'r.io/app:v1@sha256:x' }, { object: 'Deployment/d', file: 'f', image: 'r.io/app:v2@sha256:x' }];
    expect(otherUsers({ object: 'Pod/p', image: 'r.io/app:v1@sha256:x', objects } as unknown as PullAnswer))
      .toBe('; also used by Deployment/d (as "r.io/app:v2@sha256:x")');
  });
});

describe('lockedDigests', () => {
  const D1 = 'sha256:' + '1'.repeat(64);
  const D2 = 'sha256:' + '2'.repeat(64);
  const answer = (lockKeys: string[], reference: string, result: PullResult) =>
    ({ lockKeys, target: { registry: 'r.io', repository: 'app', reference }, result } as unknown as PullAnswer);

  test('by tag, pinned with a tag, and a tag asked both ways: the one asked by tag wins', () => {
    // GIVEN answers for a pinned v1, the same v1 by tag (a moved tag), a pinned-only v2, a digest without a tag and a failure
    const answers = [
      answer(['r.io/app:v1'], D1, { status: 'ok', digest: D1 }),
      answer(['r.io/app:v1'], 'v1', { status: 'ok', digest: D2 }),
      answer(['r.io/app:v2'], D1, { status: 'ok', digest: D1 }),
      answer([], D2, { status: 'ok', digest: D2 }),
      answer(['r.io/app:v3'], 'v3', { status: 'not-found', reason: 'x' }),
    ];

    // WHEN the lock's digests are taken THEN
    expect(lockedDigests(answers)).toEqual(new Map([['r.io/app:v1', D2], ['r.io/app:v2', D1]]));
    expect(lockedDigests([answers[1], answers[0]])).toEqual(new Map([['r.io/app:v1', D2]]));
  });

  test('tags pinned to one digest, asked once, each keep their entry', () => {
    // GIVEN one answer for a digest that the input pins under two tags
    const both = answer(['r.io/app:1.4', 'r.io/app:1.4.2'], D1, { status: 'ok', digest: D1 });

    // WHEN the lock's digests are taken THEN both tags are there
    expect(lockedDigests([both])).toEqual(new Map([['r.io/app:1.4', D1], ['r.io/app:1.4.2', D1]]));
  });
});
