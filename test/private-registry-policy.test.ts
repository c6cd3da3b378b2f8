import * as path from 'path';
import { ApiObject, Chart, Include, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PolicyMode, PrivateImagePod, PrivateRegistryPolicy, RegistrySecret } from '../src';

const HELM_STYLE = path.join(__dirname, 'fixtures', 'helm-style.yaml');

function gitlab(chart: Chart) {
  return new RegistrySecret(chart, 'gitlab', { metadata: { name: 'gitlab' }, server: 'registry.gitlab.com', username: 'u', password: 'p' });
}

function byKind(manifests: any[], kind: string): any {
  return manifests.find(m => m.kind === kind);
}

function pod(chart: Chart, id: string, spec: any, namespace?: string) {
  return new ApiObject(chart, id, { apiVersion: 'v1', kind: 'Pod', metadata: { name: id, namespace }, spec });
}

describe('PrivateRegistryPolicy in WIRE mode', () => {
  test('wires a multi-document Include: a Deployment and a CronJob', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)] });

    // WHEN
    new Include(chart, 'helm', { url: HELM_STYLE });

    // THEN
    const manifests = Testing.synth(chart);
    const deployment = byKind(manifests, 'Deployment').spec.template.spec;
    const cronJob = byKind(manifests, 'CronJob').spec.jobTemplate.spec.template.spec;
    expect(deployment.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(deployment.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(cronJob.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(cronJob.containers[0].imagePullPolicy).toBe('Always');
    expect(byKind(manifests, 'ConfigMap')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'production' } });
    expect(manifests).toMatchSnapshot();
  });

  test('wires L1 objects and plain ApiObjects created after the policy', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)], publicRegistries: ['docker.io'] });

    // WHEN
    new kplus.k8s.KubeDeployment(chart, 'l1', {
      metadata: { name: 'l1' },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image: 'registry.gitlab.com/team/app:latest' }, { name: 'proxy', image: 'nginx:1.25' }] } } },
    });
    pod(chart, 'plain', { containers: [{ name: 'app', image: 'registry.gitlab.com/team/app@sha256:' + 'b'.repeat(64) }] });

    // THEN
    const manifests = Testing.synth(chart);
    const l1 = byKind(manifests, 'Deployment').spec.template.spec;
    expect(l1.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(l1.containers.map((c: any) => c.imagePullPolicy)).toEqual(['Always', 'IfNotPresent']);
    const plain = byKind(manifests, 'Pod').spec;
    expect(plain.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(plain.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  test('adds nothing to a pod already covered, and keeps a policy the author set', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = gitlab(chart);
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [new RegistrySecret(chart, 'other', { server: 'registry.gitlab.com', username: 'u', password: 'p' })] });

    // WHEN
    pod(chart, 'covered', { imagePullSecrets: [{ name: secret.name }], containers: [{ name: 'app', image: 'registry.gitlab.com/team/app:v1', imagePullPolicy: 'Never' }] });

    // THEN
    const spec = byKind(Testing.synth(chart), 'Pod').spec;
    expect(spec.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(spec.containers[0].imagePullPolicy).toBe('Never');
  });

  test('a pod that relied on its ServiceAccount keeps the account\'s secrets when it gets one', () => {
    // GIVEN
    const chart = Testing.chart();
    new RegistrySecret(chart, 'ghcr', { metadata: { name: 'ghcr' }, server: 'ghcr.io', username: 'u', password: 'p' });
    new ApiObject(chart, 'sa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' }, imagePullSecrets: [{ name: 'ghcr' }] } as any);
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)] });

    // WHEN
    pod(chart, 'mixed', {
      serviceAccountName: 'builder',
      containers: [{ name: 'a', image: 'ghcr.io/org/a:v1' }, { name: 'b', image: 'registry.gitlab.com/team/b:v1' }],
    });

    // THEN
    expect(byKind(Testing.synth(chart), 'Pod').spec.imagePullSecrets).toEqual([{ name: 'ghcr' }, { name: 'gitlab' }]);
  });

  test('refuses an image no secret of the policy covers, naming the object', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)] });

    // WHEN
    pod(chart, 'stray', { containers: [{ name: 'app', image: 'quay.io/org/app:v1' }] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/\[test\/policy\] test\/stray: Pod\/stray: container "app" image "quay\.io\/org\/app:v1": no pull secret covers registry "quay\.io"/);
  });

  test('applies disallowLatest and requireDigest to the constructs of the library too', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { disallowLatest: true, requireDigest: true });

    // WHEN
    new PrivateImagePod(chart, 'pod', { registrySecrets: [gitlab(chart)], containers: [{ name: 'app', image: 'registry.gitlab.com/team/app' }] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/\[test\/pod\] container "app" image "registry\.gitlab\.com\/team\/app" uses no tag, which means "latest"; pin a version tag or a digest\n.*\[test\/pod\] container "app" image "registry\.gitlab\.com\/team\/app" has no digest/s);
  });
});

describe('PrivateRegistryPolicy in VERIFY mode', () => {
  test('changes nothing in a compliant chart', () => {
    // GIVEN
    const chart = Testing.chart();
    const spec = { imagePullSecrets: [{ name: 'regcred' }], containers: [{ name: 'app', image: 'registry.gitlab.com/team/app:v1', imagePullPolicy: 'IfNotPresent' }] };
    pod(chart, 'ok', spec);

    // WHEN
    new PrivateRegistryPolicy(chart, 'policy', {
      mode: PolicyMode.VERIFY,
      registrySecrets: [RegistrySecret.fromSecretName(chart, 'regcred', 'regcred', { servers: ['registry.gitlab.com'] })],
    });

    // THEN
    expect(byKind(Testing.synth(chart), 'Pod').spec).toEqual(spec);
  });

  test('refuses the Include\'d Deployment and CronJob, with every reason', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY, disallowLatest: true });

    // WHEN
    new Include(chart, 'helm', { url: HELM_STYLE });

    // THEN
    let message = '';
    try { Testing.synth(chart); } catch (e: any) { message = e.message; }
    expect(message).toContain('Deployment/web: container "web" image "registry.gitlab.com/team/web:v1.2.3" has no explicit imagePullPolicy; set it (Kubernetes would default to IfNotPresent)');
    expect(message).toContain('Deployment/web: container "web" image "registry.gitlab.com/team/web:v1.2.3": no pull secret covers registry "registry.gitlab.com" (the pod names no pull secret and serviceAccount "default" gives none)');
    expect(message).toContain('CronJob/report: container "report" image "registry.gitlab.com/team/report" uses no tag, which means "latest"');
  });

  test('a dockerconfigjson Secret from YAML is known by its servers', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });
    const config = Buffer.from(JSON.stringify({ auths: { 'registry.gitlab.com': { auth: 'dTpw' } } })).toString('base64');
    new ApiObject(chart, 'secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'from-yaml' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': config } } as any);

    // WHEN
    pod(chart, 'good', { imagePullSecrets: [{ name: 'from-yaml' }], containers: [{ name: 'a', image: 'registry.gitlab.com/t/a:v1', imagePullPolicy: 'IfNotPresent' }] });
    pod(chart, 'bad', { imagePullSecrets: [{ name: 'from-yaml' }], containers: [{ name: 'b', image: 'ghcr.io/t/b:v1', imagePullPolicy: 'IfNotPresent' }] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/Pod\/bad: container "b" image "ghcr\.io\/t\/b:v1": no pull secret covers registry "ghcr\.io" \(imagePullSecrets gives "from-yaml" for \[registry\.gitlab\.com\]\)/);
    expect(() => Testing.synth(chart)).not.toThrow(/Pod\/good/);
  });

  test('refuses a pod naming a secret that lives in another namespace, naming both', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });
    new RegistrySecret(chart, 'secret', { metadata: { name: 'regcred', namespace: 'ci' }, server: 'registry.gitlab.com', username: 'u', password: 'p' });

    // WHEN
    pod(chart, 'app', { imagePullSecrets: [{ name: 'regcred' }], containers: [{ name: 'a', image: 'registry.gitlab.com/t/a:v1', imagePullPolicy: 'IfNotPresent' }] }, 'prod');

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/Pod\/prod\/app: pull secret "regcred" is in namespace "ci" but the pod is in namespace "prod"/);
  });

  test('a pod covered by its ServiceAccount passes', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });
    gitlab(chart);
    new ApiObject(chart, 'sa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' }, imagePullSecrets: [{ name: 'gitlab' }] } as any);

    // WHEN
    pod(chart, 'app', { serviceAccountName: 'builder', containers: [{ name: 'a', image: 'registry.gitlab.com/t/a:v1', imagePullPolicy: 'IfNotPresent' }] });

    // THEN
    expect(byKind(Testing.synth(chart), 'Pod').spec.imagePullSecrets).toBeUndefined();
  });
});
