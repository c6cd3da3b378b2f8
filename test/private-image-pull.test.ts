import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CredentialValue, PolicyMode, PrivateImageDeployment, PrivateImagePod, PrivateImagePull, PrivateRegistryPolicy, RegistrySecret } from '../src';
import { testSecret } from './support/secrets';

const IMAGE = 'registry.gitlab.com/team/app:v1';

describe('PrivateImagePull, the mixin', () => {
  test('gives a plain cdk8s-plus Deployment its pull secret, and refuses an image no secret covers', () => {
    // GIVEN
    const chart = Testing.chart();
    const regcred = testSecret(chart);

    // WHEN
    const web = new kplus.Deployment(chart, 'web', { containers: [{ image: IMAGE }] }).with(new PrivateImagePull({ registrySecrets: [regcred] })) as kplus.Deployment;

    // THEN
    const deployment = Testing.synth(chart).find(m => m.kind === 'Deployment');
    expect(deployment.spec.template.spec.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(deployment).toMatchSnapshot();
    web.addContainer({ name: 'sidecar', image: 'ghcr.io/team/sidecar:v1' });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/web\] container "sidecar" image "ghcr\.io\/team\/sidecar:v1": no pull secret covers registry "ghcr\.io"/);
  });

  test('applied to a chart, it covers every pod in it, L1 objects included, and makes a missing imagePullPolicy explicit', () => {
    // GIVEN
    const chart = Testing.chart();
    const regcred = testSecret(chart);
    new kplus.k8s.KubeJob(chart, 'job', { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'registry.gitlab.com/team/job' }] } } } });
    new kplus.k8s.KubeConfigMap(chart, 'cm', { data: { image: 'ghcr.io/not/a/pod' } });

    // WHEN
    chart.with(new PrivateImagePull({ registrySecrets: [regcred] }));

    // THEN
    const job = Testing.synth(chart).find(m => m.kind === 'Job');
    expect(job.spec.template.spec.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(job.spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
  });

  test('GIVEN the mixin applied to a chart, WHEN a cdk8s-plus Deployment, an L1 Pod and a Job in a nested construct are added after it, THEN every one names the secret and has an explicit imagePullPolicy', () => {
    // GIVEN
    const chart = Testing.chart();
    const regcred = testSecret(chart);
    chart.with(new PrivateImagePull({ registrySecrets: [regcred] }));

    // WHEN
    new kplus.Deployment(chart, 'web', { containers: [{ image: IMAGE }] });
    new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod' }, spec: { containers: [{ name: 'a', image: 'registry.gitlab.com/team/a' }] } });
    const team = new Construct(chart, 'team');
    new kplus.k8s.KubeJob(team, 'job', { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'registry.gitlab.com/team/job:v2' }] } } } });

    // THEN
    const manifests = Testing.synth(chart);
    const specs = {
      Deployment: manifests.find(m => m.kind === 'Deployment').spec.template.spec,
      Pod: manifests.find(m => m.kind === 'Pod').spec,
      Job: manifests.find(m => m.kind === 'Job').spec.template.spec,
    };
    for (const spec of Object.values(specs)) {
      expect(spec.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    }
    // cdk8s-plus wrote Always into its container; the others get Kubernetes' default
    expect(specs.Deployment.containers[0].imagePullPolicy).toBe('Always');
    expect(specs.Pod.containers[0].imagePullPolicy).toBe('Always');
    expect(specs.Job.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  test('GIVEN the mixin applied to a chart, WHEN a pod with an image no secret covers is added after it, THEN synth refuses it, naming the pod', () => {
    // GIVEN
    const chart = Testing.chart();
    chart.with(new PrivateImagePull({ registrySecrets: [testSecret(chart)] }));

    // WHEN
    new kplus.k8s.KubePod(chart, 'late', { metadata: { name: 'late' }, spec: { containers: [{ name: 'a', image: 'ghcr.io/team/a:v1' }] } });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/\[test\] test\/late: Pod\/late: container "a" image "ghcr\.io\/team\/a:v1": no pull secret covers registry "ghcr\.io" \(imagePullSecrets gives "gitlab" for \[registry\.gitlab\.com\]\)/);
  });

  test('GIVEN the mixin applied to a chart, WHEN a PrivateImagePod and a ServiceAccount are added after it, THEN the pod names its own secrets and the mixin\'s, and the ServiceAccount is left as it is', () => {
    // GIVEN
    const chart = Testing.chart();
    chart.with(new PrivateImagePull({ registrySecrets: [testSecret(chart)] }));

    // WHEN
    const ghcr = testSecret(chart, 'ghcr', 'ghcr.io');
    new PrivateImagePod(chart, 'app', { registrySecrets: [ghcr], containers: [{ image: 'ghcr.io/team/app:v1' }, { name: 'gitlab', image: IMAGE }] });
    new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'sa' } });

    // THEN
    const manifests = Testing.synth(chart);
    expect(manifests.find(m => m.kind === 'Pod').spec.imagePullSecrets).toEqual([{ name: 'ghcr' }, { name: 'gitlab' }]);
    expect(manifests.find(m => m.kind === 'ServiceAccount')).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' }, automountServiceAccountToken: false });
  });

  test('GIVEN the mixin applied to a chart, WHEN a PrivateImagePod in it has an image nothing covers, THEN the pod reports it, once', () => {
    // GIVEN
    const chart = Testing.chart();
    chart.with(new PrivateImagePull({ registrySecrets: [testSecret(chart)] }));

    // WHEN
    new PrivateImagePod(chart, 'app', { registrySecrets: [testSecret(chart, 'ghcr', 'ghcr.io')], containers: [{ name: 'other', image: 'quay.io/team/other:v1' }] });
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e: any) {
      message = e.message;
    }

    // THEN
    expect(message.match(/container "other"/g)).toHaveLength(1);
    expect(message).toMatch(/\[test\/app\] container "other" image "quay\.io\/team\/other:v1": no pull secret covers registry "quay\.io"/);
  });

  test('GIVEN the mixin applied to a chart and a VERIFY policy deeper in it, WHEN a pod under the policy names no secret, THEN the policy refuses it and nothing is written', () => {
    // GIVEN
    const chart = Testing.chart();
    chart.with(new PrivateImagePull({ registrySecrets: [testSecret(chart)] }));
    const team = new Construct(chart, 'team');
    new PrivateRegistryPolicy(team, 'verify', { mode: PolicyMode.VERIFY });

    // WHEN
    new ApiObject(team, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod' }, spec: { containers: [{ name: 'a', image: IMAGE, imagePullPolicy: 'IfNotPresent' }] } });

    // THEN: the innermost rule decides, as between policies
    expect(() => Testing.synth(chart)).toThrow(/\[test\/team\/verify\] test\/team\/pod: Pod\/pod: imagePullSecrets does not name "gitlab"/);
  });

  test('a secret added to the mixin later is named by every object it applies to', () => {
    // GIVEN
    const chart = Testing.chart();
    const pull = new PrivateImagePull({ registrySecrets: [testSecret(chart)] });
    new kplus.Pod(chart, 'a', { containers: [{ image: IMAGE }] }).with(pull);
    new kplus.Pod(chart, 'b', { containers: [{ image: IMAGE }] }).with(pull);

    // WHEN
    pull.addRegistrySecret(RegistrySecret.fromSecretName(chart, 'ghcr', 'ghcr', { servers: ['ghcr.io'] }));

    // THEN
    for (const pod of Testing.synth(chart).filter(m => m.kind === 'Pod')) {
      expect(pod.spec.imagePullSecrets).toEqual([{ name: 'gitlab' }, { name: 'ghcr' }]);
    }
  });

  test('refuses to apply to an object that runs no pods', () => {
    // GIVEN
    const chart = Testing.chart();
    const cm = new kplus.ConfigMap(chart, 'cm');

    // WHEN
    const attempt = () => new PrivateImagePull({ registrySecrets: [testSecret(chart)] }).applyTo(ApiObject.of(cm));

    // THEN
    expect(attempt).toThrow('test/cm/Resource: PrivateImagePull applies to Pods and workloads; apply it with .with() on the pod, the workload or a chart');
  });
});

describe('messages', () => {
  test('GIVEN a secret in namespace team-a named by a pod in team-b, WHEN synthesized, THEN the error reports the mismatch and says the pod names that secret, as check does', () => {
    // GIVEN
    const chart = Testing.chart();
    const regcred = new RegistrySecret(chart, 'regcred', {
      metadata: { name: 'regcred', namespace: 'team-a' }, server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p'),
    });

    // WHEN
    new PrivateImagePod(chart, 'pod', { metadata: { namespace: 'team-b' }, registrySecrets: [regcred], containers: [{ image: IMAGE }] });
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e: any) {
      message = e.message;
    }

    // THEN: the words of `check` for the same pod and secret
    expect(message).toContain('[test/pod] pull secret "regcred" is in namespace "team-a" but the pod is in namespace "team-b"');
    expect(message).toContain(`image "${IMAGE}": no pull secret covers registry "registry.gitlab.com" (imagePullSecrets gives "regcred", which is in namespace "team-a")`);
    expect(message).not.toContain('names no pull secret');
  });
});

describe('the secrets a cdk8s-plus user already has', () => {
  test('a DockerConfigSecret is a registry secret: its servers are read from its data', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = new kplus.DockerConfigSecret(chart, 'docker', { metadata: { name: 'docker' }, data: { auths: { 'registry.gitlab.com': { auth: 'Y2k6dG9rZW4=' } } } });

    // WHEN
    new PrivateImagePod(chart, 'pod', { registrySecrets: [secret], containers: [{ image: IMAGE }, { name: 'other', image: 'ghcr.io/a/b:v1' }] });

    // THEN: it covers the GitLab image, and only that one
    expect(() => Testing.synth(chart)).toThrow(/container "other" image "ghcr\.io\/a\/b:v1": no pull secret covers registry "ghcr\.io" \(imagePullSecrets gives "docker" for \[registry\.gitlab\.com\]\)/);
  });

  test('dockerRegistryAuth given alone is the pod\'s registry secret', () => {
    // GIVEN
    const chart = Testing.chart();
    const regcred = testSecret(chart);

    // WHEN: a JavaScript caller, or one moving from cdk8s-plus
    const web = new PrivateImageDeployment(chart, 'web', { dockerRegistryAuth: regcred, containers: [{ image: IMAGE }] } as any);

    // THEN
    expect(web.registrySecrets).toEqual([regcred]);
    expect(Testing.synth(chart).find(m => m.kind === 'Deployment').spec.template.spec.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
  });

  test('a secret created out of band is announced to the validation plugin and the check command in an annotation', () => {
    // GIVEN
    const chart = Testing.chart();
    const regcred = RegistrySecret.fromSecretName(chart, 'regcred', 'regcred', { servers: ['registry.gitlab.com'] });

    // WHEN
    new PrivateImageDeployment(chart, 'web', { registrySecrets: [regcred], containers: [{ image: IMAGE }] });

    // THEN
    const deployment = Testing.synth(chart).find(m => m.kind === 'Deployment');
    expect(deployment.metadata.annotations).toEqual({ 'cdk8s-private-registry/existing-pull-secrets': '{"regcred":["registry.gitlab.com"]}' });
    expect(deployment.spec.template.metadata.annotations).toBeUndefined();
  });
});
