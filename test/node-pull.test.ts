import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OciImage, pushImage, writeOciLayout } from './support/oci-image';
import { requireTools, RunningRegistry, startRegistry } from './support/registry';
import { CredentialPlugins } from '../src/cli/credential-plugins';
import { IValidationContext, PrivateRegistryValidation, PrivateRegistryValidationProps, ValidationViolation } from '../src/cli/validation-plugin';
import { CredentialProviderSpec } from '../src/rules/credential-provider-config';

/*
 * check --pull with the node's credential providers, against a real docker-registry with htpasswd
 * auth. The provider is an executable written here: it speaks the kubelet's protocol on stdin and
 * stdout (kubernetes pkg/credentialprovider/plugin/plugin.go) and hands out the registry's user.
 */

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'cdk8s-private-registry.js');
const PASSWORD = 'Sentinel-Node-Password-5c1e';
const USER = { username: 'node', password: PASSWORD };
const WRONG = 'Sentinel-Wrong-Password-0b9d';
const API = 'credentialprovider.kubelet.k8s.io/v1';
const TIMEOUT = 60_000;

let work: string;
let image: OciImage;
let registry: RunningRegistry;

/**
 * The provider: MODE selects its behaviour; every run appends the requested image to CALLS.
 * It writes its password to stderr too, which no report may show.
 */
const PROVIDER = `#!${process.execPath}
const fs = require('fs');
let input = '';
process.stdin.on('data', c => input += c);
process.stdin.on('end', () => {
  const request = JSON.parse(input);
  fs.appendFileSync(process.env.CALLS, request.apiVersion + ' ' + request.kind + ' ' + request.image + ' ' + process.argv.slice(2).join(',') + '\\n');
  process.stderr.write('token ${PASSWORD}\\n');
  const mode = process.env.MODE;
  const response = {
    kind: 'CredentialProviderResponse',
    apiVersion: mode === 'wrong-version' ? 'credentialprovider.kubelet.k8s.io/v1beta1' : '${API}',
    cacheKeyType: 'Registry',
    cacheDuration: '5m',
    auth: { [request.image.split('/')[0]]: { username: '${USER.username}', password: '${PASSWORD}' } },
  };
  if (mode === 'exit') { process.stdout.write('${PASSWORD}'); process.exit(3); }
  if (mode === 'bad-json') { process.stdout.write('{"auth": ${PASSWORD}'); return; }
  if (mode === 'hang') { setTimeout(() => {}, 600000); return; }
  if (mode === 'orphan') {
    // a process of its own that keeps the plugin's stdout open after the plugin is killed
    require('child_process').spawn('sleep', ['60'], { stdio: ['ignore', 'inherit', 'ignore'], detached: true }).unref();
    setTimeout(() => {}, 600000);
    return;
  }
  if (mode === 'flood') { process.stdout.write('x'.repeat(2 * 1024 * 1024)); return; }
  process.stdout.write(JSON.stringify(response));
});
`;

beforeAll(async () => {
  requireTools();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-pr-node-'));
  image = writeOciLayout(path.join(work, 'oci'), 'v1');
  registry = await startRegistry({ auth: 'htpasswd', users: [USER] });
  await pushImage(image, registry.url, 'team/app', ['v1'], USER);
  await pushImage(image, registry.url, 'team/api', ['v1'], USER);
  await pushImage(image, registry.url, 'team/web', ['v1'], USER);
  fs.mkdirSync(path.join(work, 'bin'));
  fs.writeFileSync(path.join(work, 'bin', 'test-provider'), PROVIDER, { mode: 0o755 });
}, 90_000);

afterAll(async () => {
  await registry?.stop();
  if (work) {
    fs.rmSync(work, { recursive: true, force: true });
  }
}, 90_000);

/** a provider config for the registry, with env MODE and CALLS for the provider */
function providerConfig(mode: string, calls: string): string {
  const file = path.join(fs.mkdtempSync(path.join(work, 'config-')), 'config.yaml');
  fs.writeFileSync(file, `kind: CredentialProviderConfig
apiVersion: kubelet.config.k8s.io/v1
providers:
  - name: test-provider
    matchImages: ["${registry.host}"]
    defaultCacheDuration: "1m"
    apiVersion: ${API}
    args: [get-credentials]
    env:
      - {name: MODE, value: ${mode}}
      - {name: CALLS, value: ${calls}}
`);
  return file;
}

function pods(images: string[], extra = ''): string {
  const file = path.join(fs.mkdtempSync(path.join(work, 'pods-')), 'pods.yaml');
  fs.writeFileSync(file, images.map((ref, i) => `apiVersion: v1
kind: Pod
metadata: {name: pod${i}}
spec:${extra}
  containers:
    - {name: app, image: "${ref}", imagePullPolicy: IfNotPresent}
`).join('---\n'));
  return file;
}

function checkPull(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, 'check', '--pull', '--insecure-registry', registry.host, ...args], { encoding: 'utf8', timeout: TIMEOUT });
  expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function callsFile(): string {
  const file = path.join(fs.mkdtempSync(path.join(work, 'calls-')), 'calls');
  fs.writeFileSync(file, '');
  return file;
}

/** the test plugin in `mode` (`hang`, `orphan`), opened as check --pull opens it, with a timeout of 0.5 s */
function slowPlugin(mode: string): CredentialPlugins {
  const spec: CredentialProviderSpec = {
    name: 'test-provider',
    matchImages: [registry.host],
    defaultCacheDuration: 0,
    apiVersion: API,
    args: [],
    env: [{ name: 'MODE', value: mode }, { name: 'CALLS', value: callsFile() }],
  };
  return CredentialPlugins.open([spec], path.join(work, 'bin'), { timeoutMs: 500 });
}

function callLines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(l => l !== '');
}

describe('check --pull with the node\'s credential providers', () => {
  test('the pull succeeds with no pull secret at all, and the report names the provider', () => {
    // GIVEN
    const calls = callsFile();
    const manifests = pods([`${registry.host}/team/app:v1`]);

    // WHEN
    const { status, stdout } = checkPull(['--image-credential-provider-config', providerConfig('ok', calls),
      '--image-credential-provider-bin-dir', path.join(work, 'bin'), '--format', 'json', manifests]);

    // THEN
    expect(status).toBe(0);
    const entry = JSON.parse(stdout).find((e: any) => e.rule === 'image-pull');
    expect(entry.pull.status).toBe('ok');
    expect(entry.pull.coveredBy).toBe('node provider "test-provider"');
    expect(callLines(calls)).toEqual([`${API} CredentialProviderRequest ${registry.host}/team/app get-credentials`]);
  }, TIMEOUT);

  test('a pull secret with a wrong password comes first; the node\'s credential still lets the kubelet pull', () => {
    // GIVEN: the kubelet tries the pod's secrets, then the node's (secrets.MakeDockerKeyring)
    const calls = callsFile();
    const config = Buffer.from(JSON.stringify({ auths: { [registry.host]: { username: USER.username, password: WRONG } } })).toString('base64');
    const secret = `apiVersion: v1
kind: Secret
metadata: {name: stale}
type: kubernetes.io/dockerconfigjson
data: {.dockerconfigjson: ${config}}
---
`;
    const manifests = pods([`${registry.host}/team/app:v1`], '\n  imagePullSecrets: [{name: stale}]');
    fs.writeFileSync(manifests, secret + fs.readFileSync(manifests, 'utf8'));

    // WHEN
    const { status, stdout } = checkPull(['--image-credential-provider-config', providerConfig('ok', calls),
      '--image-credential-provider-bin-dir', path.join(work, 'bin'), manifests]);

    // THEN
    expect(status).toBe(0);
    expect(stdout).toMatch(/team\/app:v1: ok sha256:[0-9a-f]{64} \(node provider "test-provider"\)/);
    expect(stdout).not.toContain(WRONG);
  }, TIMEOUT);

  test('one plugin call serves every image of the registry under Registry caching', () => {
    // GIVEN
    const calls = callsFile();
    const manifests = pods(['app', 'api', 'web'].map(r => `${registry.host}/team/${r}:v1`));

    // WHEN
    const { status, stdout } = checkPull(['--image-credential-provider-config', providerConfig('ok', calls),
      '--image-credential-provider-bin-dir', path.join(work, 'bin'), manifests]);

    // THEN
    expect(status).toBe(0);
    expect(stdout).toContain('every image is ok: 3 asked');
    expect(callLines(calls)).toHaveLength(1);
  }, TIMEOUT);

  test('without the bin dir, an image only the node covers is "could not be run", not unauthorized', () => {
    // GIVEN
    const manifests = pods([`${registry.host}/team/app:v1`]);

    // WHEN
    const { status, stdout } = checkPull(['--image-credential-provider-config', providerConfig('ok', callsFile()), manifests]);

    // THEN
    expect(status).toBe(1);
    expect(stdout).toContain(`error: node provider "test-provider" covers ${registry.host}/team/app but could not be run`);
    expect(stdout).not.toContain('unauthorized');
  }, TIMEOUT);

  test.each([
    ['exit', 'it exited with status 3'],
    ['bad-json', 'its response on stdout is not JSON'],
    ['wrong-version', 'its response\'s apiVersion "credentialprovider.kubelet.k8s.io/v1beta1" is not the configured "credentialprovider.kubelet.k8s.io/v1"'],
    ['flood', 'it wrote more than 1048576 bytes on stdout'],
  ])('a plugin failure (%s) is the image\'s one-line error, without the plugin\'s output', (mode, reason) => {
    // GIVEN
    const manifests = pods([`${registry.host}/team/app:v1`]);

    // WHEN
    const { status, stdout } = checkPull(['--image-credential-provider-config', providerConfig(mode, callsFile()),
      '--image-credential-provider-bin-dir', path.join(work, 'bin'), manifests]);

    // THEN
    expect(status).toBe(1);
    expect(stdout).toContain(`team/app:v1: error: node provider "test-provider" gave no credentials: ${reason}`);
  }, TIMEOUT);

  test('a plugin that does not answer in time is stopped and reported', async () => {
    // GIVEN: the kubelet's timeout is a minute; this one is short
    const plugins = slowPlugin('hang');

    // WHEN
    const result = await plugins.credentialsFor(`${registry.host}/team/app`);

    // THEN
    expect(result).toEqual({ credentials: [], errors: ['node provider "test-provider" gave no credentials: it did not answer within 0.5 s'] });
  }, TIMEOUT);

  test('a plugin whose own child keeps its stdout open is still stopped in time', async () => {
    // GIVEN a plugin that hangs and leaves a process holding its stdout
    const plugins = slowPlugin('orphan');

    // WHEN
    const started = Date.now();
    const result = await plugins.credentialsFor(`${registry.host}/team/app`);

    // THEN the answer comes at the timeout, not when the orphan lets go of the pipe
    expect(result).toEqual({ credentials: [], errors: ['node provider "test-provider" gave no credentials: it did not answer within 0.5 s'] });
    expect(Date.now() - started).toBeLessThan(20_000);
  }, TIMEOUT);

  test('a provider that asks for a ServiceAccount token cannot be served offline, and says so naming it', async () => {
    // GIVEN
    const calls = callsFile();
    const spec: CredentialProviderSpec = {
      name: 'test-provider',
      matchImages: [registry.host],
      defaultCacheDuration: 0,
      apiVersion: API,
      args: [],
      env: [{ name: 'CALLS', value: calls }],
      serviceAccountTokenAudience: 'my-audience',
    };

    // WHEN
    const result = await CredentialPlugins.open([spec], path.join(work, 'bin')).credentialsFor(`${registry.host}/team/app`);

    // THEN
    expect(result.errors).toEqual([expect.stringMatching(/^node provider "test-provider" gave no credentials: it asks for a ServiceAccount token .*cannot serve offline$/)]);
    expect(callLines(calls)).toEqual([]);
  }, TIMEOUT);

  test('a provider without its executable in the bin dir is a usage error before anything is asked', () => {
    // GIVEN
    const config = providerConfig('ok', callsFile());
    const manifests = pods([`${registry.host}/team/app:v1`]);

    // WHEN
    const { status, stderr } = checkPull(['--image-credential-provider-config', config, '--image-credential-provider-bin-dir', work, manifests]);

    // THEN
    expect(status).toBe(2);
    expect(stderr).toContain('provider "test-provider" has no executable');
  }, TIMEOUT);
});

describe('the validation plugin\'s pull check with the node\'s providers', () => {
  async function validate(props: PrivateRegistryValidationProps) {
    const violations: ValidationViolation[] = [];
    const submitted: string[] = [];
    const logs: string[] = [];
    const context: IValidationContext = {
      manifests: [pods([`${registry.host}/team/app:v1`])],
      report: { addViolation: v => violations.push(v), submit: status => submitted.push(status) },
      logger: { log: m => logs.push(m) },
    };
    await new PrivateRegistryValidation({ pull: true, insecureRegistries: [registry.host], ...props }).validate(context);
    expect(JSON.stringify({ violations, logs })).not.toContain(PASSWORD);
    return { violations, submitted, logs };
  }

  test('with imageCredentialProviderBinDir the provider is run and the image passes', async () => {
    // GIVEN
    const calls = callsFile();

    // WHEN
    const { violations, submitted, logs } = await validate({
      imageCredentialProviderConfig: providerConfig('ok', calls), imageCredentialProviderBinDir: path.join(work, 'bin'),
    });

    // THEN
    expect(violations).toEqual([]);
    expect(submitted).toEqual(['success']);
    expect(logs.join('\n')).toContain('(node provider "test-provider")');
    expect(callLines(calls)).toHaveLength(1);
  }, TIMEOUT);

  test('without it, the image fails the pull check saying the provider could not be run', async () => {
    // GIVEN / WHEN
    const { violations } = await validate({ imageCredentialProviderConfig: providerConfig('ok', callsFile()) });

    // THEN
    expect(violations.map(v => v.ruleName)).toEqual(['image-pull']);
    expect(violations[0].violatingResources[0].locations[0])
      .toContain('could not be run: give imageCredentialProviderBinDir in the plugin\'s properties');
  }, TIMEOUT);
});

describe('what covers an image, in check --pull\'s JSON', () => {
  test('a ServiceAccount\'s pull secret is named with the ServiceAccount', () => {
    // GIVEN
    const config = Buffer.from(JSON.stringify({ auths: { [registry.host]: USER } })).toString('base64');
    const manifests = pods([`${registry.host}/team/app:v1`], '\n  serviceAccountName: puller');
    fs.writeFileSync(manifests, `apiVersion: v1
kind: Secret
metadata: {name: regcred}
type: kubernetes.io/dockerconfigjson
data: {.dockerconfigjson: ${config}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: puller}
imagePullSecrets: [{name: regcred}]
---
${fs.readFileSync(manifests, 'utf8')}`);

    // WHEN
    const { status, stdout } = checkPull(['--format', 'json', manifests]);

    // THEN
    expect(status).toBe(0);
    expect(JSON.parse(stdout).find((e: any) => e.rule === 'image-pull').pull.coveredBy).toBe('secret "regcred" of serviceAccount "puller"');
  }, TIMEOUT);
});
