import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  PrivateImageCronJob, PrivateImageDaemonSet, PrivateImageDeployment, PrivateImageJob, PrivateImagePullProps,
  PrivateImageStatefulSet, RegistrySecret, CredentialValue,
} from '../src';

const IMAGE = 'registry.gitlab.com/team/app:v1';
const HUB_IMAGE = 'nginx:1.25';

type Make = (chart: Chart, props: PrivateImagePullProps & { containers: kplus.ContainerProps[] }) => kplus.AbstractPod;
const KINDS: Array<[string, Make, (m: any) => any]> = [
  ['Deployment', (c, p) => new PrivateImageDeployment(c, 'workload', p), m => m.spec.template.spec],
  // a StatefulSet needs a port for its headless service
  ['StatefulSet', (c, p) => new PrivateImageStatefulSet(c, 'workload', { ...p, containers: p.containers.map(k => ({ ...k, ports: [{ number: 8080 }] })) }), m => m.spec.template.spec],
  ['DaemonSet', (c, p) => new PrivateImageDaemonSet(c, 'workload', p), m => m.spec.template.spec],
  ['Job', (c, p) => new PrivateImageJob(c, 'workload', p), m => m.spec.template.spec],
  ['CronJob', (c, p) => new PrivateImageCronJob(c, 'workload', { ...p, schedule: Cron.daily() }), m => m.spec.jobTemplate.spec.template.spec],
];

function secrets(chart: Chart) {
  return [
    new RegistrySecret(chart, 'gitlab', { metadata: { name: 'gitlab' }, server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') }),
    new RegistrySecret(chart, 'hub', { metadata: { name: 'hub' }, username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') }),
  ];
}

describe.each(KINDS)('PrivateImage%s', (kind, make, podSpec) => {
  test('names every secret and sets an explicit policy per container', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const workload = make(chart, { registrySecrets: secrets(chart), containers: [{ name: 'app', image: IMAGE }] });
    workload.addContainer({ name: 'hub', image: HUB_IMAGE, imagePullPolicy: kplus.ImagePullPolicy.NEVER });
    workload.addInitContainer({ name: 'init', image: 'registry.gitlab.com/team/init' });

    // THEN
    const manifest = Testing.synth(chart).find(m => m.kind === kind);
    const spec = podSpec(manifest);
    expect(spec.imagePullSecrets).toEqual([{ name: 'gitlab' }, { name: 'hub' }]);
    expect(spec.containers.map((c: any) => c.imagePullPolicy)).toEqual(['IfNotPresent', 'Never']);
    expect(spec.initContainers[0].imagePullPolicy).toBe('Always');
    expect(manifest).toMatchSnapshot();
  });

  test('refuses an image no secret covers, naming the path and the container', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    make(chart, { registrySecrets: [secrets(chart)[0]], containers: [{ name: 'app', image: 'ghcr.io/org/app:v1' }] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/\[test\/workload\] container "app" image "ghcr\.io\/org\/app:v1": no pull secret covers registry "ghcr\.io"/);
  });

  test('refuses a secret in another namespace', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test', { namespace: 'prod' });
    const secret = new RegistrySecret(chart, 's', { metadata: { name: 'regcred', namespace: 'staging' }, server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });

    // WHEN
    make(chart, { registrySecrets: [secret], containers: [{ name: 'app', image: IMAGE }] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/pull secret "regcred" is in namespace "staging" but the pod is in namespace "prod"/);
  });

  test('refuses an empty registrySecrets at construction', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN / THEN
    expect(() => make(chart, { registrySecrets: [], containers: [{ image: IMAGE }] })).toThrow(/test\/workload: registrySecrets is empty/);
  });
});
