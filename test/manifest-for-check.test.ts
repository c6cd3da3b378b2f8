import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PrivateImagePod } from '../src';
import { testSecret } from './support/secrets';
import { manifestForCheck } from '../src/wiring/manifest-for-check';

describe('what validation reads of an object', () => {
  test('a cdk8s-plus pod is read from its model, with no render', () => {
    // GIVEN
    const chart = Testing.chart();
    const pod = new PrivateImagePod(chart, 'pod', { registrySecrets: [testSecret(chart)], containers: [{ name: 'app', image: 'registry.gitlab.com/a/b:v1' }] });
    const render = jest.fn();

    // WHEN
    const manifest = manifestForCheck(ApiObject.of(pod), render);

    // THEN
    expect(render).not.toHaveBeenCalled();
    expect(manifest.spec.containers).toEqual([{ name: 'app', image: 'registry.gitlab.com/a/b:v1', imagePullPolicy: 'IfNotPresent' }]);
  });

  test('an L1 object is read from its props, Lazy values produced', () => {
    // GIVEN
    const chart = Testing.chart();
    const job = new kplus.k8s.KubeJob(chart, 'job', { spec: { template: { spec: { containers: [{ name: 'c', image: 'ghcr.io/a/b:v1' }] } } } });
    const render = jest.fn();

    // WHEN
    const manifest = manifestForCheck(job, render);

    // THEN
    expect(render).not.toHaveBeenCalled();
    expect(manifest.spec.template.spec.containers[0].image).toBe('ghcr.io/a/b:v1');
  });

  test('asked for a copy, an L1 workload\'s pod spec can be completed without changing its props', () => {
    // GIVEN a Deployment whose pod spec is three levels down in its props
    const chart = Testing.chart();
    const container = { name: 'c', image: 'ghcr.io/a/b:v1' };
    const props = { spec: { selector: {}, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [container] } } } };
    const deployment = new kplus.k8s.KubeDeployment(chart, 'web', props);
    const before = JSON.stringify(props);

    // WHEN validation completes what it reads
    const manifest = manifestForCheck(deployment, jest.fn(), undefined, true);
    manifest.spec.template.spec.imagePullSecrets = [{ name: 'regcred' }];
    manifest.spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent';

    // THEN the props are as the user wrote them, and the copy keeps what is beside the pod spec
    expect(JSON.stringify(props)).toBe(before);
    expect(manifest.spec.template.spec.containers[0]).not.toBe(container);
    expect(manifest.spec.template.metadata).toEqual({ labels: { a: 'b' } });
    expect(manifest.spec.selector).toEqual({});
  });

  test('without a copy, an L1 object is read as it is, at no cost', () => {
    // GIVEN
    const chart = Testing.chart();
    const podSpec = { containers: [{ name: 'c', image: 'ghcr.io/a/b:v1' }] };
    const pod = new kplus.k8s.KubePod(chart, 'pod', { spec: podSpec });

    // WHEN
    const manifest = manifestForCheck(pod, jest.fn());

    // THEN
    expect(manifest.spec).toBe(podSpec);
  });

  test('an object with a JSON patch is rendered, since the patch may change what the checks read', () => {
    // GIVEN
    const chart = Testing.chart();
    const job = new kplus.k8s.KubeJob(chart, 'job', { spec: { template: { spec: { containers: [{ name: 'c', image: 'ghcr.io/a/b:v1' }] } } } });
    job.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/image', 'quay.io/a/b:v1'));

    // WHEN
    const manifest = manifestForCheck(job, () => job.toJson());

    // THEN
    expect(manifest.spec.template.spec.containers[0].image).toBe('quay.io/a/b:v1');
  });

  test('a JSON patch that changes an image is checked as written: validation renders a patched object', () => {
    // GIVEN
    const chart = Testing.chart();
    const pod = new PrivateImagePod(chart, 'pod', { registrySecrets: [testSecret(chart)], containers: [{ image: 'registry.gitlab.com/a/b:v1' }] });

    // WHEN
    ApiObject.of(pod).addJsonPatch(JsonPatch.replace('/spec/containers/0/image', 'ghcr.io/a/b:v1'));

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/image "ghcr\.io\/a\/b:v1": no pull secret covers registry "ghcr\.io"/);
  });
});
