// Every public entry point checks the runtime type of what it is given, as a JavaScript caller
// (or `process.env.X as string`) can pass anything: one table, the same bad values for each.
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CredentialValue, PrivateImageCronJob, PrivateImageDaemonSet, PrivateImageDeployment, PrivateImageJob, PrivateImagePod, PrivateImagePull,
  PrivateImageServiceAccount, PrivateImageStatefulSet, PrivateRegistryPolicy, RegistrySecret,
} from '../src';

const SENTINEL = 'Sentinel-Pa55word-9f3c';
const IMAGE = 'registry.gitlab.com/team/app:v1';

/** the bad values, by what the message must say was received */
const BAD: Array<[string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['an object', { value: SENTINEL }],
  ['an array', [SENTINEL]],
];
/** a string where an array is expected: never split into characters */
const STRING: [string, unknown] = ['a string', 'registry.gitlab.com'];

const any = (x: unknown) => x as any;
const existing = (chart: Chart) => RegistrySecret.fromSecretName(chart, `ref${chart.node.children.length}`, 'regcred', { servers: ['registry.gitlab.com'] });
const secret = (chart: Chart, id = 'regcred') => new RegistrySecret(chart, id, {
  server: 'registry.gitlab.com', username: CredentialValue.fromString('ci'), password: CredentialValue.fromString(SENTINEL),
});

type EntryPoint = [name: string, property: string, path: RegExp, run: (chart: Chart, value: unknown) => unknown, bad: Array<[string, unknown]>];
const workloads: Array<[string, new (scope: Chart, id: string, props: any) => unknown]> = [
  ['PrivateImagePod', PrivateImagePod], ['PrivateImageDeployment', PrivateImageDeployment], ['PrivateImageStatefulSet', PrivateImageStatefulSet],
  ['PrivateImageDaemonSet', PrivateImageDaemonSet], ['PrivateImageJob', PrivateImageJob], ['PrivateImageCronJob', PrivateImageCronJob],
];

const ENTRY_POINTS: EntryPoint[] = [
  ['new RegistrySecret', 'props', /^test\/s: /, (c, v) => new RegistrySecret(c, 's', any(v)), BAD.filter(([t]) => t !== 'an object')],
  ['new RegistrySecret', 'username', /^test\/s: server "https:\/\/index.docker.io\/v1\/": /, (c, v) => new RegistrySecret(c, 's', any({ username: v, password: SENTINEL })), BAD],
  ['new RegistrySecret', 'password', /^test\/s: server "https:\/\/index.docker.io\/v1\/": /, (c, v) => new RegistrySecret(c, 's', any({ username: 'ci', password: v })), BAD],
  ['new RegistrySecret', 'email', /^test\/s: server "https:\/\/index.docker.io\/v1\/": /, (c, v) => new RegistrySecret(c, 's', any({ username: 'ci', password: SENTINEL, email: v })), BAD.filter(([t]) => t !== 'undefined')],
  ['new RegistrySecret', 'server', /^test\/s: /, (c, v) => new RegistrySecret(c, 's', any({ server: v, username: 'ci', password: SENTINEL })), BAD.filter(([t]) => t !== 'undefined')],
  ['new RegistrySecret', 'metadata', /^test\/s: /, (c, v) => new RegistrySecret(c, 's', any({ metadata: v, username: 'ci', password: SENTINEL })), BAD.filter(([t]) => t !== 'undefined' && t !== 'an object')],
  ['new RegistrySecret', 'appendHash', /^test\/s: /, (c, v) => new RegistrySecret(c, 's', any({ appendHash: v, username: 'ci', password: SENTINEL })), BAD.filter(([t]) => t !== 'undefined')],
  ['addRegistry', 'credentials', /^test\/regcred: /, (c, v) => secret(c).addRegistry(any(v)), BAD.filter(([t]) => t !== 'an object')],
  ['addRegistry', 'password', /^test\/regcred: server "ghcr.io": /, (c, v) => secret(c).addRegistry(any({ server: 'ghcr.io', username: 'ci', password: v })), BAD],
  ['addRegistry', 'server', /^test\/regcred: /, (c, v) => secret(c).addRegistry(any({ server: v, username: 'ci', password: SENTINEL })), BAD.filter(([t]) => t !== 'undefined')],
  ['RegistrySecret.fromSecretName', 'name', /^test\/r: /, (c, v) => RegistrySecret.fromSecretName(c, 'r', any(v), { servers: ['registry.gitlab.com'] }), BAD],
  ['RegistrySecret.fromSecretName', 'options', /^test\/r: /, (c, v) => RegistrySecret.fromSecretName(c, 'r', 'regcred', any(v)), BAD.filter(([t]) => t !== 'an object')],
  ['RegistrySecret.fromSecretName', 'servers', /^test\/r: /, (c, v) => RegistrySecret.fromSecretName(c, 'r', 'regcred', any({ servers: v })), [...BAD.filter(([t]) => t !== 'an array'), STRING]],
  ['RegistrySecret.fromSecretName', 'namespace', /^test\/r: /, (c, v) => RegistrySecret.fromSecretName(c, 'r', 'regcred', any({ servers: ['ghcr.io'], namespace: v })), BAD.filter(([t]) => t !== 'undefined')],
  ['RegistrySecret.fromDockerConfigJson', 'json', /^test\/d: /, (c, v) => RegistrySecret.fromDockerConfigJson(c, 'd', any(v)), BAD],
  ['RegistrySecret.fromDockerConfigJson', 'options', /^test\/d: /, (c, v) => RegistrySecret.fromDockerConfigJson(c, 'd', '{"auths":{"ghcr.io":{"auth":"dTpw"}}}', any(v)), BAD.filter(([t]) => t !== 'undefined' && t !== 'an object')],
  ['RegistrySecret.fromDockerConfigFile', 'path', /^test\/d: /, (c, v) => RegistrySecret.fromDockerConfigFile(c, 'd', any(v)), BAD],
  ['CredentialValue.fromEnvironment', 'variable', /^CredentialValue.fromEnvironment: /, (_c, v) => CredentialValue.fromEnvironment(any(v)), BAD],
  ['CredentialValue.fromFile', 'path', /^CredentialValue.fromFile: /, (_c, v) => CredentialValue.fromFile(any(v)), BAD],
  ['CredentialValue.fromString', 'value', /^CredentialValue.fromString: /, (_c, v) => CredentialValue.fromString(any(v)), BAD],
  ...workloads.flatMap(([name, Workload]): EntryPoint[] => [
    [`new ${name}`, 'props', /^test\/w: /, (c, v) => new Workload(c, 'w', v), BAD.filter(([t]) => t !== 'an object' && t !== 'undefined')],
    [`new ${name}`, 'registrySecrets', /^test\/w: /, (c, v) => new Workload(c, 'w', { registrySecrets: v, containers: [{ image: IMAGE }] }), [...BAD.filter(([t]) => t !== 'undefined' && t !== 'an array'), STRING, ['a string', ['regcred']]]],
    [`new ${name}`, 'publicRegistries', /^test\/w: /, (c, v) => new Workload(c, 'w', { registrySecrets: [existing(c)], publicRegistries: v, containers: [{ image: IMAGE }] }), [...BAD.filter(([t]) => t !== 'undefined' && t !== 'an array'), STRING]],
    [`new ${name}`, 'nodeCredentials', /^test\/w: /, (c, v) => new Workload(c, 'w', { registrySecrets: [existing(c)], nodeCredentials: v, containers: [{ image: IMAGE }] }), [...BAD.filter(([t]) => t !== 'undefined'), STRING]],
    [`new ${name}`, 'platforms', /^test\/w: /, (c, v) => new Workload(c, 'w', { registrySecrets: [existing(c)], platforms: v, containers: [{ image: IMAGE }] }), [...BAD.filter(([t]) => t !== 'undefined' && t !== 'an array'), STRING]],
  ]),
  ['addRegistrySecret', 'registrySecrets[1]', /^test\/w: /, (c, v) => new PrivateImageDeployment(c, 'w', { registrySecrets: [existing(c)], containers: [{ image: IMAGE }] }).addRegistrySecret(any(v)), BAD.filter(([t]) => t !== 'an object')],
  ['new PrivateImageServiceAccount', 'registrySecrets', /^test\/sa: /, (c, v) => new PrivateImageServiceAccount(c, 'sa', any({ registrySecrets: v })), [...BAD.filter(([t]) => t !== 'an array'), STRING]],
  ['new PrivateImagePull', 'registrySecrets', /^PrivateImagePull: /, (_c, v) => new PrivateImagePull(any({ registrySecrets: v })), [...BAD.filter(([t]) => t !== 'an array'), STRING]],
  ['PrivateImagePull.applyTo', 'construct', /^PrivateImagePull: /, (c, v) => new PrivateImagePull({ registrySecrets: [existing(c)] }).applyTo(any(v)), BAD.filter(([t]) => t !== 'an object')],
  ['new PrivateRegistryPolicy', 'props', /^test\/p: /, (c, v) => new PrivateRegistryPolicy(c, 'p', any(v)), BAD.filter(([t]) => t !== 'undefined' && t !== 'an object')],
  ['new PrivateRegistryPolicy', 'mode', /^test\/p: /, (c, v) => new PrivateRegistryPolicy(c, 'p', any({ mode: v })), [...BAD.filter(([t]) => t !== 'undefined'), ['a string', 'WIRE']]],
  ['new PrivateRegistryPolicy', 'registrySecrets', /^test\/p: /, (c, v) => new PrivateRegistryPolicy(c, 'p', any({ registrySecrets: v })), [...BAD.filter(([t]) => t !== 'undefined' && t !== 'an array'), STRING]],
  ['new PrivateRegistryPolicy', 'publicRegistries', /^test\/p: /, (c, v) => new PrivateRegistryPolicy(c, 'p', any({ publicRegistries: v })), [...BAD.filter(([t]) => t !== 'undefined' && t !== 'an array'), STRING]],
  ['new PrivateRegistryPolicy', 'nodeCredentials', /^test\/p: /, (c, v) => new PrivateRegistryPolicy(c, 'p', any({ nodeCredentials: v })), [...BAD.filter(([t]) => t !== 'undefined'), STRING]],
  ['new PrivateRegistryPolicy', 'platforms', /^test\/p: /, (c, v) => new PrivateRegistryPolicy(c, 'p', any({ platforms: v })), [...BAD.filter(([t]) => t !== 'undefined' && t !== 'an array'), STRING]],
  ['new PrivateImagePull', 'platforms', /^PrivateImagePull: /, (c, v) => new PrivateImagePull(any({ registrySecrets: [existing(c)], platforms: v })), [...BAD.filter(([t]) => t !== 'undefined' && t !== 'an array'), STRING]],
  ['new RegistrySecret', 'copyToNamespaces', /^test\/s: /, (c, v) => new RegistrySecret(c, 's', any({ copyToNamespaces: v, username: 'ci', password: SENTINEL })),
    // a string that is not a namespace name is quoted, as the offending value: the array holds a number instead
    [...BAD.filter(([t]) => t !== 'undefined' && t !== 'an array'), ['an array', [42]], STRING]],
  ['new PrivateRegistryPolicy', 'disallowLatest', /^test\/p: /, (c, v) => new PrivateRegistryPolicy(c, 'p', any({ disallowLatest: v })), [...BAD.filter(([t]) => t !== 'undefined'), ['a string', 'yes']]],
];

const CASES = ENTRY_POINTS.flatMap(([name, property, path, run, bad]) =>
  bad.map(([type, value]) => [name, property, type, path, run, value] as const));

describe('runtime checks of every public input', () => {
  test.each(CASES)('%s refuses %s given as %s', (_name, property, type, path, run, value) => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    let error: any;
    try { run(chart, value); } catch (e) { error = e; }

    // THEN: a plain Error naming the place, the property and what came, never the value
    expect(error?.constructor).toBe(Error);
    expect(error.message).toMatch(path);
    expect(error.message).toContain(property.replace(/\[\d+\]$/, ''));
    expect(error.message).toMatch(new RegExp(`is ${type === 'a string' ? '(a string|an array|the secret)' : type}|expected|missing`));
    expect(error.message).not.toContain(SENTINEL);
    expect(error.message).toMatch(/expected|give|use|declare/);
    // AND nothing is left behind: the chart still synthesizes a pod whose secrets are looked up in the app
    const ok = RegistrySecret.fromSecretName(chart, 'ok-secret', 'ok', { servers: ['registry.gitlab.com'] });
    new PrivateImagePod(chart, 'ok-pod', { registrySecrets: [ok], containers: [{ image: IMAGE }] });
    expect(Testing.synth(chart).some(m => m.kind === 'Pod' && m.metadata.name.startsWith('test-ok-pod-'))).toBe(true);
  });

  test('nothing is written for a refused input: the chart synthesizes as if it had not been tried', () => {
    // GIVEN
    const chart = Testing.chart();
    try { new RegistrySecret(chart, 's', any({ username: 'ci', password: process.env.CDK8S_PR_UNSET })); } catch { /* refused */ }

    // WHEN
    const manifests = Testing.synth(chart);

    // THEN: the refused secret left no half-built Secret behind
    expect(manifests).toEqual([]);
  });

  test('a string for a list is never split into characters', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const attempt = () => RegistrySecret.fromSecretName(chart, 'r', 'regcred', any({ servers: 'registry.gitlab.com' }));

    // THEN
    expect(attempt).toThrow('test/r: servers is a string; expected an array of the servers the secret covers, e.g. ["registry.gitlab.com"]');
  });

  test('a kplus Secret.fromSecretName where a registry secret is wanted points to RegistrySecret.fromSecretName', () => {
    // GIVEN
    const chart = Testing.chart();
    const plain = kplus.Secret.fromSecretName(chart, 'plain', 'regcred');

    // WHEN
    const attempt = () => new PrivateImagePod(chart, 'pod', { registrySecrets: [plain], containers: [{ image: IMAGE }] });

    // THEN
    expect(attempt).toThrow(/registrySecrets\[0\] is the secret "regcred", whose servers are unknown .*RegistrySecret\.fromSecretName\(scope, id, 'regcred'/);
  });
});
