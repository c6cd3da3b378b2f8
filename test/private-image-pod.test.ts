import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PrivateImagePod, RegistrySecret, CredentialValue } from '../src';

const PASSWORD = 'sentinel-password-123';

function gitlabSecret(chart: Chart, name = 'regcred') {
  return new RegistrySecret(chart, name, {
    metadata: { name },
    server: 'registry.gitlab.com',
    username: CredentialValue.fromString('test-user'),
    password: CredentialValue.fromString(PASSWORD),
  });
}

function podOf(manifests: any[]): any {
  return manifests.find(m => m.kind === 'Pod');
}

describe('PrivateImagePod', () => {
  test('wires the seed pod: imagePullSecrets and the explicit policy', () => {
    // GIVEN
    const chart = Testing.chart();
    const regcred = gitlabSecret(chart);

    // WHEN
    new PrivateImagePod(chart, 'imagesecrettest2', {
      metadata: { name: 'imagesecrettest2', labels: { app: 'imagesecret' } },
      registrySecrets: [regcred],
      containers: [{
        name: 'imagesecretcontainer',
        image: 'registry.gitlab.com/onurbolatoglu/images:nginx',
        imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
        ports: [{ number: 80 }],
      }],
    });

    // THEN
    const manifests = Testing.synth(chart);
    const pod = podOf(manifests);
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.spec.containers[0]).toMatchObject({
      name: 'imagesecretcontainer',
      image: 'registry.gitlab.com/onurbolatoglu/images:nginx',
      imagePullPolicy: 'Always',
      ports: [{ containerPort: 80 }],
    });
    expect(pod).toMatchSnapshot();
  });

  test.each([
    ['registry.gitlab.com/team/app:latest', 'Always'],
    ['registry.gitlab.com/team/app', 'Always'],
    ['registry.gitlab.com/team/app:v1', 'IfNotPresent'],
    [`registry.gitlab.com/team/app@sha256:${'a'.repeat(64)}`, 'IfNotPresent'],
    [`registry.gitlab.com/team/app:latest@sha256:${'a'.repeat(64)}`, 'Always'],
  ])('defaults imagePullPolicy of %s to %s as Kubernetes does', (image, policy) => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    new PrivateImagePod(chart, 'pod', { registrySecrets: [gitlabSecret(chart)], containers: [{ image }] });

    // THEN
    expect(podOf(Testing.synth(chart)).spec.containers[0].imagePullPolicy).toBe(policy);
  });

  test('keeps the policy the user chose', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    new PrivateImagePod(chart, 'pod', {
      registrySecrets: [gitlabSecret(chart)],
      containers: [{ image: 'registry.gitlab.com/team/app:latest', imagePullPolicy: kplus.ImagePullPolicy.NEVER }],
    });

    // THEN
    expect(podOf(Testing.synth(chart)).spec.containers[0].imagePullPolicy).toBe('Never');
  });

  test('containers and init containers added after construction get a policy too', () => {
    // GIVEN
    const chart = Testing.chart();
    const pod = new PrivateImagePod(chart, 'pod', { registrySecrets: [gitlabSecret(chart)] });

    // WHEN
    pod.addContainer({ name: 'main', image: 'registry.gitlab.com/team/app:v2' });
    pod.addInitContainer({ name: 'init', image: 'registry.gitlab.com/team/init' });

    // THEN
    const spec = podOf(Testing.synth(chart)).spec;
    expect(spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(spec.initContainers[0].imagePullPolicy).toBe('Always');
  });

  test('names several secrets in order, each once', () => {
    // GIVEN
    const chart = Testing.chart();
    const gitlab = gitlabSecret(chart, 'gitlab');
    const ghcr = new RegistrySecret(chart, 'ghcr', { metadata: { name: 'ghcr' }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });

    // WHEN
    new PrivateImagePod(chart, 'pod', {
      registrySecrets: [ghcr, gitlab, ghcr],
      containers: [
        { name: 'app', image: 'registry.gitlab.com/team/app:v1' },
        { name: 'sidecar', image: 'ghcr.io/org/sidecar:v1' },
      ],
    });

    // THEN
    expect(podOf(Testing.synth(chart)).spec.imagePullSecrets).toEqual([{ name: 'ghcr' }, { name: 'gitlab' }]);
  });

  test('an existing secret referred to by name covers its servers and emits nothing', () => {
    // GIVEN
    const chart = Testing.chart();
    const regcred = RegistrySecret.fromSecretName(chart, 'regcred', 'regcred', { servers: ['registry.gitlab.com'] });

    // WHEN
    new PrivateImagePod(chart, 'pod', { registrySecrets: [regcred], containers: [{ image: 'registry.gitlab.com/team/app:v1' }] });

    // THEN
    const manifests = Testing.synth(chart);
    expect(manifests.map(m => m.kind)).toEqual(['Pod']);
    expect(manifests[0].spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  test('the default kubectl server covers Docker Hub images', () => {
    // GIVEN
    const chart = Testing.chart();
    const hub = new RegistrySecret(chart, 'hub', { username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });

    // WHEN
    new PrivateImagePod(chart, 'pod', { registrySecrets: [hub], containers: [{ image: 'nginx:1.25' }, { name: 'b', image: 'docker.io/org/app:v1' }] });

    // THEN
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('publicRegistries exempts a public sidecar', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    new PrivateImagePod(chart, 'pod', {
      registrySecrets: [gitlabSecret(chart)],
      publicRegistries: ['docker.io'],
      containers: [{ name: 'app', image: 'registry.gitlab.com/team/app:v1' }, { name: 'proxy', image: 'envoyproxy/envoy:v1.30.0' }],
    });

    // THEN
    const spec = podOf(Testing.synth(chart)).spec;
    expect(spec.containers[1].imagePullPolicy).toBe('IfNotPresent');
    expect(spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  test('synth is deterministic', () => {
    // GIVEN
    const build = () => {
      const chart = Testing.chart();
      new PrivateImagePod(chart, 'pod', { registrySecrets: [gitlabSecret(chart)], containers: [{ image: 'registry.gitlab.com/team/app' }] });
      return JSON.stringify(Testing.synth(chart));
    };

    // WHEN / THEN
    expect(build()).toEqual(build());
  });

  describe('refuses at synth', () => {
    test('an image that does not parse, naming the path, the container and the value', () => {
      // GIVEN
      const chart = Testing.chart();

      // WHEN
      new PrivateImagePod(chart, 'pod', { registrySecrets: [gitlabSecret(chart)], containers: [{ name: 'web', image: 'registry.gitlab.com/Team/App:v1' }] });

      // THEN
      expect(() => Testing.synth(chart)).toThrow(/\[test\/pod\] container "web": .*"registry\.gitlab\.com\/Team\/App:v1".*lowercase/);
    });

    test('an image from a registry no secret covers', () => {
      // GIVEN
      const chart = Testing.chart();

      // WHEN
      new PrivateImagePod(chart, 'pod', { registrySecrets: [gitlabSecret(chart)], containers: [{ name: 'web', image: 'ghcr.io/org/web:v1' }] });

      // THEN
      expect(() => Testing.synth(chart)).toThrow(/\[test\/pod\] container "web" image "ghcr\.io\/org\/web:v1": no pull secret covers registry "ghcr\.io" \(imagePullSecrets gives "regcred" for \[registry\.gitlab\.com\]\)/);
    });

    test.each([
      ['localhost:5000', 'localhost:5001/app:v1'],
      ['registry.example.com:443', 'registry.example.com/app:v1'],
      ['*.example.com', 'example.com/app:v1'],
      ['*.example.com', 'a.b.example.com/app:v1'],
      ['registry-1.docker.io', 'nginx:1.25'],
      ['registry.gitlab.com/other', 'registry.gitlab.com/team/app:v1'],
    ])('a secret for %s does not cover %s (kubelet matching)', (server, image) => {
      // GIVEN
      const chart = Testing.chart();
      const secret = new RegistrySecret(chart, 'secret', { server, username: CredentialValue.fromString('u'), password: CredentialValue.fromString(PASSWORD) });

      // WHEN
      new PrivateImagePod(chart, 'pod', { registrySecrets: [secret], containers: [{ image }] });

      // THEN
      expect(() => Testing.synth(chart)).toThrow(/no pull secret covers registry/);
    });

    test('a secret in a different namespace from the pod', () => {
      // GIVEN
      const chart = new Chart(Testing.app(), 'test', { namespace: 'prod' });
      const secret = new RegistrySecret(chart, 'secret', { metadata: { name: 'regcred', namespace: 'ci' }, server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString(PASSWORD) });

      // WHEN
      new PrivateImagePod(chart, 'pod', { registrySecrets: [secret], containers: [{ image: 'registry.gitlab.com/team/app:v1' }] });

      // THEN
      expect(() => Testing.synth(chart)).toThrow(/\[test\/pod\] pull secret "regcred" is in namespace "ci" but the pod is in namespace "prod"/);
    });

    test('an empty registrySecrets, at construction', () => {
      // GIVEN
      const chart = Testing.chart();

      // WHEN / THEN
      expect(() => new PrivateImagePod(chart, 'pod', { registrySecrets: [], containers: [{ image: 'nginx' }] })).toThrow(/test\/pod: registrySecrets is empty/);
    });

    test('and never shows the password', () => {
      // GIVEN
      const chart = Testing.chart();
      new PrivateImagePod(chart, 'pod', { registrySecrets: [gitlabSecret(chart)], containers: [{ image: 'ghcr.io/x/y' }, { name: 'b', image: 'BAD' }] });

      // WHEN
      let message = '';
      try { Testing.synth(chart); } catch (e: any) { message = `${e.message}\n${e.stack}`; }

      // THEN
      expect(message).toMatch(/no pull secret covers/);
      expect(message).not.toContain(PASSWORD);
      expect(message).not.toContain(Buffer.from(`test-user:${PASSWORD}`).toString('base64'));
    });
  });
});
