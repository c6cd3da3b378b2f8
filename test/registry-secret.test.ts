import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CredentialValue, RegistrySecret } from '../src';

const PASSWORD = 'sentinel-password-123';

function decode(secret: any): any {
  return JSON.parse(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString('utf8'));
}

describe('RegistrySecret', () => {
  test('is a dockerconfigjson Secret under data, like kubectl create secret docker-registry', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    new RegistrySecret(chart, 'regcred', {
      metadata: { name: 'regcred' },
      server: 'registry.gitlab.com',
      username: CredentialValue.fromString('test-user'),
      password: CredentialValue.fromString('test-password'),
    });

    // THEN
    const [secret] = Testing.synth(chart);
    expect(secret).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'regcred' } });
    expect(Object.keys(secret.data)).toEqual(['.dockerconfigjson']);
    expect(secret.stringData).toBeUndefined();
    expect(Buffer.from(secret.data['.dockerconfigjson'], 'base64').toString('utf8')).toBe(
      '{"auths":{"registry.gitlab.com":{"username":"test-user","password":"test-password","auth":"dGVzdC11c2VyOnRlc3QtcGFzc3dvcmQ="}}}');
    expect(secret).toMatchSnapshot();
  });

  test('defaults the server to Docker Hub as kubectl does', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const secret = new RegistrySecret(chart, 'hub', { username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });

    // THEN
    expect(secret.servers).toEqual(['https://index.docker.io/v1/']);
    expect(Object.keys(decode(Testing.synth(chart)[0]).auths)).toEqual(['https://index.docker.io/v1/']);
  });

  test('one secret covers several registries', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = new RegistrySecret(chart, 'multi', { server: 'registry.gitlab.com', username: CredentialValue.fromString('a'), password: CredentialValue.fromString('pa') });

    // WHEN
    secret.addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString('b'), password: CredentialValue.fromString('pb'), email: CredentialValue.fromString('b@example.com') });

    // THEN
    expect(secret.servers).toEqual(['registry.gitlab.com', 'ghcr.io']);
    const auths = decode(Testing.synth(chart)[0]).auths;
    expect(Object.keys(auths)).toEqual(['ghcr.io', 'registry.gitlab.com']);
    expect(auths['ghcr.io']).toEqual({ username: 'b', password: 'pb', email: 'b@example.com', auth: Buffer.from('b:pb').toString('base64') });
  });

  test('can be given to any cdk8s-plus workload as dockerRegistryAuth', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });

    // WHEN
    new kplus.Deployment(chart, 'web', { dockerRegistryAuth: secret, containers: [{ image: 'ghcr.io/org/web:v1' }] });

    // THEN
    const deployment = Testing.synth(chart).find(m => m.kind === 'Deployment');
    expect(deployment.spec.template.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  test('fromSecretName refers to an existing secret without emitting one', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const secret = RegistrySecret.fromSecretName(chart, 'regcred', 'regcred', { servers: ['registry.gitlab.com'], namespace: 'ci' });

    // THEN
    expect(Testing.synth(chart)).toEqual([]);
    expect(secret).toMatchObject({ name: 'regcred', servers: ['registry.gitlab.com'], namespace: 'ci', kind: 'Secret', apiVersion: 'v1' });
  });

  describe('refuses at construction', () => {
    test.each([
      [{ server: 'ghcr.io', username: '', password: PASSWORD }, /test\/s: server "ghcr\.io": username is empty; give the registry user name/],
      [{ server: 'ghcr.io', username: 'u', password: '' }, /test\/s: server "ghcr\.io": password is empty; give the registry password or access token/],
      [{ server: '', username: 'u', password: PASSWORD }, /test\/s: server "" is empty/],
      [{ server: ' ghcr.io', username: 'u', password: PASSWORD }, /server " ghcr\.io" is empty or has surrounding whitespace/],
      [{ server: 'ghcr.io:notaport', username: 'u', password: PASSWORD }, /server "ghcr\.io:notaport" is not a host\[:port\]\[\/path\]/],
      [{ server: 'ghcr.io', username: 'a:b', password: PASSWORD }, /server "ghcr\.io": username from a literal value contains ":"/],
      [{ metadata: { name: 'Reg_Cred' }, server: 'ghcr.io', username: 'u', password: PASSWORD }, /secret name "Reg_Cred" is invalid/],
    ])('%j', (props, message) => {
      // GIVEN
      const chart = Testing.chart();

      // WHEN
      let error: any;
      try { new RegistrySecret(chart, 's', props as any); } catch (e) { error = e; } // strings, as from JavaScript

      // THEN
      expect(error?.message).toMatch(message);
      expect(`${error.message}${error.stack}`).not.toContain(PASSWORD);
    });

    test('the same server twice', () => {
      // GIVEN
      const chart = Testing.chart();
      const secret = new RegistrySecret(chart, 's', { server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString(PASSWORD) });

      // WHEN / THEN
      expect(() => secret.addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString('v'), password: CredentialValue.fromString(PASSWORD) })).toThrow(/server "ghcr\.io" is already in this secret/);
    });

    test('a reference with an invalid name or no servers', () => {
      // GIVEN
      const chart = Testing.chart();

      // WHEN / THEN
      expect(() => RegistrySecret.fromSecretName(chart, 'a', 'RegCred', { servers: ['ghcr.io'] })).toThrow(/secret name "RegCred" is invalid/);
      expect(() => RegistrySecret.fromSecretName(chart, 'b', 'regcred', { servers: [] })).toThrow(/servers is empty/);
    });
  });
});

describe('RegistrySecret credential sources', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regsecret-'));
  const hubAuth = Buffer.from('hub-user:hub-pass').toString('base64');
  const dockerLogin = JSON.stringify({
    auths: {
      'https://index.docker.io/v1/': { auth: hubAuth },
      'registry.gitlab.com': { username: 'gl-user', password: 'gl-pass', auth: Buffer.from('gl-user:gl-pass').toString('base64') },
    },
  }, null, 2);

  test('fromDockerConfigFile keeps the auths entries, including ones that carry only auth', () => {
    // GIVEN
    const chart = Testing.chart();
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, dockerLogin);

    // WHEN
    const secret = RegistrySecret.fromDockerConfigFile(chart, 'login', file, { metadata: { name: 'login' } });

    // THEN
    expect(secret.servers).toEqual(['https://index.docker.io/v1/', 'registry.gitlab.com']);
    expect(decode(Testing.synth(chart)[0])).toEqual(JSON.parse(dockerLogin));
  });

  test.each([
    ['{"auths": {"ghcr.io": {"auth": "x"', /test\/bad: docker config is not valid JSON at line 1, column \d+/],
    ['[]', /is not a JSON object/],
    ['{"auths": {}, "credsStore": "desktop"}', /uses credsStore: its credentials live in an external credential helper/],
    ['{"auths": {"ghcr.io": {}}, "credHelpers": {"ghcr.io": "gcloud"}}', /uses credHelpers/],
    ['{"auths": {}}', /has no "auths" entries/],
    [`{"auths": {"ghcr.io": {"identitytoken": "${PASSWORD}"}}}`, /entry "ghcr\.io" has the field "identitytoken", which the kubelet does not read/],
    [`{"auths": {"ghcr.io": {"auth": "${PASSWORD}"}}}`, /entry "ghcr\.io" has an "auth" that is not base64 of "user:password"/],
    [`{"auths": {"ghcr.io": {"password": "${PASSWORD}"}}}`, /entry "ghcr\.io" has no credentials/],
    [`{"auths": {"ghcr.io": {"password": "${PASSWORD}" ]}}`, /is not valid JSON/],
  ])('fromDockerConfigJson refuses %s without echoing it', (json, message) => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    let error: any;
    try { RegistrySecret.fromDockerConfigJson(chart, 'bad', json); } catch (e) { error = e; }

    // THEN
    expect(error?.message).toMatch(message);
    expect(`${error.message}${error.stack}`).not.toContain(PASSWORD);
  });

  test('fromDockerConfigFile names a missing file', () => {
    expect(() => RegistrySecret.fromDockerConfigFile(Testing.chart(), 'x', path.join(dir, 'nope.json'))).toThrow(/test\/x: docker config file ".*nope\.json" does not exist; give the path of the config.json that docker login wrote/);
  });

  test('the constructor reads variables the user names, and names a missing one', () => {
    // GIVEN
    const chart = Testing.chart();
    process.env.CDK8S_PR_USER = 'env-user';
    process.env.CDK8S_PR_PASS = 'env-pass';

    // WHEN
    new RegistrySecret(chart, 'env', {
      server: 'ghcr.io',
      username: CredentialValue.fromEnvironment('CDK8S_PR_USER'),
      password: CredentialValue.fromEnvironment('CDK8S_PR_PASS'),
    });

    // THEN
    expect(decode(Testing.synth(chart)[0]).auths['ghcr.io']).toMatchObject({ username: 'env-user', password: 'env-pass' });
    delete process.env.CDK8S_PR_PASS;
    new RegistrySecret(chart, 'missing', {
      username: CredentialValue.fromEnvironment('CDK8S_PR_USER'),
      password: CredentialValue.fromEnvironment('CDK8S_PR_PASS'),
    });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/missing\] server "https:\/\/index\.docker\.io\/v1\/": password: environment variable CDK8S_PR_PASS is not set or empty/);
    delete process.env.CDK8S_PR_USER;
  });
});

describe('RegistrySecret rotation', () => {
  test('a new password gives a new name; the same content gives the same name', () => {
    // GIVEN
    const name = (password: string, immutable = false) => {
      const chart = Testing.chart();
      return new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, appendHash: true, immutable, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString(password) }).name;
    };

    // WHEN / THEN
    expect(name('one')).toBe(name('one'));
    expect(name('one')).not.toBe(name('two'));
    expect(name('one', true)).not.toBe(name('one'));
    expect(name('one')).toMatch(/^regcred-[a-z0-9]{10}$/);
  });

  test('immutable is written only when asked, and covered by the hash name', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    new RegistrySecret(chart, 'a', { metadata: { name: 'a' }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
    new RegistrySecret(chart, 'b', { metadata: { name: 'b' }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p'), immutable: true, appendHash: true });

    // THEN
    const [a, b] = Testing.synth(chart);
    expect(a.immutable).toBeUndefined();
    expect(b.immutable).toBe(true);
  });
});

describe('RegistrySecret names and keys the API server and the kubelet would refuse', () => {
  test('a name that appendHash would push over 253 characters', () => {
    // GIVEN
    const name = 'a'.repeat(250);

    // WHEN / THEN
    expect(() => new RegistrySecret(Testing.chart(), 's', { metadata: { name }, appendHash: true, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') }))
      .toThrow(/use at most 242 lowercase letters.*\(appendHash adds 11 characters\)/);
    expect(() => new RegistrySecret(Testing.chart(), 's', { metadata: { name }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') })).not.toThrow();
  });

  test('two servers the kubelet reads as the same key', () => {
    // GIVEN
    const secret = new RegistrySecret(Testing.chart(), 's', { server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });

    // WHEN / THEN
    expect(() => secret.addRegistry({ server: 'https://registry.gitlab.com/v2/', username: CredentialValue.fromString('v'), password: CredentialValue.fromString('q') }))
      .toThrow(/server "https:\/\/registry\.gitlab\.com\/v2\/" is already in this secret as "registry\.gitlab\.com", which the kubelet reads as the same key/);
  });
});

describe('RegistrySecret credentials are read when the manifests are written', () => {
  afterEach(() => {
    delete process.env.CDK8S_PR_TEST_TOKEN;
  });

  test('a chart builds without the variables, so a unit test can construct it; its synth names the missing one', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const build = () => new RegistrySecret(chart, 'regcred', {
      server: 'ghcr.io', username: CredentialValue.fromString('ci'), password: CredentialValue.fromEnvironment('CDK8S_PR_TEST_TOKEN'),
    });

    // THEN
    expect(build).not.toThrow();
    expect(() => Testing.synth(chart)).toThrow(/\[test\/regcred\] server "ghcr\.io": password: environment variable CDK8S_PR_TEST_TOKEN is not set or empty/);
    process.env.CDK8S_PR_TEST_TOKEN = 'token-from-the-test';
    expect(decode(Testing.synth(chart)[0]).auths['ghcr.io'].password).toBe('token-from-the-test');
  });

  test('addRegistry takes CredentialValues, as the constructor does', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = new RegistrySecret(chart, 'regcred', { server: 'registry.gitlab.com', username: CredentialValue.fromString('ci'), password: CredentialValue.fromString('p') });
    process.env.CDK8S_PR_TEST_TOKEN = 'gh-token';

    // WHEN
    secret.addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString('octocat'), password: CredentialValue.fromEnvironment('CDK8S_PR_TEST_TOKEN') });

    // THEN
    expect(decode(Testing.synth(chart)[0]).auths['ghcr.io']).toEqual({ username: 'octocat', password: 'gh-token', auth: Buffer.from('octocat:gh-token').toString('base64') });
  });
});

describe('RegistrySecret in cdk8s\'s construct metadata', () => {
  test('a hashed secret is recorded under its hashed name, so cdk8s-cli can map a report to its construct path', () => {
    // GIVEN
    const app = Testing.app({ recordConstructMetadata: true });
    const chart = new Chart(app, 'chart');
    const secret = new RegistrySecret(chart, 'regcred', {
      metadata: { name: 'regcred' }, appendHash: true, server: 'ghcr.io', username: CredentialValue.fromString('ci'), password: CredentialValue.fromString('p'),
    });

    // WHEN
    app.synth();

    // THEN
    const metadata = JSON.parse(fs.readFileSync(path.join(app.outdir, 'construct-metadata.json'), 'utf8'));
    expect(secret.name).toMatch(/^regcred-[a-z0-9]{10}$/);
    expect(metadata.resources[secret.name]).toEqual({ path: 'chart/regcred/Resource' });
    expect(JSON.stringify(metadata)).not.toContain('[object Object]');
  });
});

describe('RegistrySecret.fromDockerConfigFile keeps the file\'s bytes, as kubectl create secret generic --from-file does', () => {
  // what `docker login` writes: indented, with a trailing newline
  const config = `{\n\t"auths": {\n\t\t"registry.gitlab.com": {\n\t\t\t"auth": "${Buffer.from('ci:token<&>').toString('base64')}"\n\t\t}\n\t}\n}\n`;

  test('a secret whose servers grow is encoded as kubectl docker-registry would encode it', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = RegistrySecret.fromDockerConfigJson(chart, 'login', config);

    // WHEN
    secret.addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString('octocat'), password: CredentialValue.fromString('p') });

    // THEN
    const text = Buffer.from(Testing.synth(chart)[0].data['.dockerconfigjson'], 'base64').toString('utf8');
    expect(text).toBe(`{"auths":{"ghcr.io":{"username":"octocat","password":"p","auth":"${Buffer.from('octocat:p').toString('base64')}"},`
      + `"registry.gitlab.com":{"auth":"${Buffer.from('ci:token<&>').toString('base64')}"}}}`);
  });
});
