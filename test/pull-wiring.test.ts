import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ImageLock, PrivateImageDeployment, PrivateImagePod, PrivateRegistryPolicy, RegistrySecret } from '../src';
import { testSecret } from './support/secrets';
import { PullWiring } from '../src/wiring/pull-wiring';

function l1Deployment(chart: Chart, image = 'registry.gitlab.com/a/b:v1') {
  return new kplus.k8s.KubeDeployment(chart, 'l1', {
    metadata: { name: 'l1' },
    spec: { selector: { matchLabels: { app: 'l1' } }, template: { metadata: { labels: { app: 'l1' } }, spec: { containers: [{ name: 'app', image }] } } },
  });
}

describe('PullWiring: no state from one render to the next', () => {
  test('a container added after another chart was synthesized is written and checked', () => {
    // GIVEN
    const app = Testing.app();
    const a = new Chart(app, 'a');
    new kplus.ConfigMap(a, 'cm', { data: { x: 'y' } });
    const b = new Chart(app, 'b');
    const s = RegistrySecret.fromSecretName(b, 's', 'regcred', { servers: ['registry.gitlab.com'] });
    const d = new PrivateImageDeployment(b, 'd', { registrySecrets: [s], containers: [{ name: 'app', image: 'registry.gitlab.com/a/b:1' }] });
    Testing.synth(a);

    // WHEN
    d.addContainer({ name: 'late', image: 'ghcr.io/x/y:1' });

    // THEN
    expect(() => Testing.synth(b)).toThrow(/\[b\/d\] container "late" image "ghcr\.io\/x\/y:1": no pull secret covers registry "ghcr\.io"/);
    s.servers.push('ghcr.io');
    const containers = Testing.synth(b)[0].spec.template.spec.containers;
    expect(containers.map((c: any) => c.name)).toEqual(['app', 'late']);
  });

  test('a policy-covered L1 Deployment changed between two synths is written as it is now', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [testSecret(chart)] });
    const deployment = l1Deployment(chart);
    const first = Testing.synth(chart).find(m => m.kind === 'Deployment');

    // WHEN
    deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/-', { name: 'late', image: 'registry.gitlab.com/c/d' }));
    const second = Testing.synth(chart).find(m => m.kind === 'Deployment');

    // THEN
    expect(first.spec.template.spec.containers).toHaveLength(1);
    expect(second.spec.template.spec.containers).toEqual([
      { image: 'registry.gitlab.com/a/b:v1', imagePullPolicy: 'IfNotPresent', name: 'app' },
      { image: 'registry.gitlab.com/c/d', imagePullPolicy: 'Always', name: 'late' },
    ]);
    expect(second.spec.template.spec.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
  });

  test('validation leaves the user\'s L1 props as they were, so a later change is rendered as it is then', () => {
    // GIVEN an L1 pod under a WIRE policy with a lock, its spec an object the user keeps
    const chart = Testing.chart();
    const digest = 'sha256:' + 'a'.repeat(64);
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [testSecret(chart)], imageLock: ImageLock.fromDigests({ 'registry.gitlab.com/a/b:v1': digest }) });
    const spec: any = { containers: [{ name: 'app', image: 'registry.gitlab.com/a/b:v1' }] };
    const pod = new kplus.k8s.KubePod(chart, 'pod', { spec });
    const before = JSON.stringify(spec);

    // WHEN it is synthesized (validation, then render), and the image is changed after
    const first = Testing.synth(chart).find(m => m.kind === 'Pod');
    const untouched = JSON.stringify(spec);
    spec.containers[0].image = 'registry.gitlab.com/a/b:latest';

    // THEN the props were not written, and the next render follows the new image's tag
    expect(first.spec.containers[0]).toEqual({ name: 'app', image: `registry.gitlab.com/a/b:v1@${digest}`, imagePullPolicy: 'IfNotPresent' });
    expect(untouched).toBe(before);
    expect(pod.toJson().spec.containers[0]).toEqual({ name: 'app', image: 'registry.gitlab.com/a/b:latest', imagePullPolicy: 'Always' });
  });

  test('toJson gives the same wired JSON before and after a first synth', () => {
    // GIVEN
    const chart = Testing.chart();
    const deployment = l1Deployment(chart);
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [testSecret(chart)] });

    // WHEN
    const before = ApiObject.of(deployment).toJson();
    Testing.synth(chart);
    const after = ApiObject.of(deployment).toJson();

    // THEN
    expect(before.spec.template.spec.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(after).toEqual(before);
  });
});

describe('PullWiring: surviving a cdk8s upgrade', () => {
  // if cdk8s renamed or bypassed what the hook wraps, these fail instead of silently dropping the wiring
  test('the hook wraps ApiObject.prototype.toJson, and L1 classes reach it through super.toJson', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateImagePod(chart, 'pod', { registrySecrets: [testSecret(chart)], containers: [{ image: 'registry.gitlab.com/a/b:v1' }] });

    // THEN
    expect(ApiObject.prototype.toJson.name).toBe('toJson');
    expect(ApiObject.prototype.toJson).not.toBe((ApiObject.prototype as any)[Symbol.for('cdk8s-private-registry.cdk8sToJson')]);
    expect(kplus.k8s.KubePod.prototype.toJson.toString()).toMatch(/super\.toJson\(\)/);
    expect(typeof (App as any)._synthChart).toBe('function');
  });

  test.each([
    YamlOutputType.FILE_PER_CHART,
    YamlOutputType.FILE_PER_APP,
    YamlOutputType.FILE_PER_RESOURCE,
    YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE,
  ])('App.synth with %s writes the wiring', (yamlOutputType) => {
    // GIVEN
    const app = Testing.app({ yamlOutputType });
    const chart = new Chart(app, 'chart');
    new PrivateImagePod(chart, 'pod', { registrySecrets: [testSecret(chart)], containers: [{ image: 'registry.gitlab.com/a/b:v1' }] });
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [testSecret(chart, 'other')] });
    l1Deployment(chart);

    // WHEN
    app.synth();

    // THEN
    const written = readAll(app.outdir);
    expect(written.match(/imagePullSecrets:\n\s+- name: gitlab\n/g)).toHaveLength(1);
    expect(written.match(/imagePullSecrets:\n\s+- name: other\n/g)).toHaveLength(1);
    expect(written.match(/imagePullPolicy: IfNotPresent/g)).toHaveLength(2);
    expect(app.synthYaml()).toContain('- name: other');
  });

  test('the innermost policy reports an object, once', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'outer', { registrySecrets: [testSecret(chart)] });
    const team = new Chart(chart, 'team');
    new PrivateRegistryPolicy(team, 'inner', { disallowLatest: true });

    // WHEN
    new ApiObject(team, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod' }, spec: { containers: [{ name: 'c', image: 'registry.gitlab.com/a/b' }] } } as any);

    // THEN
    let message = '';
    try { Testing.synth(chart); } catch (e: any) { message = e.message; }
    expect(message.match(/uses no tag/g)).toHaveLength(1);
    expect(message).toContain('[test/team/inner] test/team/pod: Pod/pod: container "c"');
    expect(PullWiring.rulesOf(team.node.findChild('pod'))[0].owner.node.id).toBe('inner');
  });

  test('an object of another copy of cdk8s is refused, not silently left unwired', () => {
    // GIVEN: an ApiObject whose class comes from elsewhere (cdk8s marks its objects with a global symbol)
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [testSecret(chart)] });
    const pod = new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod' }, spec: { containers: [{ name: 'c', image: 'registry.gitlab.com/a/b:v1' }] } });
    const foreign = Object.create(Object.getPrototypeOf(ApiObject.prototype));
    foreign.toJson = (ApiObject.prototype as any)[Symbol.for('cdk8s-private-registry.cdk8sToJson')];
    Object.setPrototypeOf(pod, foreign);

    // WHEN
    const attempt = () => Testing.synth(chart);

    // THEN
    expect(attempt).toThrow(/test\/pod was made with another copy of the cdk8s package than this library's, so its pull fields cannot be wired; install one copy \(npm ls cdk8s, then npm dedupe\)/);
  });

  test('leaves objects that run no pods alone', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [testSecret(chart)] });

    // WHEN
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { image: 'ghcr.io/x/y' } } as any);

    // THEN
    expect(Testing.synth(chart).find(m => m.kind === 'ConfigMap')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { image: 'ghcr.io/x/y' } });
  });
});

function readAll(dir: string): string {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))
    .map(e => e.isDirectory() ? readAll(path.join(dir, e.name)) : e.name.endsWith('.yaml') ? fs.readFileSync(path.join(dir, e.name), 'utf8') : '').join('\n');
}
