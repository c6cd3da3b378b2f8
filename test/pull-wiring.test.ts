import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PrivateImagePod, PrivateRegistryPolicy, RegistrySecret } from '../src';
import { PullWiring, withDefaultPullPolicy } from '../src/pull-wiring';

function gitlab(chart: Chart, id = 'gitlab') {
  return new RegistrySecret(chart, id, { metadata: { name: id }, server: 'registry.gitlab.com', username: 'u', password: 'p' });
}

describe('PullWiring', () => {
  test('serializes a wired object once per synth, however often cdk8s validates', () => {
    // GIVEN
    const chart = Testing.chart();
    const pod = new PrivateImagePod(chart, 'pod', { registrySecrets: [gitlab(chart)], containers: [{ image: 'registry.gitlab.com/a/b:v1' }] });
    const spy = jest.spyOn(pod as any, '_toKube');

    // WHEN
    Testing.synth(chart);
    Testing.synth(chart);

    // THEN
    expect(spy).toHaveBeenCalledTimes(2);
  });

  test('sees changes made between two synths', () => {
    // GIVEN
    const chart = Testing.chart();
    const pod = new PrivateImagePod(chart, 'pod', { registrySecrets: [gitlab(chart)], containers: [{ image: 'registry.gitlab.com/a/b:v1' }] });
    Testing.synth(chart);

    // WHEN
    pod.addContainer({ name: 'late', image: 'ghcr.io/x/y:v1' });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/container "late" image "ghcr\.io\/x\/y:v1": no pull secret covers/);
  });

  test('leaves objects that run no pods alone', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [gitlab(chart)] });

    // WHEN
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { image: 'ghcr.io/x/y' } } as any);

    // THEN
    expect(Testing.synth(chart).find(m => m.kind === 'ConfigMap')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { image: 'ghcr.io/x/y' } });
  });

  test('the innermost policy reports an object, once', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'outer', { registrySecrets: [gitlab(chart)] });
    const team = new Chart(chart, 'team');
    new PrivateRegistryPolicy(team, 'inner', { disallowLatest: true });

    // WHEN
    new ApiObject(team, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod' }, spec: { containers: [{ name: 'c', image: 'registry.gitlab.com/a/b' }] } } as any);

    // THEN
    let message = '';
    try { Testing.synth(chart); } catch (e: any) { message = e.message; }
    expect(message.match(/uses no tag/g)).toHaveLength(1);
    expect(message).toContain('[test/team/inner] test/team/pod: Pod/pod: container "c"');
    expect(PullWiring.nearestScopeRuleOwner(team.node.findChild('pod'))?.node.id).toBe('inner');
  });

  test('withDefaultPullPolicy writes Kubernetes\' default only when none is given', () => {
    expect(withDefaultPullPolicy({ image: 'nginx' }).imagePullPolicy).toBe('Always');
    expect(withDefaultPullPolicy({ image: 'nginx:1.25' }).imagePullPolicy).toBe('IfNotPresent');
    expect(withDefaultPullPolicy({ image: 'nginx', imagePullPolicy: kplus.ImagePullPolicy.NEVER }).imagePullPolicy).toBe('Never');
  });
});
