// The seed chart, synthesized in process. The seed app run by `npx cdk8s synth`, and the README's example run
// as a program, are in seed-run.test.ts.
import { Testing } from 'cdk8s';
import { CredentialValue } from '../src';
import { credentialsFromEnvironment, SeedChart } from '../src/main';

const PASSWORD = 'sentinel-password-123';

function seedPod(manifests: any[]): any {
  return manifests.find(m => m.kind === 'Pod');
}

describe('the seed app', () => {
  test('with credentials it emits regcred and the imagesecrettest2 pod of the tutorial', () => {
    // GIVEN
    const app = Testing.app();

    // WHEN
    const chart = new SeedChart(app, 'seed', { credentials: { server: 'registry.gitlab.com', username: CredentialValue.fromString('test-user'), password: CredentialValue.fromString('test-password') } });

    // THEN
    const manifests = Testing.synth(chart);
    expect(manifests.map(m => `${m.kind}/${m.metadata.name}`)).toEqual(['Secret/regcred', 'Pod/imagesecrettest2']);
    const pod = seedPod(manifests);
    expect(pod.metadata.labels.app).toBe('imagesecret');
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(pod.spec.containers).toHaveLength(1);
    expect(pod.spec.containers[0]).toMatchObject({
      name: 'imagesecretcontainer',
      image: 'registry.gitlab.com/onurbolatoglu/images:nginx',
      imagePullPolicy: 'Always',
      ports: [{ containerPort: 80 }],
    });
    expect(manifests).toMatchSnapshot();
  });

  test('adds nothing that stops the seed nginx from running as root with a writable filesystem', () => {
    // GIVEN
    const chart = new SeedChart(Testing.app(), 'seed');

    // WHEN
    const pod = seedPod(Testing.synth(chart));

    // THEN
    expect(pod.spec.securityContext?.runAsNonRoot).not.toBe(true);
    const container = pod.spec.containers[0];
    expect(container.securityContext?.runAsNonRoot).not.toBe(true);
    expect(container.securityContext?.readOnlyRootFilesystem).not.toBe(true);
    expect(container.resources).toBeUndefined();
  });

  test('without credentials it emits only the pod, naming the existing regcred', () => {
    // GIVEN
    const app = Testing.app();

    // WHEN
    const manifests = Testing.synth(new SeedChart(app, 'seed'));

    // THEN
    expect(manifests.map(m => m.kind)).toEqual(['Pod']);
    expect(manifests[0].spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  test('credentials for another registry are refused at synth', () => {
    // GIVEN
    const chart = new SeedChart(Testing.app(), 'seed', { credentials: { server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString(PASSWORD) } });

    // WHEN / THEN
    expect(() => Testing.synth(chart)).toThrow(/container "imagesecretcontainer" image "registry\.gitlab\.com\/onurbolatoglu\/images:nginx": no pull secret covers registry "registry\.gitlab\.com"/);
  });

  describe('credentialsFromEnvironment', () => {
    test('reads the REGISTRY_* variables', () => {
      // GIVEN
      const env = { REGISTRY_SERVER: 'ghcr.io', REGISTRY_USERNAME: 'u', REGISTRY_PASSWORD: PASSWORD, REGISTRY_EMAIL: 'e@example.com' };

      // WHEN
      const credentials = credentialsFromEnvironment(env);

      // THEN
      expect(credentials?.server).toBe('ghcr.io');
      expect([credentials?.username.resolve(), credentials?.password.resolve(), credentials?.email?.resolve()]).toEqual(['u', PASSWORD, 'e@example.com']);
    });

    test('none set means an existing secret', () => {
      expect(credentialsFromEnvironment({})).toBeUndefined();
    });

    test('a partial set is refused, naming the missing variables and no value', () => {
      // GIVEN
      const env = { REGISTRY_PASSWORD: PASSWORD };

      // WHEN / THEN
      expect(() => credentialsFromEnvironment(env)).toThrow(/^REGISTRY_SERVER, REGISTRY_USERNAME not set/);
      expect(() => credentialsFromEnvironment(env)).not.toThrow(new RegExp(PASSWORD));
    });
  });
});
