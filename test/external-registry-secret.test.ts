// RegistrySecret.fromExternalSecret and fromEcrAuthorizationToken: what they write, what they refuse, and that
// pods naming them are checked as with any pull secret. The template's bytes against ESO's engine and kubectl
// are in external-secret-template.test.ts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ExternalRegistrySecretProps, ExternalSecretsApiVersion, PolicyMode, PrivateImagePod, PrivateImageServiceAccount, PrivateRegistryPolicy,
  RegistrySecret, SecretStoreKind,
} from '../src';
import { validateManifests } from './support/k8s-schema';
import { templateServers } from '../src/rules/external-secret';

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

function gitlab(chart: Chart, props: Partial<ExternalRegistrySecretProps> = {}) {
  return RegistrySecret.fromExternalSecret(chart, 'regcred', {
    metadata: { name: 'regcred' },
    secretStoreRef: { name: 'vault', kind: SecretStoreKind.CLUSTER_SECRET_STORE },
    registries: [{ server: 'registry.gitlab.com', username: { key: 'ci/gitlab', property: 'username' }, password: { key: 'ci/gitlab', property: 'token' } }],
    ...props,
  });
}

describe('RegistrySecret.fromExternalSecret', () => {
  test('writes an ExternalSecret whose template makes a dockerconfigjson Secret of the same name, from references only', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'apps', { namespace: 'apps' });

    // WHEN
    const secret = gitlab(chart, { metadata: { name: 'regcred', labels: { team: 'a' } }, refreshInterval: Duration.minutes(15) });

    // THEN
    const [manifest] = Testing.synth(chart);
    expect(manifest.apiVersion).toBe('external-secrets.io/v1');
    expect(manifest.kind).toBe('ExternalSecret');
    expect(manifest.metadata).toEqual({ name: 'regcred', namespace: 'apps', labels: { team: 'a' } });
    expect(manifest.spec.refreshInterval).toBe('15m0s');
    expect(manifest.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault' });
    expect(manifest.spec.data).toEqual([
      { secretKey: 'username0', remoteRef: { key: 'ci/gitlab', property: 'username' } },
      { secretKey: 'password0', remoteRef: { key: 'ci/gitlab', property: 'token' } },
    ]);
    expect(manifest.spec.target.name).toBe('regcred');
    expect(manifest.spec.target.template).toMatchObject({ type: 'kubernetes.io/dockerconfigjson', engineVersion: 'v2', metadata: { labels: { team: 'a' } } });
    expect(templateServers(manifest.spec.target.template.data['.dockerconfigjson'])).toEqual(['registry.gitlab.com']);
    expect([secret.name, secret.namespace, secret.servers, secret.kind]).toEqual(['regcred', 'apps', ['registry.gitlab.com'], 'Secret']);
    expect(manifest).toMatchSnapshot();
  });

  test('a SecretStore by default; several registries, a ready auth, and a whole .dockerconfigjson', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    gitlab(chart, {
      secretStoreRef: { name: 'team-store' },
      registries: [
        { server: 'registry.gitlab.com', username: { key: 'gitlab', property: 'user' }, password: { key: 'gitlab', property: 'token', version: '3' } },
        { server: 'ghcr.io', auth: { key: 'github', property: 'auth' } },
      ],
    });
    RegistrySecret.fromExternalSecret(chart, 'whole', {
      secretStoreRef: { name: 'team-store' }, dockerConfigJson: { key: 'docker-config' }, servers: ['quay.io', 'docker.io'],
    });

    // THEN
    const [several, whole] = Testing.synth(chart);
    expect(several.spec.secretStoreRef).toEqual({ kind: 'SecretStore', name: 'team-store' });
    expect(several.spec.data.map((d: any) => d.secretKey)).toEqual(['username0', 'password0', 'auth1']);
    expect(several.spec.data[1].remoteRef).toEqual({ key: 'gitlab', property: 'token', version: '3' });
    expect(templateServers(several.spec.target.template.data['.dockerconfigjson'])).toEqual(['ghcr.io', 'registry.gitlab.com']);
    expect(whole.spec.data).toEqual([{ secretKey: 'dockerconfigjson', remoteRef: { key: 'docker-config' } }]);
    expect(whole.spec.target.template.data).toEqual({ '.dockerconfigjson': '{{ .dockerconfigjson }}' });
  });

  test('v1beta1 on request, for operators before v0.17', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    gitlab(chart, { apiVersion: ExternalSecretsApiVersion.V1BETA1 });

    // THEN
    expect(Testing.synth(chart)[0].apiVersion).toBe('external-secrets.io/v1beta1');
  });

  test('is named in registrySecrets like any other: coverage, namespaces and WIRE policies apply at synth', () => {
    // GIVEN
    const app = Testing.app();
    const apps = new Chart(app, 'apps', { namespace: 'apps' });
    const secret = gitlab(apps);

    // WHEN
    new PrivateImagePod(apps, 'pod', { registrySecrets: [secret], containers: [{ image: 'registry.gitlab.com/team/app:v1' }] });
    new PrivateRegistryPolicy(apps, 'policy', { registrySecrets: [secret] });
    new kplus.Deployment(apps, 'web', { containers: [{ image: 'registry.gitlab.com/team/web:v1', securityContext: { ensureNonRoot: false } }] });

    // THEN
    const manifests = Testing.synth(apps);
    expect(manifests.find(m => m.kind === 'Pod').spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(manifests.find(m => m.kind === 'Deployment').spec.template.spec.imagePullSecrets).toEqual([{ name: 'regcred' }]);

    // WHEN a pod pulls from a registry the secret does not cover, and another runs in another namespace
    new PrivateImagePod(apps, 'ghcr', { registrySecrets: [secret], containers: [{ image: 'ghcr.io/team/app:v1' }] });
    new PrivateImagePod(new Chart(app, 'jobs', { namespace: 'jobs' }), 'pod', { registrySecrets: [secret], containers: [{ image: 'registry.gitlab.com/team/app:v1' }] });

    // THEN
    expect(() => Testing.synth(apps)).toThrow(/\[apps\/ghcr\] container "main" image "ghcr\.io\/team\/app:v1": no pull secret covers registry "ghcr\.io" \(imagePullSecrets gives "regcred" for \[registry\.gitlab\.com\]\)/);
    expect(() => Testing.synth(apps)).toThrow(/\[jobs\/pod\] pull secret "regcred" is in namespace "apps" but the pod is in namespace "jobs"/);
  });

  test('a ServiceAccount lists it, and a pod that runs as the account is checked against its servers', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'apps', { namespace: 'apps' });
    const secret = gitlab(chart);

    // WHEN
    const account = new PrivateImageServiceAccount(chart, 'builder', { metadata: { name: 'builder' }, registrySecrets: [secret] });
    new kplus.Pod(chart, 'ghcr', { serviceAccount: account, containers: [{ image: 'ghcr.io/team/app:v1', imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT }] });
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/no pull secret covers registry "ghcr\.io" \(serviceAccount "builder" gives "regcred" for \[registry\.gitlab\.com\]\)/);
    expect(ApiObject.of(account).toJson().imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });

  test('a printout names the path, the name and the servers', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const secret = gitlab(chart);

    // THEN
    expect(String(secret)).toBe('RegistrySecret.fromExternalSecret(test/regcred, regcred, servers: registry.gitlab.com)');
  });

  test.each<[string, any, RegExp]>([
    ['no store', { secretStoreRef: undefined }, /test\/regcred: secretStoreRef is undefined; expected an object/],
    ['a store kind ESO does not know', { secretStoreRef: { name: 'vault', kind: 'Vault' } }, /secretStoreRef\.kind is a string; expected one of SecretStore, ClusterSecretStore/],
    ['a store name that is no Kubernetes name', { secretStoreRef: { name: 'My Vault' } }, /secretStoreRef\.name "My Vault" is not a Kubernetes name/],
    ['both registries and a docker config', { dockerConfigJson: { key: 'x' }, servers: ['quay.io'] }, /give either registries or dockerConfigJson/],
    ['no registry', { registries: [] }, /registries is empty/],
    ['a registry without its password', { registries: [{ server: 'ghcr.io', username: { key: 'u' } }] }, /registries\[0\] needs username and password \(or auth\)/],
    ['auth beside a user name', { registries: [{ server: 'ghcr.io', username: { key: 'u' }, auth: { key: 'a' } }] }, /registries\[0\] gives auth and username or password/],
    ['an empty remote key', { registries: [{ server: 'ghcr.io', auth: { key: '' } }] }, /registries\[0\]\.auth\.key is an empty string/],
    ['one server twice', { registries: [{ server: 'ghcr.io', auth: { key: 'a' } }, { server: 'https://ghcr.io', auth: { key: 'b' } }] }, /server "https:\/\/ghcr\.io" is given twice \(as "ghcr\.io"/],
    ['a server the kubelet cannot parse', { registries: [{ server: 'ghcr.io/{{ .x }}', auth: { key: 'a' } }] }, /test\/regcred: registries\[0\]\.server "ghcr\.io\/\{\{ \.x \}\}" holds a template delimiter/],
    ['a docker config without servers', { registries: undefined, dockerConfigJson: { key: 'x' } }, /servers is undefined; expected an array of the servers of the docker config/],
    ['an API version the library does not know', { apiVersion: 'external-secrets.io/v1alpha1' }, /apiVersion "external-secrets\.io\/v1alpha1" is not an ExternalSecret version this library knows; use one of external-secrets\.io\/v1, external-secrets\.io\/v1beta1/],
    ['a refresh that is not a Duration', { refreshInterval: '1h' }, /refreshInterval is a string; expected a Duration/],
  ])('refuses %s, naming the path, and leaves nothing behind', (_, props, message) => {
    // GIVEN
    const chart = Testing.chart();

    // THEN
    expect(() => gitlab(chart, props)).toThrow(message);
    expect(chart.node.children).toEqual([]);
  });
});

describe('RegistrySecret.fromEcrAuthorizationToken', () => {
  test('writes the ECRAuthorizationToken generator and an ExternalSecret that refreshes its token hourly', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'apps', { namespace: 'apps' });

    // WHEN
    const secret = RegistrySecret.fromEcrAuthorizationToken(chart, 'ecr', { metadata: { name: 'ecr' }, server: ECR, serviceAccountName: 'ecr-reader', role: 'arn:aws:iam::123456789012:role/pull' });

    // THEN
    const manifests = Testing.synth(chart);
    const external = manifests.find(m => m.kind === 'ExternalSecret');
    const generator = manifests.find(m => m.kind === 'ECRAuthorizationToken');
    expect(generator).toEqual({
      apiVersion: 'generators.external-secrets.io/v1alpha1',
      kind: 'ECRAuthorizationToken',
      metadata: { name: 'ecr', namespace: 'apps' },
      spec: { region: 'eu-west-1', role: 'arn:aws:iam::123456789012:role/pull', auth: { jwt: { serviceAccountRef: { name: 'ecr-reader' } } } },
    });
    expect(external.spec.refreshInterval).toBe('1h0m0s');
    expect(external.spec.secretStoreRef).toBeUndefined();
    expect(external.spec.dataFrom).toEqual([{ sourceRef: { generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'ECRAuthorizationToken', name: 'ecr' } } }]);
    expect(templateServers(external.spec.target.template.data['.dockerconfigjson'])).toEqual([ECR]);
    expect(secret.servers).toEqual([ECR]);
    expect(manifests).toMatchSnapshot();
  });

  test('AWS keys from a Secret, and the region given', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    RegistrySecret.fromEcrAuthorizationToken(chart, 'ecr', {
      server: ECR,
      region: 'eu-west-1',
      refreshInterval: Duration.hours(6),
      credentialsSecret: { name: 'aws', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret', sessionTokenKey: 'token' },
    });

    // THEN
    const manifests = Testing.synth(chart);
    expect(manifests.find(m => m.kind === 'ECRAuthorizationToken').spec.auth.secretRef).toEqual({
      accessKeyIDSecretRef: { name: 'aws', key: 'id' }, secretAccessKeySecretRef: { name: 'aws', key: 'secret' }, sessionTokenSecretRef: { name: 'aws', key: 'token' },
    });
    expect(manifests.find(m => m.kind === 'ExternalSecret').spec.refreshInterval).toBe('6h0m0s');
  });

  test.each<[string, any, RegExp]>([
    ['a refresh of 12 hours, the token\'s life', { refreshInterval: Duration.hours(12) }, /refreshInterval is 12h0m0s; an ECR token lives 12 hours/],
    ['a refresh of 0, which fetches once', { refreshInterval: Duration.seconds(0) }, /refreshInterval is 0s; an ECR token lives 12 hours/],
    ['a host that is not ECR\'s', { server: 'ghcr.io' }, /server "ghcr\.io" is not an ECR registry host/],
    ['two ways to authenticate', { serviceAccountName: 'sa', credentialsSecret: { name: 'aws', accessKeyIdKey: 'a', secretAccessKeyKey: 'b' } }, /give serviceAccountName or credentialsSecret, not both/],
  ])('refuses %s', (_, props, message) => {
    // GIVEN
    const chart = Testing.chart();

    // THEN
    expect(() => RegistrySecret.fromEcrAuthorizationToken(chart, 'ecr', { server: ECR, ...props })).toThrow(message);
    expect(chart.node.children).toEqual([]);
  });
});

describe('the vendored ESO CRD schemas (v2.9.0)', () => {
  function written(): any[] {
    const chart = Testing.chart();
    gitlab(chart);
    RegistrySecret.fromEcrAuthorizationToken(chart, 'ecr', { server: ECR, serviceAccountName: 'sa' });
    return Testing.synth(chart);
  }

  test('accept what the factories write', () => {
    expect(validateManifests(written())).toEqual([]);
  });

  test.each<[string, (m: any[]) => void, RegExp]>([
    ['a misspelt template field', m => { m[0].spec.target.tempalte = m[0].spec.target.template; }, /ExternalSecret "regcred": \/spec\/target: unknown field "tempalte"/],
    ['a store kind ESO does not know', m => { m[0].spec.secretStoreRef.kind = 'Vault'; }, /\/spec\/secretStoreRef\/kind: must be equal to one of the allowed values/],
    ['a remote ref without its key', m => { delete m[0].spec.data[0].remoteRef.key; }, /\/spec\/data\/0\/remoteRef: must have required property 'key'/],
    ['a generator without its region', m => { delete m.find(o => o.kind === 'ECRAuthorizationToken').spec.region; }, /ECRAuthorizationToken "test-ecr-c8[0-9a-f]+": \/spec: must have required property 'region'/],
  ])('refuse %s', (_, breakIt, message) => {
    // GIVEN
    const manifests = written();

    // WHEN
    breakIt(manifests);

    // THEN
    expect(validateManifests(manifests).join('\n')).toMatch(message);
  });
});

describe('a GitOps repository gets references, never a credential', () => {
  test('the synthesized files hold no credential of the pipeline that wrote them, and no Secret', () => {
    // GIVEN a pipeline whose environment holds the registry password, as a CI job's does
    const SENTINEL = 'Sentinel-Eso-Password-7f3a';
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'external-registry-secret-'));
    const saved = process.env.REGISTRY_PASSWORD;
    process.env.REGISTRY_PASSWORD = SENTINEL;
    try {
      const app = new App({ outdir });
      const chart = new Chart(app, 'apps', { namespace: 'apps' });
      const secret = gitlab(chart);
      const ecr = RegistrySecret.fromEcrAuthorizationToken(chart, 'ecr', { server: ECR });
      new PrivateImagePod(chart, 'pod', { registrySecrets: [secret, ecr], containers: [{ image: 'registry.gitlab.com/team/app:v1' }, { name: 'ecr', image: `${ECR}/app:v1` }] });

      // WHEN
      app.synth();

      // THEN
      const text = fs.readdirSync(outdir).map(file => fs.readFileSync(path.join(outdir, file), 'utf8')).join('\n');
      expect(text).not.toContain(SENTINEL);
      expect(text).not.toContain(Buffer.from(SENTINEL).toString('base64'));
      expect(text).not.toMatch(/^kind: Secret$/m);
      expect(text).toMatch(/^kind: ExternalSecret$/m);
    } finally {
      process.env.REGISTRY_PASSWORD = saved;
      if (saved === undefined) {
        delete process.env.REGISTRY_PASSWORD;
      }
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
