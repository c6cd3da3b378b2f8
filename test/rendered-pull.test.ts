// The constructs judge the YAML they write: for each app below, the synth and `check` on the
// synth's output give the same verdict.
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CredentialValue, PrivateImagePod, PrivateImageServiceAccount, RegistrySecret } from '../src';
import { verdicts } from './support/check-oracle';

const GITLAB_IMAGE = 'registry.gitlab.com/team/app:v1';

function registrySecret(chart: Chart, name = 'regcred', server = 'registry.gitlab.com') {
  return new RegistrySecret(chart, name, { metadata: { name }, server, username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
}

function privatePod(chart: Chart, id: string, secrets: kplus.ISecret[], image = GITLAB_IMAGE) {
  return new PrivateImagePod(chart, id, { metadata: { name: id }, registrySecrets: secrets, containers: [{ name: 'app', image }] });
}

describe('one namespace rule for secrets and ServiceAccounts, shared with check', () => {
  test('a RegistrySecret without a namespace covers only pods without one: synth and check refuse those in prod and staging, naming both fixes', async () => {
    // GIVEN: the secret, and a reference to a secret created out of band, in a chart without a namespace
    const app = Testing.app();
    const shared = new Chart(app, 'shared');
    const regcred = registrySecret(shared);
    const existing = RegistrySecret.fromSecretName(shared, 'existing', 'existing', { servers: ['registry.gitlab.com'] });
    const prod = new Chart(app, 'prod', { namespace: 'prod' });

    // WHEN
    privatePod(prod, 'web', [regcred]);
    privatePod(new Chart(app, 'staging', { namespace: 'staging' }), 'web', [regcred]);
    privatePod(new Chart(app, 'plain'), 'web', [regcred]);
    // "" is no namespace
    privatePod(new Chart(app, 'empty', { namespace: '' }), 'api', [regcred]);
    // a reference without a namespace is to the secret of the pod's namespace
    privatePod(prod, 'api', [existing]);

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toMatch(/\[prod\/web\] pull secret "regcred" has no namespace but the pod is in namespace "prod"/);
    expect(found.synth).toMatch(/give the secret a namespace \(its chart's namespace, e\.g\. new Chart\(app, id, \{ namespace: "prod" \}\)\), or make one secret per namespace that uses it/);
    expect(found.synth).toMatch(/\[staging\/web\] pull secret "regcred" has no namespace but the pod is in namespace "staging"/);
    expect(found.synth).not.toMatch(/plain\/web|empty\/api|prod\/api/);
    // the pods are written without the secret they cannot name
    expect(found.check).toEqual([
      expect.stringMatching(/^Pod\/prod\/web: .* no pull secret covers registry "registry.gitlab.com" \(the pod names no pull secret/),
      expect.stringMatching(/^Pod\/staging\/web: .* no pull secret covers registry "registry.gitlab.com" \(the pod names no pull secret/),
    ]);
  });

  test('a RegistrySecret in namespace "" covers a pod without a namespace, for synth and check alike', async () => {
    // GIVEN
    const app = Testing.app();
    const regcred = registrySecret(new Chart(app, 'shared', { namespace: '' }));

    // WHEN
    privatePod(new Chart(app, 'plain'), 'web', [regcred]);

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toBeUndefined();
    expect(found.check).toEqual([]);
  });

  test('a ServiceAccount in prod naming a RegistrySecret without a namespace is refused, as check refuses the pod that runs under it', async () => {
    // GIVEN
    const app = Testing.app();
    const regcred = registrySecret(new Chart(app, 'shared'));
    const prod = new Chart(app, 'prod', { namespace: 'prod' });

    // WHEN
    const builder = new PrivateImageServiceAccount(prod, 'builder', { metadata: { name: 'builder' }, registrySecrets: [regcred] });
    new kplus.Pod(prod, 'job', {
      metadata: { name: 'job' },
      serviceAccount: builder,
      automountServiceAccountToken: false,
      containers: [{ name: 'app', image: GITLAB_IMAGE, imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT }],
    });

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toMatch(/\[prod\/builder\] pull secret "regcred" has no namespace but the service account is in namespace "prod"/);
    expect(found.check).toEqual([
      expect.stringMatching(/^Pod\/prod\/job: pull secret "regcred" has no namespace but the pod is in namespace "prod"/),
      expect.stringMatching(/^Pod\/prod\/job: .* no pull secret covers registry "registry.gitlab.com" \(serviceAccount "builder" gives "regcred", which has no namespace\)$/),
    ]);
  });
});
