// The version-independent path, on today's `cdk8s init`: test/kplus33/app.ts is a cdk8s-plus-33 app.
// It is type-checked here as `tsc --noEmit -p test/kplus33/tsconfig.json` would, in process, and its
// charts are synthesized (and, by the jest setup, checked against the Kubernetes 1.27 schema).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus33 from 'cdk8s-plus-33';
import * as ts from 'typescript';
import { CredentialValue, PrivateImagePull, RegistrySecret } from '../src';
import { MixinChart, PrivatePodChart, pullWithKplusSecretFromSecretName, REGISTRY, VerifiedChart, WiredChart } from './kplus33/app';
import { checkManifests } from '../src/cli/manifest-check';

const APP_DIR = path.join(__dirname, 'kplus33');
const APP = path.join(APP_DIR, 'app.ts');
const DIRECTIVE = /\/\/ @ts-expect-error (cdk8s-plus-\d+) (\w+)$/;

const ENV = { REGISTRY_USERNAME: 'ci', REGISTRY_PASSWORD: 'not-a-real-password', GHCR_USERNAME: 'bot', GHCR_TOKEN: 'not-a-real-token' };
const saved = Object.fromEntries(Object.keys(ENV).map(k => [k, process.env[k]]));
beforeAll(() => Object.assign(process.env, ENV));
afterAll(() => Object.entries(saved).forEach(([k, v]) => v === undefined ? delete process.env[k] : process.env[k] = v));

/**
 * The diagnostics of `tsc -p test/kplus33/tsconfig.json`, with the app's `@ts-expect-error` read as a
 * plain comment, so that the errors it expects are seen: tsc passes on the file as written exactly
 * when every error is on a line a directive expects, and every directive expects one.
 */
function typeCheck(): readonly ts.Diagnostic[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(APP_DIR, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: d => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  expect(config.fileNames.map(f => path.resolve(f))).toContain(APP);
  const host = ts.createCompilerHost(config.options);
  const read = host.readFile;
  host.readFile = file => path.resolve(file) === APP ? read(file)?.replace(/@ts-expect-error/g, 'expected error:') : read(file);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host });
  return [...config.errors, ...ts.getPreEmitDiagnostics(program)];
}

function describeDiagnostic(d: ts.Diagnostic): string {
  const where = d.file ? `${path.relative(APP_DIR, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start!).line + 1}: ` : '';
  return `${where}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
}

function byKind(manifests: any[], kind: string): any[] {
  return manifests.filter(m => m.kind === kind);
}

function podSpec(manifest: any): any {
  return { Pod: manifest.spec, CronJob: manifest.spec.jobTemplate?.spec.template.spec }[manifest.kind as string] ?? manifest.spec.template.spec;
}

describe('a cdk8s-plus-33 app type-checks against the library', () => {
  const text = fs.readFileSync(APP, 'utf8');
  // the app's `@ts-expect-error <package> <class>` directives, each with the line it expects an error on
  const directives = text.split('\n').flatMap((line, i) => {
    const m = DIRECTIVE.exec(line.trim());
    return m ? [{ line: i + 2, from: m[1], className: m[2] }] : [];
  });
  let found: Array<{ line?: number; text: string }>;
  beforeAll(() => {
    found = typeCheck().map(d => ({
      line: d.file && path.resolve(d.file.fileName) === APP ? d.file.getLineAndCharacterOfPosition(d.start!).line + 1 : undefined,
      text: describeDiagnostic(d),
    }));
  });

  test('with no error and no cast: RegistrySecret, PrivateRegistryPolicy, the mixin, dockerRegistryAuth, DockerConfigSecret', () => {
    // GIVEN the app as written
    expect(text).not.toMatch(/as any|@ts-ignore|@ts-nocheck/);
    expect(text.split('@ts-expect-error').length - 1).toBe(directives.length);

    // WHEN
    const expected = new Set(directives.map(d => d.line));

    // THEN no error but where a directive expects one
    expect(found.filter(f => f.line === undefined || !expected.has(f.line)).map(f => f.text)).toEqual([]);
  });

  test('tsc refuses a kplus-33 Volume, Probe or EnvFrom inside a PrivateImagePod, exactly where the app expects it', () => {
    // GIVEN
    expect(directives.map(d => d.className)).toEqual(expect.arrayContaining(['Volume', 'Probe']));

    // WHEN
    const refused = directives.map(d => ({ ...d, messages: found.filter(f => f.line === d.line).map(f => f.text) }));

    // THEN each expected line fails as a class of one cdk8s-plus given where the other's is typed
    for (const d of refused) {
      const other = d.from === 'cdk8s-plus-33' ? 'cdk8s-plus-27' : 'cdk8s-plus-33';
      expect(d.messages).not.toEqual([]);
      for (const message of d.messages) {
        expect(message).toMatch(new RegExp(`${d.from}/lib/[a-z-]+"\\)\\.${d.className}' is not assignable to (parameter of )?type 'import\\("[^"]*/${other}/lib/[a-z-]+"\\)\\.${d.className}'`));
        expect(message).toMatch(/Types have separate declarations of a private property/);
      }
    }
  });
});

describe('PrivateRegistryPolicy on cdk8s-plus-33 objects', () => {
  test('WIRE names the secret in kplus-33 Deployments, Jobs and Pods, and writes imagePullPolicy where kplus-33 L1s leave it out', () => {
    // GIVEN
    const chart = new WiredChart(Testing.app(), 'wired');

    // WHEN
    const manifests = Testing.synth(chart);

    // THEN
    const pods = ['Deployment', 'Job', 'Pod'].map(kind => byKind(manifests, kind));
    expect(pods.map(p => p.length)).toEqual([2, 1, 1]);
    for (const manifest of pods.flat()) {
      expect(podSpec(manifest).imagePullSecrets).toEqual([{ name: 'regcred' }]);
    }
    // cdk8s-plus writes Always on every container it builds; the L1 gets Kubernetes' default for a tagged image
    const policies = Object.fromEntries(pods.flat().map(m => [m.metadata.name, podSpec(m).containers[0].imagePullPolicy]));
    expect(Object.values(policies).sort()).toEqual(['Always', 'Always', 'Always', 'IfNotPresent']);
    expect(policies[byKind(manifests, 'Deployment').find(d => d.spec.template.metadata.labels.app === 'l1').metadata.name]).toBe('IfNotPresent');
    expect(manifests).toMatchSnapshot();
  });

  test('VERIFY passes kplus-33 objects that name a covering secret (dockerRegistryAuth, the mixin) and changes nothing', () => {
    // GIVEN
    const chart = new VerifiedChart(Testing.app(), 'verified');

    // WHEN
    const manifests = Testing.synth(chart);

    // THEN
    expect(podSpec(byKind(manifests, 'Deployment')[0]).imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(podSpec(byKind(manifests, 'Job')[0]).imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(podSpec(byKind(manifests, 'Pod')[0])).not.toHaveProperty('imagePullSecrets');
  });

  test('VERIFY refuses a kplus-33 Pod whose image no secret covers, naming its construct path', () => {
    // GIVEN
    const chart = new VerifiedChart(Testing.app(), 'verified', { toolboxImage: `${REGISTRY}/team/toolbox:v1` });

    // WHEN
    const synth = () => Testing.synth(chart);

    // THEN
    expect(synth).toThrow(/\[verified\/pull-policy\] verified\/toolbox\/Resource: Pod\/verified-toolbox-\w+: container "main" image "registry\.example\.com\/team\/toolbox:v1": no pull secret covers registry "registry\.example\.com"/);
  });
});

describe('the PrivateImagePull mixin on cdk8s-plus-33 workloads', () => {
  test('names a RegistrySecret and a kplus-33 DockerConfigSecret on a Deployment, and a secret created out of band on a whole scope', () => {
    // GIVEN
    const chart = new MixinChart(Testing.app(), 'mixin');

    // WHEN
    const manifests = Testing.synth(chart);

    // THEN
    expect(podSpec(byKind(manifests, 'Deployment')[0]).imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'ghcr' }]);
    for (const manifest of [...byKind(manifests, 'Job'), ...byKind(manifests, 'CronJob')]) {
      expect(podSpec(manifest).imagePullSecrets).toEqual([{ name: 'ci-pull' }]);
      expect(manifest.metadata.annotations).toEqual({ 'cdk8s-private-registry/existing-pull-secrets': JSON.stringify({ 'ci-pull': [REGISTRY] }) });
    }
    expect(byKind(manifests, 'CronJob')).toHaveLength(1);
  });

  test('refuses, naming the workload, an image none of its secrets covers', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = new RegistrySecret(chart, 'regcred', { server: REGISTRY, username: CredentialValue.fromString('ci'), password: CredentialValue.fromString('p') });

    // WHEN
    new kplus33.Deployment(chart, 'web', { containers: [{ image: 'quay.io/team/web:v1' }] }).with(new PrivateImagePull({ registrySecrets: [secret] }));

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\] container "main" image "quay\.io\/team\/web:v1": no pull secret covers registry "quay\.io"/);
  });

  test('refuses kplus-33 Secret.fromSecretName, whose servers are unknown, and points to RegistrySecret.fromSecretName', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const pull = () => pullWithKplusSecretFromSecretName(chart);

    // THEN
    expect(pull).toThrow(/registrySecrets\[0\] is the secret "regcred", whose servers are unknown .*RegistrySecret\.fromSecretName\(scope, id, 'regcred', \{ servers: \[/);
  });
});

describe('PrivateImagePod in a cdk8s-plus-33 app', () => {
  test('takes cdk8s-plus-27 volumes and probes, the library\'s peer dependency, and a kplus-33 ServiceAccount', () => {
    // GIVEN
    const chart = new PrivatePodChart(Testing.app(), 'private-pod');

    // WHEN
    const spec = podSpec(byKind(Testing.synth(chart), 'Pod')[0]);

    // THEN
    expect(spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(spec.serviceAccountName).toBe('runner');
    expect(spec.volumes).toEqual([{ name: 'cache', emptyDir: {} }]);
    expect(spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', readinessProbe: { tcpSocket: { port: 8080 } }, volumeMounts: [{ mountPath: '/cache', name: 'cache' }] });
  });
});

test('the check command\'s rules pass the whole app\'s YAML', async () => {
  // GIVEN
  const app = Testing.app();
  const charts: Chart[] = [new WiredChart(app, 'wired'), new VerifiedChart(app, 'verified'), new MixinChart(app, 'mixin'), new PrivatePodChart(app, 'private-pod')];
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kplus33-')), 'app.k8s.yaml');
  fs.writeFileSync(file, app.synthYaml());

  // WHEN: the secret created out of band is announced by the annotation, not declared here
  const result = await checkManifests([{ name: 'app.k8s.yaml', path: file }], {
    privateRegistries: [REGISTRY, 'ghcr.io'],
    settings: { privateRegistries: '--private-registry', publicRegistry: r => `--public-registry ${r}`, existingSecret: r => `--existing-secret NAME=${r}` },
  });

  // THEN
  expect(charts).toHaveLength(4);
  expect(result.podSpecs).toBe(11);
  expect(result.violations).toEqual([]);
});
