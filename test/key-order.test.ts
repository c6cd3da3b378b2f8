import { ApiObject, Testing } from 'cdk8s';
import { PrivateRegistryPolicy } from '../src';
import { testSecret } from './support/secrets';

describe('keys the wiring adds keep cdk8s\'s order', () => {
  test('imagePullSecrets and imagePullPolicy take their sorted place in a plain ApiObject', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [testSecret(chart)] });

    // WHEN
    new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod' }, spec: { containers: [{ name: 'c', image: 'registry.gitlab.com/a/b:v1' }], restartPolicy: 'Never' } });
    const pod = Testing.synth(chart).find(m => m.kind === 'Pod');

    // THEN
    expect(Object.keys(pod.spec)).toEqual(['containers', 'imagePullSecrets', 'restartPolicy']);
    expect(Object.keys(pod.spec.containers[0])).toEqual(['image', 'imagePullPolicy', 'name']);
  });

  test('the keys after an added one move with their values; the keys before it stay', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [testSecret(chart)] });
    const spec = { containers: [{ name: 'c', image: 'registry.gitlab.com/a/b:v1', imagePullPolicy: 'Always' }], dnsPolicy: 'None', hostNetwork: true, restartPolicy: 'Never', schedulerName: 's', terminationGracePeriodSeconds: 5 };

    // WHEN
    new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod' }, spec });
    const pod = Testing.synth(chart).find(m => m.kind === 'Pod');

    // THEN
    expect(Object.keys(pod.spec)).toEqual(['containers', 'dnsPolicy', 'hostNetwork', 'imagePullSecrets', 'restartPolicy', 'schedulerName', 'terminationGracePeriodSeconds']);
    expect(pod.spec).toEqual({ ...spec, imagePullSecrets: [{ name: 'gitlab' }] });
  });

  test('with CDK8S_DISABLE_SORT the added keys come last, as cdk8s leaves every key', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [testSecret(chart)] });
    new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'registry.gitlab.com/a/b:v1' }] } });

    // WHEN
    process.env.CDK8S_DISABLE_SORT = '1';
    let pod: any;
    try {
      pod = Testing.synth(chart).find(m => m.kind === 'Pod');
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }

    // THEN
    expect(Object.keys(pod.spec)).toEqual(['restartPolicy', 'containers', 'imagePullSecrets']);
  });
});
