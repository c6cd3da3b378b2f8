// Every kind of manifest the library and the seed app write, validated offline against the
// Kubernetes 1.27 API schema (see test/support/k8s-schema.ts), unknown fields refused.
import * as path from 'path';
import { Chart, Cron, Include, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  PolicyMode, PrivateImageCronJob, PrivateImageDaemonSet, PrivateImageDeployment, PrivateImageJob, PrivateImagePod,
  PrivateImageServiceAccount, PrivateImageStatefulSet, PrivateRegistryPolicy, RegistrySecret, CredentialValue,
} from '../src';
import { SeedChart, credentialsFromEnvironment } from '../src/main';
import { K8S_127_MARKERS, definitionOf, propertyOf, validateManifests } from './support/k8s-schema';

const HELM_STYLE = path.join(__dirname, 'fixtures', 'helm-style.yaml');
const IMAGE = 'registry.gitlab.com/team/app:v1';

// the first call loads and compiles the whole schema (about half a second)
const SCHEMA_TIMEOUT = 30_000;

function gitlab(chart: Chart): RegistrySecret {
  return new RegistrySecret(chart, 'gitlab', { metadata: { name: 'gitlab' }, server: 'registry.gitlab.com', username: CredentialValue.fromString('test-user'), password: CredentialValue.fromString('test-password') });
}

function kindsOf(manifests: any[]): string[] {
  return [...new Set(manifests.map(m => m.kind))].sort();
}

describe('the schema', () => {
  test('is Kubernetes 1.27: fields of 1.27 are there, fields of 1.28 are not', () => {
    // GIVEN / WHEN
    const pod = definitionOf('v1', 'Pod');

    // THEN
    expect(pod).toBe('io.k8s.api.core.v1.Pod');
    expect(definitionOf('apps/v1', 'Deployment')).toBe('io.k8s.api.apps.v1.Deployment');
    expect(definitionOf('batch/v1', 'CronJob')).toBe('io.k8s.api.batch.v1.CronJob');
    for (const [id, field] of K8S_127_MARKERS.present) {
      expect(propertyOf(id, field)).toBeDefined();
    }
    for (const [id, field] of K8S_127_MARKERS.absent) {
      expect(propertyOf(id, field)).toBeUndefined();
    }
    expect(propertyOf('io.k8s.api.core.v1.Container', 'imagePullPolicy')).toMatchObject({ enum: ['Always', 'IfNotPresent', 'Never'] });
  }, SCHEMA_TIMEOUT);
});

describe('the seed app\'s manifests are valid Kubernetes 1.27', () => {
  test('without credentials: the pod alone, naming the existing regcred', () => {
    // GIVEN
    const chart = new SeedChart(Testing.app(), 'seed');

    // WHEN
    const manifests = Testing.synth(chart);

    // THEN
    expect(kindsOf(manifests)).toEqual(['Pod']);
    expect(validateManifests(manifests)).toEqual([]);
  }, SCHEMA_TIMEOUT);

  test('with credentials from the pipeline\'s variables: the pod and its secret', () => {
    // GIVEN
    const credentials = credentialsFromEnvironment({
      REGISTRY_SERVER: 'registry.gitlab.com',
      REGISTRY_USERNAME: 'test-user',
      REGISTRY_PASSWORD: 'test-password',
      REGISTRY_EMAIL: 'test@example.com',
    });
    const chart = new SeedChart(Testing.app(), 'seed', { credentials });

    // WHEN
    const manifests = Testing.synth(chart);

    // THEN
    expect(kindsOf(manifests)).toEqual(['Pod', 'Secret']);
    expect(validateManifests(manifests)).toEqual([]);
  }, SCHEMA_TIMEOUT);
});

describe('every construct of the library writes valid Kubernetes 1.27', () => {
  test('RegistrySecret: one registry, several in a namespace, hashed and immutable, from a docker config', () => {
    // GIVEN
    const chart = Testing.chart();
    gitlab(chart);
    const multi = new RegistrySecret(chart, 'multi', {
      metadata: { name: 'multi', namespace: 'ci', labels: { team: 'platform' } },
      username: CredentialValue.fromString('test-user'),
      password: CredentialValue.fromString('p@ss<w>rd&"\\'),
      email: CredentialValue.fromString('test@example.com'),
    });
    multi.addRegistry({ server: 'https://registry.example.com:8443/v2/', username: CredentialValue.fromString('ünïcode'), password: CredentialValue.fromString('pässwörd✓\u2028') });
    new RegistrySecret(chart, 'hashed', { metadata: { name: 'hashed' }, server: 'ghcr.io', username: CredentialValue.fromString('test-user'), password: CredentialValue.fromString('test-password'), appendHash: true, immutable: true });
    RegistrySecret.fromDockerConfigJson(chart, 'login', JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('test-user:test-password').toString('base64') } } }));

    // WHEN
    const manifests = Testing.synth(chart);

    // THEN
    expect(kindsOf(manifests)).toEqual(['Secret']);
    expect(manifests).toHaveLength(4);
    expect(manifests.find(m => m.immutable === true)).toBeDefined();
    expect(validateManifests(manifests)).toEqual([]);
  }, SCHEMA_TIMEOUT);

  test('PrivateImagePod with init containers, ports, a public sidecar and a secret reference', () => {
    // GIVEN
    const chart = Testing.chart();
    const hub = RegistrySecret.fromSecretName(chart, 'hub', 'hub', { servers: ['https://index.docker.io/v1/'] });
    const pod = new PrivateImagePod(chart, 'pod', {
      metadata: { name: 'app', labels: { app: 'app' } },
      registrySecrets: [gitlab(chart), hub],
      publicRegistries: ['quay.io'],
      containers: [{ name: 'app', image: IMAGE, ports: [{ number: 8080 }] }],
    });

    // WHEN
    pod.addContainer({ name: 'sidecar', image: 'quay.io/org/sidecar@sha256:' + 'a'.repeat(64) });
    pod.addInitContainer({ name: 'migrate', image: 'registry.gitlab.com/team/migrate:latest', imagePullPolicy: kplus.ImagePullPolicy.ALWAYS });
    pod.addContainer({ name: 'proxy', image: 'nginx' });
    const manifests = Testing.synth(chart);

    // THEN
    expect(kindsOf(manifests)).toEqual(['Pod', 'Secret']);
    expect(validateManifests(manifests)).toEqual([]);
  }, SCHEMA_TIMEOUT);

  test.each<[string, (chart: Chart, secrets: RegistrySecret[]) => void, string[]]>([
    ['PrivateImageDeployment', (c, s) => new PrivateImageDeployment(c, 'w', { registrySecrets: s, containers: [{ image: IMAGE }] }), ['Deployment', 'Secret']],
    // a StatefulSet brings its headless Service
    ['PrivateImageStatefulSet', (c, s) => new PrivateImageStatefulSet(c, 'w', { registrySecrets: s, containers: [{ image: IMAGE, ports: [{ number: 8080 }] }] }), ['Secret', 'Service', 'StatefulSet']],
    ['PrivateImageDaemonSet', (c, s) => new PrivateImageDaemonSet(c, 'w', { registrySecrets: s, containers: [{ image: IMAGE }] }), ['DaemonSet', 'Secret']],
    ['PrivateImageJob', (c, s) => new PrivateImageJob(c, 'w', { registrySecrets: s, containers: [{ image: IMAGE }] }), ['Job', 'Secret']],
    ['PrivateImageCronJob', (c, s) => new PrivateImageCronJob(c, 'w', { registrySecrets: s, schedule: Cron.daily(), containers: [{ image: IMAGE }] }), ['CronJob', 'Secret']],
  ])('%s', (_name, make, kinds) => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    make(chart, [gitlab(chart)]);
    const manifests = Testing.synth(chart);

    // THEN
    expect(kindsOf(manifests)).toEqual(kinds);
    expect(validateManifests(manifests)).toEqual([]);
  }, SCHEMA_TIMEOUT);

  test('PrivateImageServiceAccount, and a Deployment that relies on it', () => {
    // GIVEN
    const chart = Testing.chart();
    const account = new PrivateImageServiceAccount(chart, 'builder', { metadata: { name: 'builder' }, registrySecrets: [gitlab(chart)] });

    // WHEN
    new PrivateImageDeployment(chart, 'web', { registrySecrets: [], serviceAccount: account, containers: [{ image: IMAGE }] });
    const manifests = Testing.synth(chart);

    // THEN
    expect(kindsOf(manifests)).toEqual(['Deployment', 'Secret', 'ServiceAccount']);
    expect(manifests.find(m => m.kind === 'ServiceAccount').imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(validateManifests(manifests)).toEqual([]);
  }, SCHEMA_TIMEOUT);

  test('PrivateRegistryPolicy wiring an Include of helm-style YAML', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)] });

    // WHEN
    new Include(chart, 'helm', { url: HELM_STYLE });
    const manifests = Testing.synth(chart);

    // THEN: the policy added imagePullSecrets and imagePullPolicy to the Deployment and the CronJob
    expect(kindsOf(manifests)).toEqual(['ConfigMap', 'CronJob', 'Deployment', 'Secret']);
    expect(manifests.find(m => m.kind === 'Deployment').spec.template.spec.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(validateManifests(manifests)).toEqual([]);
  }, SCHEMA_TIMEOUT);

  test('PrivateRegistryPolicy in VERIFY mode over an L1 Deployment and a cdk8s-plus Deployment', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = gitlab(chart);
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY, registrySecrets: [secret] });

    // WHEN
    new kplus.k8s.KubeDeployment(chart, 'l1', {
      metadata: { name: 'l1' },
      spec: {
        selector: { matchLabels: { app: 'l1' } },
        template: {
          metadata: { labels: { app: 'l1' } },
          spec: { imagePullSecrets: [{ name: secret.name }], containers: [{ name: 'app', image: IMAGE, imagePullPolicy: 'IfNotPresent' }] },
        },
      },
    });
    new kplus.Deployment(chart, 'plus', {
      dockerRegistryAuth: secret,
      containers: [{ image: IMAGE, imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT }],
    });
    const manifests = Testing.synth(chart);

    // THEN
    expect(kindsOf(manifests)).toEqual(['Deployment', 'Secret']);
    expect(manifests).toHaveLength(3);
    expect(validateManifests(manifests)).toEqual([]);
  }, SCHEMA_TIMEOUT);
});

describe('a broken manifest fails validation', () => {
  /** A valid PrivateImagePod manifest to break. */
  function podManifest(): any {
    const chart = Testing.chart();
    new PrivateImagePod(chart, 'pod', { metadata: { name: 'app' }, registrySecrets: [gitlab(chart)], containers: [{ name: 'app', image: IMAGE }] });
    const pod = Testing.synth(chart).find(m => m.kind === 'Pod');
    expect(validateManifests([pod])).toEqual([]);
    return pod;
  }

  test.each<[string, (pod: any) => void, RegExp]>([
    ['imagePullSecrets as a string', p => { p.spec.imagePullSecrets = 'regcred'; }, /^Pod "app": \/spec\/imagePullSecrets: must be array$/],
    ['imagePullSecrets entry with an unknown field', p => { p.spec.imagePullSecrets = [{ secretName: 'regcred' }]; }, /^Pod "app": \/spec\/imagePullSecrets\/0: unknown field "secretName"$/],
    ['imagePullPolicy as a number', p => { p.spec.containers[0].imagePullPolicy = 5; }, /^Pod "app": \/spec\/containers\/0\/imagePullPolicy: must be string$/],
    ['imagePullPolicy not one of the three', p => { p.spec.containers[0].imagePullPolicy = 'Sometimes'; }, /^Pod "app": \/spec\/containers\/0\/imagePullPolicy: must be equal to one of the allowed values \["Always","IfNotPresent","Never"\]$/],
    ['unknown field spec.imagePullSecret', p => { p.spec.imagePullSecret = [{ name: 'regcred' }]; }, /^Pod "app": \/spec: unknown field "imagePullSecret"$/],
    ['a container without a name', p => { delete p.spec.containers[0].name; }, /^Pod "app": \/spec\/containers\/0: must have required property 'name'$/],
    ['a 1.28 sidecar field (restartPolicy on a container)', p => { p.spec.containers[0].restartPolicy = 'Always'; }, /^Pod "app": \/spec\/containers\/0: unknown field "restartPolicy"$/],
    ['a wrong apiVersion', p => { p.apiVersion = 'apps/v1'; }, /^Pod "app": Kubernetes 1\.27 has no kind "Pod" in apiVersion "apps\/v1"$/],
  ])('%s', (_name, breakIt, message) => {
    // GIVEN
    const pod = podManifest();

    // WHEN
    breakIt(pod);
    const problems = validateManifests([pod]);

    // THEN
    expect(problems).toContainEqual(expect.stringMatching(message));
  }, SCHEMA_TIMEOUT);

  test('an unknown field and a wrong type deep in a CronJob\'s pod template', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateImageCronJob(chart, 'report', { metadata: { name: 'report' }, registrySecrets: [gitlab(chart)], schedule: Cron.daily(), containers: [{ image: IMAGE }] });
    const cronJob = Testing.synth(chart).find(m => m.kind === 'CronJob');
    expect(validateManifests([cronJob])).toEqual([]);

    // WHEN
    const podSpec = cronJob.spec.jobTemplate.spec.template.spec;
    podSpec.containers[0].imagePullSecrets = podSpec.imagePullSecrets;
    podSpec.containers[0].imagePullPolicy = true;
    const problems = validateManifests([cronJob]);

    // THEN
    expect(problems).toEqual([
      'CronJob "report": /spec/jobTemplate/spec/template/spec/containers/0: unknown field "imagePullSecrets"',
      'CronJob "report": /spec/jobTemplate/spec/template/spec/containers/0/imagePullPolicy: must be string',
      'CronJob "report": /spec/jobTemplate/spec/template/spec/containers/0/imagePullPolicy: must be equal to one of the allowed values ["Always","IfNotPresent","Never"]',
    ]);
  }, SCHEMA_TIMEOUT);

  test('a Secret whose .dockerconfigjson is not base64, or whose data is a string', () => {
    // GIVEN
    const chart = Testing.chart();
    gitlab(chart);
    const [secret] = Testing.synth(chart);
    const notBase64 = { ...secret, data: { '.dockerconfigjson': '{"auths":{}}' } };
    const dataString = { ...secret, data: '{"auths":{}}' };

    // WHEN
    const problems = validateManifests([notBase64, dataString]);

    // THEN
    expect(problems).toEqual([
      'Secret "gitlab": /data/.dockerconfigjson: must match format "byte"',
      'Secret "gitlab": /data: must be object',
    ]);
  }, SCHEMA_TIMEOUT);
});
