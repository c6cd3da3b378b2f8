import * as path from 'path';
import { ApiObject, Chart, Include, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PolicyMode, PrivateImagePod, PrivateImagePull, PrivateRegistryPolicy, RegistrySecret, CredentialValue } from '../src';

const HELM_STYLE = path.join(__dirname, 'fixtures', 'helm-style.yaml');

function gitlab(chart: Chart) {
  return new RegistrySecret(chart, 'gitlab', { metadata: { name: 'gitlab' }, server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
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
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [new RegistrySecret(chart, 'other', { server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') })] });

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
    new RegistrySecret(chart, 'ghcr', { metadata: { name: 'ghcr' }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
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
    new RegistrySecret(chart, 'secret', { metadata: { name: 'regcred', namespace: 'ci' }, server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });

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

describe('PrivateRegistryPolicy over every kind that runs pods', () => {
  const template = (image: string) => ({ metadata: { labels: { app: 'x' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'app', image }] } });
  const KINDS: Array<[string, string, (image: string) => any, (m: any) => any]> = [
    ['apps/v1', 'StatefulSet', image => ({ serviceName: 'x', selector: { matchLabels: { app: 'x' } }, template: { ...template(image), spec: { containers: template(image).spec.containers } } }), m => m.spec.template.spec],
    ['apps/v1', 'DaemonSet', image => ({ selector: { matchLabels: { app: 'x' } }, template: { ...template(image), spec: { containers: template(image).spec.containers } } }), m => m.spec.template.spec],
    ['apps/v1', 'ReplicaSet', image => ({ selector: { matchLabels: { app: 'x' } }, template: { ...template(image), spec: { containers: template(image).spec.containers } } }), m => m.spec.template.spec],
    ['batch/v1', 'Job', image => ({ template: template(image) }), m => m.spec.template.spec],
    ['v1', 'ReplicationController', image => ({ selector: { app: 'x' }, template: { ...template(image), spec: { containers: template(image).spec.containers } } }), m => m.spec.template.spec],
  ];

  test.each(KINDS)('%s %s is wired', (apiVersion, kind, spec, podSpec) => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)] });

    // WHEN
    new ApiObject(chart, 'workload', { apiVersion, kind, metadata: { name: 'workload' }, spec: spec('registry.gitlab.com/team/app:v1') } as any);

    // THEN
    const wired = podSpec(byKind(Testing.synth(chart), kind));
    expect(wired.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(wired.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  test.each(KINDS)('%s %s is refused in VERIFY mode', (apiVersion, kind, spec) => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });

    // WHEN
    new ApiObject(chart, 'workload', { apiVersion, kind, metadata: { name: 'workload' }, spec: spec('registry.gitlab.com/team/app:v1') } as any);

    // THEN
    expect(() => Testing.synth(chart)).toThrow(new RegExp(`${kind}/workload: container "app" image "registry\\.gitlab\\.com/team/app:v1" has no explicit imagePullPolicy`));
  });
});

describe('PrivateRegistryPolicy edge cases', () => {
  test('WIRE never adds a secret from another namespace; it says so', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test', { namespace: 'a' });
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)] });

    // WHEN
    pod(chart, 'elsewhere', { containers: [{ name: 'app', image: 'registry.gitlab.com/team/app:v1' }] }, 'b');

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/Pod\/b\/elsewhere: pull secret "gitlab" is in namespace "a" but the pod is in namespace "b"/);
  });

  test('an imagePullPolicy left null or empty (as Helm renders an unset value) counts as missing', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)] });

    // WHEN
    pod(chart, 'helm', { containers: [{ name: 'a', image: 'registry.gitlab.com/t/a', imagePullPolicy: null }, { name: 'b', image: 'registry.gitlab.com/t/b:v1', imagePullPolicy: '' }] });

    // THEN
    expect(byKind(Testing.synth(chart), 'Pod').spec.containers.map((c: any) => c.imagePullPolicy)).toEqual(['Always', 'IfNotPresent']);
  });

  test('an imagePullPolicy the API server refuses is refused', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)] });

    // WHEN
    pod(chart, 'typo', { containers: [{ name: 'a', image: 'registry.gitlab.com/t/a:v1', imagePullPolicy: 'always' }] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/container "a" image "registry\.gitlab\.com\/t\/a:v1" has imagePullPolicy "always", which the API server refuses; use one of Always, IfNotPresent, Never/);
  });

  test('imagePullSecrets that are not {name} entries name no secret, without a crash', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });

    // WHEN
    pod(chart, 'helm', { imagePullSecrets: [null], containers: [{ name: 'a', image: 'registry.gitlab.com/t/a:v1', imagePullPolicy: 'IfNotPresent' }] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/no pull secret covers registry "registry\.gitlab\.com" \(the pod names no pull secret/);
  });

  test('a container that never pulls (imagePullPolicy Never) needs no pull secret', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });

    // WHEN
    pod(chart, 'local', { containers: [{ name: 'a', image: 'localhost:5000/app:v1', imagePullPolicy: 'Never' }] });

    // THEN
    expect(byKind(Testing.synth(chart), 'Pod').spec.imagePullSecrets).toBeUndefined();
  });

  test('a VERIFY policy inside a WIRE one changes nothing in its scope', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'wire', { registrySecrets: [gitlab(chart)] });
    const team = new Chart(chart, 'team');
    new PrivateRegistryPolicy(team, 'verify', { mode: PolicyMode.VERIFY });

    // WHEN
    pod(team, 'app', { containers: [{ name: 'a', image: 'registry.gitlab.com/t/a:v1' }] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/\[test\/team\/verify\] test\/team\/app: Pod\/app: container "a" image "registry\.gitlab\.com\/t\/a:v1" has no explicit imagePullPolicy/);
  });

  test('a pod is reported once, by its innermost rule: an inner policy, or its own PrivateImagePull', () => {
    // GIVEN: a WIRE policy over the chart, a VERIFY one over a nested chart
    const chart = Testing.chart();
    const secret = gitlab(chart);
    new PrivateRegistryPolicy(chart, 'wire', { registrySecrets: [secret] });
    const team = new Chart(chart, 'team');
    new PrivateRegistryPolicy(team, 'verify', { mode: PolicyMode.VERIFY });

    // WHEN: two pods with an image nothing covers, one under the inner policy, one with its own mixin
    pod(team, 'app', { containers: [{ name: 'a', image: 'quay.io/t/a:v1', imagePullPolicy: 'IfNotPresent' }] });
    pod(chart, 'own', { containers: [{ name: 'b', image: 'quay.io/t/b:v1' }] }).with(new PrivateImagePull({ registrySecrets: [secret] }));
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e: any) {
      message = e.message;
    }

    // THEN
    expect(message).toMatch(/\[test\/team\/verify\] test\/team\/app: Pod\/app: container "a" image "quay\.io\/t\/a:v1": no pull secret covers/);
    expect(message).toMatch(/\[test\/own\] container "b" image "quay\.io\/t\/b:v1": no pull secret covers/);
    expect(message).not.toMatch(/\[test\/wire\]/);
  });

  test('a synth refused for a violation is judged again after a fix', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });
    gitlab(chart);
    const broken = pod(chart, 'app', { containers: [{ name: 'a', image: 'registry.gitlab.com/t/a:v1', imagePullPolicy: 'IfNotPresent' }] });
    expect(() => Testing.synth(chart)).toThrow(/no pull secret covers/);

    // WHEN (no construct is added: only the pod's JSON changes)
    broken.addJsonPatch(JsonPatch.add('/spec/imagePullSecrets', [{ name: 'gitlab' }]));

    // THEN
    expect(byKind(Testing.synth(chart), 'Pod').spec.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
  });
});

describe('the cluster\'s node platforms', () => {
  const ARCH = 'kubernetes.io/arch';
  const TERM = (values: string[]) => ({
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: ARCH, operator: 'In', values }] }] } } },
  });
  const container = { name: 'app', image: 'registry.gitlab.com/team/app:1.0' };

  test('a pod that may run on none of them is refused at synth, with its path and the platforms', () => {
    // GIVEN a cluster of arm64 nodes
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)], platforms: ['linux/arm64'] });

    // WHEN a cdk8s-plus pod is pinned to amd64, and an L1 pod by nodeSelector to amd64
    const plus = new kplus.Pod(chart, 'plus', { containers: [{ image: container.image }] });
    plus.scheduling.attract(kplus.Node.labeled(kplus.NodeLabelQuery.is(ARCH, 'amd64')));
    pod(chart, 'l1', { nodeSelector: { [ARCH]: 'amd64' }, containers: [container] });

    // THEN both are refused, each naming what pins it
    expect(() => Testing.synth(chart)).toThrow(/plus\/Resource: Pod\/.*: the pod may run on none of the cluster's platforms \(platforms linux\/arm64\) \(required node affinity kubernetes\.io\/arch In \[amd64\]\), so it is never scheduled; make its nodeSelector/);
    expect(() => Testing.synth(chart)).toThrow(/Pod\/l1: the pod may run on none of the cluster's platforms \(platforms linux\/arm64\) \(nodeSelector kubernetes\.io\/arch: amd64\)/);
  });

  test('WIRE writes them on each object it wires, for check --pull; a pod that admits one of them passes', () => {
    // GIVEN two node pools
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)], platforms: ['linux/x86_64', 'linux/aarch64'] });

    // WHEN an unconstrained pod and one that admits either architecture are synthesized
    pod(chart, 'free', { containers: [container] });
    pod(chart, 'either', { ...TERM(['arm64', 's390x']), containers: [container] });

    // THEN each carries the platforms, normalized as containerd names them
    const manifests = Testing.synth(chart).filter(m => m.kind === 'Pod');
    expect(manifests.map(m => m.metadata.annotations['cdk8s-private-registry/platforms'])).toEqual(['linux/amd64,linux/arm64', 'linux/amd64,linux/arm64']);
  });

  test('VERIFY checks them and writes nothing', () => {
    // GIVEN a VERIFY policy over an arm64 cluster
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY, registrySecrets: [gitlab(chart)], platforms: ['linux/arm64'] });

    // WHEN a complete pod admits arm64, and another only amd64
    const complete = { imagePullSecrets: [{ name: 'gitlab' }], containers: [{ ...container, imagePullPolicy: 'IfNotPresent' }] };
    pod(chart, 'ok', complete);
    const chart2 = Testing.chart();
    new PrivateRegistryPolicy(chart2, 'policy', { mode: PolicyMode.VERIFY, registrySecrets: [gitlab(chart2)], platforms: ['linux/arm64'] });
    pod(chart2, 'pinned', { ...complete, nodeSelector: { [ARCH]: 'amd64' } });

    // THEN the first is written as given, the second refused
    expect(byKind(Testing.synth(chart), 'Pod').metadata.annotations).toBeUndefined();
    expect(() => Testing.synth(chart2)).toThrow(/Pod\/pinned: the pod may run on none of the cluster's platforms/);
  });

  test('the innermost rule\'s platforms apply: a workload\'s own win over its chart\'s policy', () => {
    // GIVEN an amd64 chart policy, and a pod of the constructs that says its cluster has arm64 nodes too
    const chart = Testing.chart();
    const secret = gitlab(chart);
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [secret], platforms: ['linux/amd64'] });
    new PrivateImagePod(chart, 'web', { registrySecrets: [secret], platforms: ['linux/amd64', 'linux/arm64'], containers: [{ image: container.image }] });

    // WHEN synthesized
    const annotations = byKind(Testing.synth(chart), 'Pod').metadata.annotations;

    // THEN the pod's own apply
    expect(annotations['cdk8s-private-registry/platforms']).toBe('linux/amd64,linux/arm64');
  });

  test.each([
    [['linux'], /policy: platforms: platform "linux" is not a platform; expected OS\/ARCH\[\/VARIANT\]/],
    [[], /policy: platforms is empty; expected OS\/ARCH\[\/VARIANT\]\[,\.\.\.\]/],
    ['linux/amd64', /policy: platforms is a string; expected an array of OS\/ARCH\[\/VARIANT\] strings/],
    [[7], /policy: platforms\[0\] is a number; expected a non-empty string/],
  ])('refuses platforms %j when the policy is made', (platforms, error) => {
    const chart = Testing.chart();
    expect(() => new PrivateRegistryPolicy(chart, 'policy', { platforms: platforms as any })).toThrow(error);
    expect(chart.node.tryFindChild('policy')).toBeUndefined();
  });
});
