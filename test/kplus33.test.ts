// The version-independent path, on today's `cdk8s init`: test/kplus33/app.ts is a cdk8s-plus-33 app.
// Its charts are synthesized here (and, by the jest setup, checked against the Kubernetes 1.27
// schema); test/kplus33-typecheck.test.ts type-checks it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus33 from 'cdk8s-plus-33';
import { CredentialValue, PrivateImagePull, RegistrySecret } from '../src';
import { MixinChart, PrivatePodChart, pullWithKplusSecretFromSecretName, REGISTRY, VerifiedChart, WiredChart } from './kplus33/app';
import { checkManifests } from '../src/cli/manifest-check';

const ENV = { REGISTRY_USERNAME: 'ci', REGISTRY_PASSWORD: 'not-a-real-password', GHCR_USERNAME: 'bot', GHCR_TOKEN: 'not-a-real-token' };
const saved = Object.fromEntries(Object.keys(ENV).map(k => [k, process.env[k]]));
beforeAll(() => Object.assign(process.env, ENV));
afterAll(() => Object.entries(saved).forEach(([k, v]) => v === undefined ? delete process.env[k] : process.env[k] = v));

function byKind(manifests: any[], kind: string): any[] {
  return manifests.filter(m => m.kind === kind);
}

function podSpec(manifest: any): any {
  return { Pod: manifest.spec, CronJob: manifest.spec.jobTemplate?.spec.template.spec }[manifest.kind as string] ?? manifest.spec.template.spec;
}

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
