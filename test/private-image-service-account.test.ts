import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PrivateImageDeployment, PrivateImageJob, PrivateImagePod, PrivateImageServiceAccount, RegistrySecret, CredentialValue } from '../src';

function gitlab(chart: Chart, namespace?: string) {
  return new RegistrySecret(chart, `gitlab-${namespace ?? 'none'}`, { metadata: { name: 'gitlab', namespace }, server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
}

describe('PrivateImageServiceAccount', () => {
  test('lists its secrets in imagePullSecrets, each once, including ones added later', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = gitlab(chart);
    const account = new PrivateImageServiceAccount(chart, 'builder', { metadata: { name: 'builder' }, registrySecrets: [secret] });

    // WHEN
    account.addRegistrySecret(new RegistrySecret(chart, 'ghcr', { metadata: { name: 'ghcr' }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') }));
    account.addRegistrySecret(secret);

    // THEN
    const manifest = Testing.synth(chart).find(m => m.kind === 'ServiceAccount');
    expect(manifest.imagePullSecrets).toEqual([{ name: 'gitlab' }, { name: 'ghcr' }]);
    expect(account.registrySecrets.map(s => s.name)).toEqual(['gitlab', 'ghcr']);
    expect(manifest).toMatchSnapshot();
  });

  test('a pod with no secrets of its own is covered by its account, as the kubelet sees it', () => {
    // GIVEN
    const chart = Testing.chart();
    const account = new PrivateImageServiceAccount(chart, 'builder', { metadata: { name: 'builder' }, registrySecrets: [gitlab(chart)] });

    // WHEN
    new PrivateImageDeployment(chart, 'web', { registrySecrets: [], serviceAccount: account, containers: [{ image: 'registry.gitlab.com/team/web:v1' }] });

    // THEN
    const spec = Testing.synth(chart).find(m => m.kind === 'Deployment').spec.template.spec;
    expect(spec.serviceAccountName).toBe('builder');
    expect(spec.imagePullSecrets).toBeUndefined();
    expect(spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  test('a pod that names its own secrets keeps its account\'s, which Kubernetes would otherwise drop', () => {
    // GIVEN
    const chart = Testing.chart();
    const account = new PrivateImageServiceAccount(chart, 'builder', { metadata: { name: 'builder' }, registrySecrets: [gitlab(chart)] });
    const ghcr = new RegistrySecret(chart, 'ghcr', { metadata: { name: 'ghcr' }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });

    // WHEN
    new PrivateImagePod(chart, 'pod', {
      registrySecrets: [ghcr],
      serviceAccount: account,
      containers: [{ name: 'app', image: 'registry.gitlab.com/team/web:v1' }, { name: 'b', image: 'ghcr.io/org/b:v1' }],
    });

    // THEN
    expect(Testing.synth(chart).find(m => m.kind === 'Pod').spec.imagePullSecrets).toEqual([{ name: 'gitlab' }, { name: 'ghcr' }]);
  });

  test('dockerRegistryAuth: gl and registrySecrets: [gl] give the same pod under an account that brings another secret: the account\'s first, then gl', () => {
    // GIVEN: Kubernetes copies an account's imagePullSecrets only into a pod that names none of its own
    const chart = Testing.chart();
    const ghcr = new RegistrySecret(chart, 'ghcr', { metadata: { name: 'ghcr' }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
    const account = new PrivateImageServiceAccount(chart, 'builder', { metadata: { name: 'builder' }, registrySecrets: [ghcr] });
    const gl = gitlab(chart);
    const containers = [{ name: 'app', image: 'registry.gitlab.com/team/web:v1' }, { name: 'b', image: 'ghcr.io/org/b:v1' }];

    // WHEN
    const byProp = new PrivateImagePod(chart, 'by-prop', { registrySecrets: [], dockerRegistryAuth: gl, serviceAccount: account, containers });
    new PrivateImagePod(chart, 'by-list', { registrySecrets: [gl], serviceAccount: account, containers });

    // THEN
    const pods = Testing.synth(chart).filter(m => m.kind === 'Pod');
    expect(pods.map(p => p.spec.imagePullSecrets)).toEqual([[{ name: 'ghcr' }, { name: 'gitlab' }], [{ name: 'ghcr' }, { name: 'gitlab' }]]);
    expect(byProp.registrySecrets).toEqual([gl]);
  });

  test('an account without the right secret is refused, saying so', () => {
    // GIVEN
    const chart = Testing.chart();
    const ghcr = new RegistrySecret(chart, 'ghcr', { metadata: { name: 'ghcr' }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
    const account = new PrivateImageServiceAccount(chart, 'builder', { metadata: { name: 'builder' }, registrySecrets: [ghcr] });

    // WHEN
    new PrivateImagePod(chart, 'pod', { registrySecrets: [], serviceAccount: account, containers: [{ name: 'app', image: 'registry.gitlab.com/team/web:v1' }] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/no pull secret covers registry "registry\.gitlab\.com" \(serviceAccount "builder" gives "ghcr" for \[ghcr\.io\]\)/);
  });

  test('refuses a secret in another namespace than the account', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test', { namespace: 'prod' });

    // WHEN
    new PrivateImageServiceAccount(chart, 'builder', { registrySecrets: [gitlab(chart, 'ci')] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/\[test\/builder\] pull secret "gitlab" is in namespace "ci" but the service account is in namespace "prod"/);
  });

  test('refuses an empty registrySecrets', () => {
    expect(() => new PrivateImageServiceAccount(Testing.chart(), 'sa', { registrySecrets: [] })).toThrow(/test\/sa: registrySecrets is empty/);
  });
});

describe('PrivateImageServiceAccount with rotating secrets', () => {
  test('lists the hashed name the secret has when the manifest is written', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, appendHash: true, server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
    new PrivateImageServiceAccount(chart, 'builder', { metadata: { name: 'builder' }, registrySecrets: [secret] });

    // WHEN
    secret.addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });

    // THEN
    const manifests = Testing.synth(chart);
    const emitted = manifests.find(m => m.kind === 'Secret').metadata.name;
    expect(emitted).toBe(secret.name);
    expect(manifests.find(m => m.kind === 'ServiceAccount').imagePullSecrets).toEqual([{ name: emitted }]);
  });

  test('an account in another namespace does not cover a pod', () => {
    // GIVEN
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'a' });
    const b = new Chart(app, 'b', { namespace: 'b' });
    const account = new PrivateImageServiceAccount(a, 'builder', {
      metadata: { name: 'builder' },
      registrySecrets: [RegistrySecret.fromSecretName(a, 'regcred', 'regcred', { servers: ['registry.gitlab.com'] })],
    });

    // WHEN
    new PrivateImageDeployment(b, 'web', { registrySecrets: [], serviceAccount: account, containers: [{ name: 'web', image: 'registry.gitlab.com/team/web:v1' }] });

    // THEN
    expect(() => Testing.synth(b)).toThrow(/container "web" image "registry\.gitlab\.com\/team\/web:v1": no pull secret covers registry "registry\.gitlab\.com" \(the pod names no pull secret and serviceAccount "builder" gives none\)/);
  });

  test('a ServiceAccount defined as a plain ApiObject covers a workload that imports it by name', () => {
    // GIVEN
    const chart = Testing.chart();
    new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
    new ApiObject(chart, 'sa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' }, imagePullSecrets: [{ name: 'regcred' }] } as any);

    // WHEN
    new PrivateImageJob(chart, 'build', {
      registrySecrets: [],
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'ref', 'builder'),
      containers: [{ image: 'registry.gitlab.com/team/builder:v3' }],
    });

    // THEN
    expect(Testing.synth(chart).find(m => m.kind === 'Job').spec.template.spec.serviceAccountName).toBe('builder');
  });
});
