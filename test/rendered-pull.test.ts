// The constructs judge the YAML they write: for each app below, the synth and `check` on the
// synth's output give the same verdict.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Include, JsonPatch, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CredentialValue, PolicyMode, PrivateImagePod, PrivateImageServiceAccount, PrivateRegistryPolicy, RegistrySecret } from '../src';
import { MetadataResolver, verdicts } from './support/check-oracle';

const GITLAB_IMAGE = 'registry.gitlab.com/team/app:v1';

function registrySecret(chart: Chart, name = 'regcred', server = 'registry.gitlab.com') {
  return new RegistrySecret(chart, name, { metadata: { name }, server, username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
}

function privatePod(chart: Chart, id: string, secrets: kplus.ISecret[], image = GITLAB_IMAGE) {
  return new PrivateImagePod(chart, id, { metadata: { name: id }, registrySecrets: secrets, containers: [{ name: 'app', image }] });
}

describe('one namespace rule for secrets and ServiceAccounts, shared with check', () => {
  test('a RegistrySecret without a namespace covers only pods without one: synth and check refuse those in prod and staging, naming both fixes', async () => {
    // GIVEN: the secret, and a reference to a secret created out of band, in a chart without a namespace
    const app = Testing.app();
    const shared = new Chart(app, 'shared');
    const regcred = registrySecret(shared);
    const existing = RegistrySecret.fromSecretName(shared, 'existing', 'existing', { servers: ['registry.gitlab.com'] });
    const prod = new Chart(app, 'prod', { namespace: 'prod' });

    // WHEN
    privatePod(prod, 'web', [regcred]);
    privatePod(new Chart(app, 'staging', { namespace: 'staging' }), 'web', [regcred]);
    privatePod(new Chart(app, 'plain'), 'web', [regcred]);
    // "" is no namespace
    privatePod(new Chart(app, 'empty', { namespace: '' }), 'api', [regcred]);
    // a reference without a namespace is to the secret of the pod's namespace
    privatePod(prod, 'api', [existing]);

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toMatch(/\[prod\/web\] pull secret "regcred" has no namespace but the pod is in namespace "prod"/);
    expect(found.synth).toMatch(/give the secret a namespace \(its chart's namespace, e\.g\. new Chart\(app, id, \{ namespace: "prod" \}\)\), or make one secret per namespace that uses it/);
    expect(found.synth).toMatch(/\[staging\/web\] pull secret "regcred" has no namespace but the pod is in namespace "staging"/);
    expect(found.synth).not.toMatch(/plain\/web|empty\/api|prod\/api/);
    // the pods are written without the secret they cannot name
    expect(found.check).toEqual([
      expect.stringMatching(/^Pod\/prod\/web: .* no pull secret covers registry "registry.gitlab.com" \(the pod names no pull secret/),
      expect.stringMatching(/^Pod\/staging\/web: .* no pull secret covers registry "registry.gitlab.com" \(the pod names no pull secret/),
    ]);
  });

  test('a RegistrySecret in namespace "" covers a pod without a namespace, for synth and check alike', async () => {
    // GIVEN
    const app = Testing.app();
    const regcred = registrySecret(new Chart(app, 'shared', { namespace: '' }));

    // WHEN
    privatePod(new Chart(app, 'plain'), 'web', [regcred]);

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toBeUndefined();
    expect(found.check).toEqual([]);
  });

  test('a ServiceAccount in prod naming a RegistrySecret without a namespace is refused, as check refuses the pod that runs under it', async () => {
    // GIVEN
    const app = Testing.app();
    const regcred = registrySecret(new Chart(app, 'shared'));
    const prod = new Chart(app, 'prod', { namespace: 'prod' });

    // WHEN
    const builder = new PrivateImageServiceAccount(prod, 'builder', { metadata: { name: 'builder' }, registrySecrets: [regcred] });
    new kplus.Pod(prod, 'job', {
      metadata: { name: 'job' },
      serviceAccount: builder,
      automountServiceAccountToken: false,
      containers: [{ name: 'app', image: GITLAB_IMAGE, imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT }],
    });

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toMatch(/\[prod\/builder\] pull secret "regcred" has no namespace but the service account is in namespace "prod"/);
    expect(found.check).toEqual([
      expect.stringMatching(/^Pod\/prod\/job: pull secret "regcred" has no namespace but the pod is in namespace "prod"/),
      expect.stringMatching(/^Pod\/prod\/job: .* no pull secret covers registry "registry.gitlab.com" \(serviceAccount "builder" gives "regcred", which has no namespace\)$/),
    ]);
  });
});

describe('two different secrets with one namespace and name are refused, naming both', () => {
  test('two charts in prod each making a "regcred", one for GitLab and one for GHCR: synth names both, and check finds the pod the kept one does not cover', async () => {
    // GIVEN
    const app = Testing.app();
    const teamA = new Chart(app, 'team-a', { namespace: 'prod' });
    const teamB = new Chart(app, 'team-b', { namespace: 'prod' });

    // the same secret written twice with the same content is one secret
    const ciA = new Chart(app, 'ci-a', { namespace: 'ci' });
    const ciB = new Chart(app, 'ci-b', { namespace: 'ci' });
    privatePod(ciA, 'runner', [registrySecret(ciA)]);
    privatePod(ciB, 'runner-b', [registrySecret(ciB)]);

    // WHEN
    privatePod(teamA, 'web', [registrySecret(teamA)]);
    privatePod(teamB, 'api', [registrySecret(teamB, 'regcred', 'ghcr.io')], 'ghcr.io/team/api:v1');

    // THEN
    const found = await verdicts(app);
    expect(found.synth).not.toMatch(/ci-a|ci-b/);
    expect(found.synth).toMatch(/\[team-a\/web\] pull secret "regcred" is written twice in namespace "prod" with different content, by team-a\/regcred and by team-b\/regcred: kubectl apply keeps the last/);
    expect(found.synth).toMatch(/\[team-b\/api\] pull secret "regcred" is written twice/);
    // kubectl apply keeps team-b's
    expect(found.check).toEqual([expect.stringMatching(/^Pod\/prod\/web: .*no pull secret covers registry "registry.gitlab.com" \(imagePullSecrets gives "regcred" for \[ghcr.io\]\)$/)]);
  });

  test('fromSecretName("regcred", { servers: [ghcr.io] }) beside an Included prod/regcred for GitLab: synth names both, and check finds the GHCR image uncovered', async () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rendered-pull-'));
    const file = path.join(dir, 'secret.yaml');
    const auths = Buffer.from(JSON.stringify({ auths: { 'registry.gitlab.com': { auth: Buffer.from('u:p').toString('base64') } } })).toString('base64');
    fs.writeFileSync(file, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n  namespace: prod\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${auths}\n`);
    const app = Testing.app();
    const prod = new Chart(app, 'prod', { namespace: 'prod' });
    new Include(prod, 'platform', { url: file });

    // WHEN
    const existing = RegistrySecret.fromSecretName(prod, 'existing', 'regcred', { servers: ['ghcr.io'] });
    privatePod(prod, 'api', [existing], 'ghcr.io/team/api:v1');

    // THEN
    const found = await verdicts(app);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(found.synth).toMatch(/\[prod\/api\] pull secret "regcred" is declared by RegistrySecret.fromSecretName at prod\/existing for \[ghcr.io\], but prod\/platform\/[^ ]+ writes a Secret "regcred" in namespace "prod" for \[registry.gitlab.com\], which is the one the pod gets/);
    expect(found.check).toEqual([expect.stringMatching(/^Pod\/prod\/api: .*no pull secret covers registry "ghcr.io" \(imagePullSecrets gives "regcred" for \[registry.gitlab.com\]\)$/)]);
  });
});

describe('a secret of another App', () => {
  test('a RegistrySecret made in devApp, named by a pod in prodApp, is refused naming both, as check refuses prod\'s output without it', async () => {
    // GIVEN
    const devApp = Testing.app();
    const prodApp = Testing.app();
    const devSecret = registrySecret(new Chart(devApp, 'dev'));
    // a reference to a secret created out of band may be declared in any App
    const existing = RegistrySecret.fromSecretName(new Chart(devApp, 'refs'), 'ghcr', 'ghcr', { servers: ['ghcr.io'] });

    // WHEN
    const prod = new Chart(prodApp, 'prod');
    privatePod(prod, 'web', [devSecret]);
    privatePod(prod, 'api', [existing], 'ghcr.io/team/api:v1');

    // THEN
    const found = await verdicts(prodApp);
    expect(found.synth).toMatch(/\[prod\/web\] pull secret "regcred" is made by dev\/regcred in another App than prod\/web: that App writes it, this one does not/);
    expect(found.synth).not.toMatch(/prod\/api/);
    expect(found.check).toEqual([expect.stringMatching(/^Pod\/web: .*no pull secret covers registry "registry.gitlab.com" \(imagePullSecrets gives "regcred", whose servers are unknown\)$/)]);
  });
});


describe('the object as cdk8s renders it', () => {
  test('a JsonPatch that renames the RegistrySecret: the pod names the name written, and check finds it', async () => {
    // GIVEN
    const app = Testing.app();
    const prod = new Chart(app, 'prod', { namespace: 'prod' });
    const regcred = registrySecret(prod);

    // WHEN
    ApiObject.of(regcred).addJsonPatch(JsonPatch.replace('/metadata/name', 'regcred-v2'));
    privatePod(prod, 'web', [regcred]);

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toBeUndefined();
    expect(found.check).toEqual([]);
    expect(found.manifests.find(m => m.kind === 'Pod').spec.imagePullSecrets).toEqual([{ name: 'regcred-v2' }]);
  });

  test('a JsonPatch that moves the RegistrySecret to infra is refused for the pod in prod, by synth and check alike', async () => {
    // GIVEN
    const app = Testing.app();
    const prod = new Chart(app, 'prod', { namespace: 'prod' });
    const regcred = registrySecret(prod);

    // WHEN
    ApiObject.of(regcred).addJsonPatch(JsonPatch.replace('/metadata/name', 'regcred-v2'), JsonPatch.replace('/metadata/namespace', 'infra'));
    privatePod(prod, 'web', [regcred]);

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toMatch(/\[prod\/web\] pull secret "regcred-v2" is in namespace "infra" but the pod is in namespace "prod"/);
    expect(found.check).toEqual([expect.stringMatching(/^Pod\/prod\/web: .*no pull secret covers registry "registry.gitlab.com"/)]);
  });

  test('an App resolver that prefixes every name: the pod names dev-regcred, as written, for synth and check alike', async () => {
    // GIVEN
    const app = new App({ outdir: Testing.app().outdir, resolvers: [new MetadataResolver('name', name => name.startsWith('dev-') ? name : `dev-${name}`)] });
    const prod = new Chart(app, 'prod', { namespace: 'prod' });

    // WHEN
    privatePod(prod, 'web', [registrySecret(prod)]);

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toBeUndefined();
    expect(found.check).toEqual([]);
    expect(found.manifests.map(m => m.metadata.name).sort()).toEqual(['dev-regcred', 'dev-web']);
  });

  test('a JsonPatch that renames a PrivateImageServiceAccount: the pod runs under the name written, and the account\'s secrets count, for synth and check alike', async () => {
    // GIVEN
    const app = Testing.app();
    const prod = new Chart(app, 'prod', { namespace: 'prod' });
    const builder = new PrivateImageServiceAccount(prod, 'builder', { metadata: { name: 'builder' }, registrySecrets: [registrySecret(prod)] });

    // WHEN
    ApiObject.of(builder).addJsonPatch(JsonPatch.replace('/metadata/name', 'builder-v2'));
    new PrivateImagePod(prod, 'web', { metadata: { name: 'web' }, registrySecrets: [], serviceAccount: builder, containers: [{ name: 'app', image: GITLAB_IMAGE }] });

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toBeUndefined();
    expect(found.check).toEqual([]);
    expect(found.manifests.find(m => m.kind === 'Pod').spec.serviceAccountName).toBe('builder-v2');
  });

  test('an App resolver that prefixes every name: a cdk8s-plus Deployment under a WIRE policy runs as dev-builder, as written, for synth and check alike', async () => {
    // GIVEN
    const app = new App({ outdir: Testing.app().outdir, resolvers: [new MetadataResolver('name', name => name.startsWith('dev-') ? name : `dev-${name}`)] });
    const prod = new Chart(app, 'prod', { namespace: 'prod' });
    new PrivateRegistryPolicy(prod, 'policy');
    const builder = new PrivateImageServiceAccount(prod, 'builder', { metadata: { name: 'builder' }, registrySecrets: [registrySecret(prod)] });

    // WHEN
    new kplus.Deployment(prod, 'web', { serviceAccount: builder, containers: [{ name: 'app', image: GITLAB_IMAGE }] });

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toBeUndefined();
    expect(found.check).toEqual([]);
    const spec = found.manifests.find(m => m.kind === 'Deployment').spec.template.spec;
    expect(spec.serviceAccountName).toBe('dev-builder');
    expect(spec.imagePullSecrets).toBeUndefined();
  });

  test('an App resolver that moves every object to one namespace: the secret of infra and the pod of prod end up together, for synth and check alike', async () => {
    // GIVEN
    const app = new App({ outdir: Testing.app().outdir, resolvers: [new MetadataResolver('namespace', () => 'team')] });
    const regcred = registrySecret(new Chart(app, 'infra', { namespace: 'infra' }));

    // WHEN
    privatePod(new Chart(app, 'prod', { namespace: 'prod' }), 'web', [regcred]);

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toBeUndefined();
    expect(found.check).toEqual([]);
  });

  test('a pod spec given as an implicit token is judged as rendered: an image no secret covers is refused under VERIFY, by synth and check alike', async () => {
    // GIVEN
    const app = Testing.app();
    const chart = new Chart(app, 'prod', { namespace: 'prod' });
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });

    // WHEN
    new ApiObject(chart, 'web', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: { resolve: () => ({ containers: [{ name: 'app', image: GITLAB_IMAGE, imagePullPolicy: 'IfNotPresent' }] }) },
    });

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toMatch(/Pod\/prod\/web: container "app" image "registry.gitlab.com\/team\/app:v1": no pull secret covers registry "registry.gitlab.com"/);
    expect(found.check).toEqual([expect.stringMatching(/^Pod\/prod\/web: container "app" image "registry.gitlab.com\/team\/app:v1": no pull secret covers/)]);
  });

  test('a cdk8s-plus container whose image is a Lazy is wired under a WIRE policy and in PrivateImagePod, as cdk8s-plus renders it', async () => {
    // GIVEN
    const app = Testing.app();
    const chart = new Chart(app, 'prod', { namespace: 'prod' });
    const regcred = registrySecret(chart);
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [regcred] });
    const image = Lazy.any({ produce: () => GITLAB_IMAGE }) as any as string;

    // WHEN
    new kplus.Deployment(chart, 'web', { containers: [{ name: 'app', image }] });
    privatePod(chart, 'api', [regcred], image);

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toBeUndefined();
    expect(found.check).toEqual([]);
    const deployment = found.manifests.find(m => m.kind === 'Deployment').spec.template.spec;
    expect(deployment.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(deployment.containers[0].image).toBe(GITLAB_IMAGE);
  });
});

describe('a kind: List under a policy', () => {
  const GITLAB_AUTHS = Buffer.from(JSON.stringify({ auths: { 'registry.gitlab.com': { auth: Buffer.from('u:p').toString('base64') } } })).toString('base64');
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rendered-list-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** a YAML file holding one List of `items` */
  function listFile(items: any[]): string {
    const file = path.join(dir, 'list.yaml');
    fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    return file;
  }

  const listPod = (name: string, extra: any = {}) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'prod' }, spec: { containers: [{ name: 'app', image: GITLAB_IMAGE }], ...extra },
  });

  test('the pods of an Included List are wired under a WIRE policy, each in its own namespace, as check reads them', async () => {
    // GIVEN
    const app = Testing.app();
    const chart = new Chart(app, 'prod', { namespace: 'prod' });
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [registrySecret(chart)] });

    // WHEN
    new Include(chart, 'vendor', { url: listFile([listPod('web'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } }]) });

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toBeUndefined();
    expect(found.check).toEqual([]);
    const list = found.manifests.find(m => m.kind === 'List');
    expect(list.items[0].spec).toEqual({ imagePullSecrets: [{ name: 'regcred' }], containers: [{ name: 'app', image: GITLAB_IMAGE, imagePullPolicy: 'IfNotPresent' }] });
  });

  test('the pods of an L1 List are verified under a VERIFY policy and named by the item, as check names them', async () => {
    // GIVEN
    const app = Testing.app();
    const chart = new Chart(app, 'prod', { namespace: 'prod' });
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });

    // WHEN
    new ApiObject(chart, 'pods', { apiVersion: 'v1', kind: 'List', items: [listPod('web', { imagePullSecrets: [{ name: 'missing' }] })] } as any);

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toMatch(/Pod\/prod\/web: container "app" image "registry.gitlab.com\/team\/app:v1" has no explicit imagePullPolicy/);
    expect(found.synth).toMatch(/Pod\/prod\/web: container "app" image "registry.gitlab.com\/team\/app:v1": no pull secret covers registry "registry.gitlab.com"/);
    expect(found.check).toEqual([
      expect.stringMatching(/^Pod\/prod\/web: container "app" image "registry.gitlab.com\/team\/app:v1" has no explicit imagePullPolicy$/),
      expect.stringMatching(/^Pod\/prod\/web: container "app" image "registry.gitlab.com\/team\/app:v1": no pull secret covers registry/),
    ]);
  });

  test('a pull secret defined inside an Included List counts for the pods that name it, as check counts it', async () => {
    // GIVEN
    const app = Testing.app();
    const chart = new Chart(app, 'prod', { namespace: 'prod' });
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'vendor', namespace: 'prod' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': GITLAB_AUTHS } };
    new Include(chart, 'platform', { url: listFile([secret]) });

    // WHEN
    new ApiObject(chart, 'web', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { imagePullSecrets: [{ name: 'vendor' }], containers: [{ name: 'app', image: GITLAB_IMAGE, imagePullPolicy: 'IfNotPresent' }] },
    });

    // THEN
    const found = await verdicts(app);
    expect(found.synth).toBeUndefined();
    expect(found.check).toEqual([]);
  });
});
