import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CredentialValue, PrivateImagePod, PrivateRegistryPolicy, RegistrySecret } from '../src';
import { ManifestIndex } from '../src/rules/manifest-index';

function gitlab(chart: Chart, id = 'gitlab') {
  return new RegistrySecret(chart, id, { metadata: { name: id }, server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
}

describe('one synth request', () => {
  test('the app\'s secrets are read once per synth, however many pods ask', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = gitlab(chart);
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [secret] });
    for (let i = 0; i < 20; i++) {
      // a pod with no secret of its own pulls with its ServiceAccount's: looked up in the app
      new kplus.k8s.KubePod(chart, `pod${i}`, { spec: { containers: [{ name: 'c', image: 'registry.gitlab.com/a/b:v1' }] } });
    }
    const indexed = jest.spyOn(ManifestIndex.prototype, 'addSecret');

    // WHEN
    Testing.synth(chart);

    // THEN: once for the policy's validation, at most once for the pods' serialization
    expect(indexed.mock.calls.filter(([info]) => info.name === secret.name).length).toBeLessThanOrEqual(2);
  });

  test('a pod is rendered once per synth request, however often cdk8s validates the app', () => {
    // GIVEN: cdk8s validates the whole app in synthYaml, then again for each chart it writes
    const app = Testing.app();
    const a = new Chart(app, 'a');
    const pod = new PrivateImagePod(a, 'pod', { registrySecrets: [gitlab(a)], containers: [{ image: 'registry.gitlab.com/a/b:v1' }] });
    new Chart(app, 'b');
    const built = jest.spyOn(pod as any, '_toKube');

    // WHEN
    app.synthYaml();

    // THEN: written once; checked once, from its model
    expect(built).toHaveBeenCalledTimes(1);
  });
});
