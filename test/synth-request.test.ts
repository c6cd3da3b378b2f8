import { Chart, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CredentialValue, PrivateImagePod, PrivateImagePull, PrivateRegistryPolicy } from '../src';
import { testSecret } from './support/secrets';

// How often internals run per request (secrets read, pods rendered and checked once) is the work
// budget of bench/work.ts; these tests hold what a request knows, and when it ends.
describe('one synth request', () => {
  test('what a request knows of a secret ends with it: a server added after a synth covers the next one', () => {
    // GIVEN a pod whose image no secret covers
    const chart = Testing.chart();
    const secret = testSecret(chart);
    new PrivateImagePod(chart, 'pod', { registrySecrets: [secret], containers: [{ image: 'ghcr.io/a/b:v1' }] });
    expect(() => Testing.synth(chart)).toThrow(/no pull secret covers registry "ghcr\.io"/);

    // WHEN the secret gets a server for it
    secret.addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });

    // THEN the next synth sees it
    expect(Testing.synth(chart)[1].spec.imagePullSecrets).toEqual([{ name: secret.name }]);
  });

  test('an object is checked once per synth request, however often cdk8s validates the app, and again in the next', () => {
    // GIVEN: an L1 pod whose spec is a Lazy, produced once by each check (from its props) and once by each render
    const app = Testing.app();
    const a = new Chart(app, 'a');
    let produced = 0;
    const spec = Lazy.any({ produce: () => (produced++, { containers: [{ name: 'c', image: 'registry.gitlab.com/a/b:v1' }] }) });
    new kplus.k8s.KubePod(a, 'pod', { spec: spec as any }).with(new PrivateImagePull({ registrySecrets: [testSecret(a)] }));
    new Chart(app, 'b');

    // WHEN: synthYaml validates the app three times (once, then for each chart)
    app.synthYaml();
    const first = produced;
    app.synthYaml();

    // THEN: one check and one render per request
    expect(first).toBe(2);
    expect(produced).toBe(4);
  });

  test('what a request knows of an object\'s own rules ends with it: a secret added after a synth is named in the next one', () => {
    // GIVEN: a pod synthesized once
    const chart = Testing.chart();
    const pod = new PrivateImagePod(chart, 'pod', { registrySecrets: [testSecret(chart)], containers: [{ image: 'registry.gitlab.com/a/b:v1' }] });
    Testing.synth(chart);

    // WHEN: it gets a second secret, and an image only that one covers
    pod.addRegistrySecret(testSecret(chart, 'ghcr', 'ghcr.io'));
    pod.addContainer({ name: 'late', image: 'ghcr.io/a/b:v1' });
    const synthesized = Testing.synth(chart).find(o => o.kind === 'Pod');

    // THEN
    expect(synthesized.spec.imagePullSecrets).toEqual([{ name: 'gitlab' }, { name: 'ghcr' }]);
  });

  test('what a request knows of the rules ends with it: a policy added after a synth wires the next one', () => {
    // GIVEN: a pod under a WIRE policy, synthesized once
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'gitlab-policy', { registrySecrets: [testSecret(chart)] });
    new kplus.k8s.KubePod(chart, 'gitlab-pod', { spec: { containers: [{ name: 'c', image: 'registry.gitlab.com/a/b:v1' }] } });
    Testing.synth(chart);

    // WHEN: a second policy and a pod only it covers
    const ghcr = testSecret(chart, 'ghcr', 'ghcr.io');
    new PrivateRegistryPolicy(chart, 'ghcr-policy', { registrySecrets: [ghcr] });
    new kplus.k8s.KubePod(chart, 'ghcr-pod', { spec: { containers: [{ name: 'c', image: 'ghcr.io/a/b:v1' }] } });
    const pods = Testing.synth(chart).filter(o => o.kind === 'Pod');

    // THEN: each pod names the secret that covers its image
    expect(pods.map(p => p.spec.imagePullSecrets)).toEqual([[{ name: 'gitlab' }], [{ name: 'ghcr' }]]);
  });
});
