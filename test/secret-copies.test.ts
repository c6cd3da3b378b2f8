import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing, Yaml, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CredentialValue, PolicyMode, PrivateImagePod, PrivateImageServiceAccount, PrivateRegistryPolicy, RegistrySecret, RegistrySecretOptions } from '../src';
import { checkManifests } from '../src/cli/manifest-check';

const IMAGE = 'ghcr.io/team/app:v1';

function regcred(chart: Chart, options: RegistrySecretOptions = {}): RegistrySecret {
  return new RegistrySecret(chart, 'regcred', {
    metadata: { name: 'regcred' }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p'), ...options,
  });
}

function pod(chart: Chart, secret: RegistrySecret, id = 'pod'): PrivateImagePod {
  return new PrivateImagePod(chart, id, { registrySecrets: [secret], containers: [{ image: IMAGE }] });
}

const secretsOf = (manifests: any[]) => manifests.filter(m => m.kind === 'Secret');
const where = (manifests: any[]) => secretsOf(manifests).map(m => `${m.metadata.namespace ?? ''}/${m.metadata.name}`);

describe('RegistrySecret copyToPodNamespaces: one secret, every namespace its pods use', () => {
  test('writes a copy into each namespace whose pods or ServiceAccounts name it, after the secret, in namespace order', () => {
    // GIVEN a secret in "infra", a pod in "team-b" and a ServiceAccount in "team-a", in their own charts
    const app = Testing.app();
    const infra = new Chart(app, 'infra', { namespace: 'infra' });
    const secret = regcred(infra, { copyToPodNamespaces: true, appendHash: true });
    new kplus.ConfigMap(infra, 'after');
    pod(new Chart(app, 'b', { namespace: 'team-b' }), secret);
    new PrivateImageServiceAccount(new Chart(app, 'a', { namespace: 'team-a' }), 'sa', { registrySecrets: [secret] });

    // WHEN
    const manifests = Testing.synth(infra);

    // THEN the same name (with its hash) and the same bytes, each copy in its own namespace
    expect(manifests.map(m => `${m.kind}/${m.metadata.namespace}`)).toEqual(['Secret/infra', 'Secret/team-a', 'Secret/team-b', 'ConfigMap/infra']);
    const [original, ...copies] = secretsOf(manifests);
    expect(original.metadata.name).toMatch(/^regcred-[a-z0-9]{10}$/);
    for (const copy of copies) {
      expect({ ...copy, metadata: { ...copy.metadata, namespace: 'infra' } }).toEqual(original);
      expect(Object.keys(copy.metadata)).toEqual(Object.keys(original.metadata));
    }
    expect(manifests).toMatchSnapshot();
  });

  test('the pods\' charts hold no copy, and each chart\'s file applies on its own', () => {
    // GIVEN
    const app = Testing.app();
    const infra = new Chart(app, 'infra', { namespace: 'infra' });
    const team = new Chart(app, 'team', { namespace: 'team' });
    pod(team, regcred(infra, { copyToPodNamespaces: true }));

    // WHEN
    const manifests = Testing.synth(team);

    // THEN the pod names the secret, which its namespace gets from the secret's chart
    expect(secretsOf(manifests)).toEqual([]);
    expect(manifests[0].spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(where(Testing.synth(infra))).toEqual(['infra/regcred', 'team/regcred']);
  });

  test('copyToNamespaces writes copies where no pod of the app runs, once each, without the secret\'s own namespace', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'infra', { namespace: 'infra' });

    // WHEN
    regcred(chart, { copyToNamespaces: ['team-b', 'infra', 'team-a', 'team-b'] });

    // THEN
    expect(where(Testing.synth(chart))).toEqual(['infra/regcred', 'team-a/regcred', 'team-b/regcred']);
  });

  test('copyToNamespaces lets pods there name the secret, and no other namespace', () => {
    // GIVEN
    const app = Testing.app();
    const infra = new Chart(app, 'infra', { namespace: 'infra' });
    const secret = regcred(infra, { copyToNamespaces: ['team-a'] });

    // WHEN
    pod(new Chart(app, 'a', { namespace: 'team-a' }), secret);
    pod(new Chart(app, 'c', { namespace: 'team-c' }), secret);

    // THEN the pod in team-c is refused, with both ways out
    expect(() => Testing.synth(infra)).toThrow(/\[c\/pod\] pull secret "regcred" is in namespace "infra" but the pod is in namespace "team-c".*copyToPodNamespaces: true.*or list "team-c" in its copyToNamespaces/);
  });

  test('without the opt-in, a pod in another namespace is refused and the message names the opt-in', () => {
    // GIVEN
    const app = Testing.app();
    const infra = new Chart(app, 'infra', { namespace: 'infra' });

    // WHEN
    pod(new Chart(app, 'team', { namespace: 'team' }), regcred(infra));

    // THEN
    expect(() => Testing.synth(infra)).toThrow(/pull secret "regcred" is in namespace "infra" but the pod is in namespace "team": .*; put the secret and the pod in the same namespace; or set copyToPodNamespaces: true on the RegistrySecret/);
  });

  test('a copy is refused where the app has another Secret of the same name, naming both', () => {
    // GIVEN a secret copied to its pods, and another "regcred" in team-b
    const app = Testing.app();
    const infra = new Chart(app, 'infra', { namespace: 'infra' });
    const secret = regcred(infra, { copyToPodNamespaces: true });
    const teamB = new Chart(app, 'b', { namespace: 'team-b' });
    regcred(teamB);

    // WHEN a pod in team-b names the copied one
    pod(teamB, secret);

    // THEN
    expect(() => Testing.synth(infra)).toThrow(
      /\[infra\/regcred\] a copy of pull secret "regcred" would be written in namespace "team-b", where b\/regcred has a Secret "regcred" too: .*give infra\/regcred or b\/regcred another name/);
  });

  test('a copy is refused where a secret of the same name is declared to exist', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'infra', { namespace: 'infra' });
    RegistrySecret.fromSecretName(chart, 'existing', 'regcred', { servers: ['ghcr.io'], namespace: 'ops' });

    // WHEN
    regcred(chart, { copyToNamespaces: ['ops'] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/written in namespace "ops", where infra\/existing has a Secret "regcred" too.*or drop "ops" from copyToNamespaces/);
  });

  test('each synth reads the tree as it is then: a pod added later gets its copy, and the tree gains no construct', () => {
    // GIVEN
    const app = Testing.app();
    const infra = new Chart(app, 'infra', { namespace: 'infra' });
    const secret = regcred(infra, { copyToPodNamespaces: true });
    const children = infra.node.findAll().length;
    expect(where(Testing.synth(infra))).toEqual(['infra/regcred']);

    // WHEN
    pod(new Chart(app, 'late', { namespace: 'late' }), secret);

    // THEN
    expect(where(Testing.synth(infra))).toEqual(['infra/regcred', 'late/regcred']);
    expect(infra.node.findAll().length).toBe(children);
  });

  test('a WIRE policy gives a pod the secret and the pod\'s namespace a copy; a VERIFY policy accepts a pod that names it', () => {
    // GIVEN
    const app = Testing.app();
    const infra = new Chart(app, 'infra', { namespace: 'infra' });
    const secret = regcred(infra, { copyToPodNamespaces: true });
    const wired = new Chart(app, 'wired', { namespace: 'wired' });
    new PrivateRegistryPolicy(wired, 'policy', { registrySecrets: [secret] });
    new kplus.Pod(wired, 'plain', { containers: [{ image: IMAGE, securityContext: { ensureNonRoot: false } }] });
    const verified = new Chart(app, 'verified', { namespace: 'verified' });
    new PrivateRegistryPolicy(verified, 'policy', { mode: PolicyMode.VERIFY, registrySecrets: [secret] });
    new kplus.Pod(verified, 'named', { containers: [{ image: IMAGE, imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT }], dockerRegistryAuth: secret });

    // WHEN
    const manifests = Testing.synth(infra);

    // THEN
    expect(Testing.synth(wired)[0].spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(Testing.synth(verified)[0].spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(where(manifests)).toEqual(['infra/regcred', 'verified/regcred', 'wired/regcred']);
  });

  test('check reads the synthesized copies as the secrets they are', async () => {
    // GIVEN an app synthesized to files, one per chart
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-copies-'));
    try {
      const app = new App({ outdir });
      const infra = new Chart(app, 'infra', { namespace: 'infra' });
      const secret = regcred(infra, { copyToPodNamespaces: true });
      pod(new Chart(app, 'team', { namespace: 'team' }), secret);
      app.synth();

      // WHEN
      const sources = fs.readdirSync(outdir).sort().map(name => ({ name, path: path.join(outdir, name) }));
      const result = await checkManifests(sources, {
        privateRegistries: ['ghcr.io'],
        settings: { privateRegistries: '--private-registry', publicRegistry: r => r, existingSecret: r => r },
      });

      // THEN
      expect(result.violations).toEqual([]);
      expect(Yaml.load(path.join(outdir, 'infra.k8s.yaml')).map((m: any) => m.metadata.namespace)).toEqual(['infra', 'team']);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('one file per object cannot hold the copies: refused with the fix', () => {
    // GIVEN
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'secret-copies-')), yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    try {
      const chart = new Chart(app, 'infra', { namespace: 'infra' });

      // WHEN
      regcred(chart, { copyToNamespaces: ['team'] });

      // THEN
      expect(() => app.synth()).toThrow(/copies of pull secret "regcred" cannot be written with yamlOutputType FOLDER_PER_CHART_FILE_PER_RESOURCE/);
    } finally {
      fs.rmSync(app.outdir, { recursive: true, force: true });
    }
  });

  test.each([
    [{ copyToNamespaces: 'team-a' }, /infra\/regcred: copyToNamespaces is a string; expected an array of namespace names/],
    [{ copyToNamespaces: ['Team_A'] }, /infra\/regcred: copyToNamespaces has "Team_A", which is not a namespace name/],
    [{ copyToPodNamespaces: 'yes' }, /infra\/regcred: copyToPodNamespaces is a string; expected true, false or nothing/],
  ])('refuses %j', (options, message) => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'infra');

    // THEN
    expect(() => regcred(chart, options as any)).toThrow(message);
    expect(chart.node.tryFindChild('regcred')).toBeUndefined();
  });
});
