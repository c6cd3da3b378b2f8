// `check` and the validation plugin read an ESO ExternalSecret whose target is a dockerconfigjson Secret as that pull
// secret: its name (the target's), its namespace and the servers of its template.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Include, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PolicyMode, PrivateRegistryPolicy, RegistrySecret } from '../src';
import { ManifestCheckResult } from '../src/cli/check-report';
import { checkManifests } from '../src/cli/manifest-check';
import { answerFix, askRegistries, describeAnswer, PullCollector } from '../src/cli/pull-check';
import { IValidationContext, PrivateRegistryValidation, ValidationViolation } from '../src/cli/validation-plugin';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'external-secret-check-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** the ExternalSecret RegistrySecret.fromExternalSecret writes, as YAML, with `change` applied */
function externalSecret(change: (m: any) => void = () => {}): string {
  const chart = new Chart(Testing.app(), 'apps', { namespace: 'apps' });
  RegistrySecret.fromExternalSecret(chart, 'regcred', {
    metadata: { name: 'regcred' },
    secretStoreRef: { name: 'vault' },
    registries: [{ server: 'registry.gitlab.com', username: { key: 'gitlab', property: 'user' }, password: { key: 'gitlab', property: 'token' } }],
  });
  const [manifest] = chart.toJson();
  change(manifest);
  return JSON.stringify(manifest) + '\n';
}

function pod(name: string, namespace: string, image: string, secret = 'regcred'): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { imagePullSecrets: [{ name: secret }], containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent' }] },
  }) + '\n';
}

async function check(...docs: string[]): Promise<ManifestCheckResult> {
  const file = path.join(tmp, 'app.yaml');
  fs.writeFileSync(file, docs.join('---\n'));
  return checkManifests([{ name: 'app.yaml', path: file }], {
    settings: { privateRegistries: '--private-registry', publicRegistry: r => `--public-registry ${r}`, existingSecret: r => `--existing-secret NAME=${r}` },
  });
}

const found = (result: ManifestCheckResult) => result.violations.map(v => [v.object, v.rule, v.message]);

describe('check reads an ExternalSecret as the pull secret it makes', () => {
  test('a pod in its namespace that pulls from its template\'s server passes, whatever the order', async () => {
    // WHEN
    const before = await check(externalSecret(), pod('web', 'apps', 'registry.gitlab.com/team/web:v1'));
    const after = await check(pod('web', 'apps', 'registry.gitlab.com/team/web:v1'), externalSecret());

    // THEN
    expect(found(before)).toEqual([]);
    expect(found(after)).toEqual([]);
  });

  test('its servers are the template\'s: another registry is not covered', async () => {
    // WHEN
    const result = await check(externalSecret(), pod('web', 'apps', 'ghcr.io/team/web:v1'));

    // THEN
    expect(found(result)).toEqual([['Pod/apps/web', 'pull-secret-coverage',
      'container "app" image "ghcr.io/team/web:v1": no pull secret covers registry "ghcr.io" (imagePullSecrets gives "regcred" for [registry.gitlab.com])']]);
  });

  test('the Secret is the target\'s name, in the ExternalSecret\'s namespace', async () => {
    // GIVEN an ExternalSecret named otherwise than its target
    const renamed = externalSecret(m => {
      m.metadata.name = 'sync-regcred';
    });

    // WHEN
    const result = await check(renamed, pod('web', 'apps', 'registry.gitlab.com/team/web:v1'), pod('job', 'jobs', 'registry.gitlab.com/team/job:v1'));

    // THEN
    expect(found(result)).toEqual([
      ['Pod/jobs/job', 'pull-secret-namespace', 'pull secret "regcred" is in namespace "apps" but the pod is in namespace "jobs": imagePullSecrets resolve only in the pod\'s own namespace'],
      ['Pod/jobs/job', 'pull-secret-coverage', 'container "app" image "registry.gitlab.com/team/job:v1": no pull secret covers registry "registry.gitlab.com" '
        + '(imagePullSecrets gives "regcred", which is in namespace "apps")'],
    ]);
  });

  test('a template whose server comes from the store leaves its servers unknown', async () => {
    // GIVEN ESO's own ECR example: the server is the generator's proxy_endpoint
    const template = '{"auths":{"{{ .proxy_endpoint | replace "https://" "" }}":{"username":"{{ .username }}","password":"{{ .password }}"}}}';
    const handWritten = externalSecret(m => {
      m.spec.target.template.data['.dockerconfigjson'] = template;
    });

    // WHEN
    const result = await check(handWritten, pod('web', 'apps', 'registry.gitlab.com/team/web:v1'));

    // THEN
    expect(found(result)).toEqual([['Pod/apps/web', 'pull-secret-coverage',
      'container "app" image "registry.gitlab.com/team/web:v1": no pull secret covers registry "registry.gitlab.com" (imagePullSecrets gives "regcred", whose servers are unknown)']]);
  });

  test('an ExternalSecret of a version it does not know is reported with the versions it knows', async () => {
    // WHEN
    const result = await check(externalSecret(m => {
      m.apiVersion = 'external-secrets.io/v1alpha1';
    }));

    // THEN
    expect(found(result)).toEqual([['ExternalSecret/apps/regcred', 'external-secret-version',
      'ExternalSecret apiVersion "external-secrets.io/v1alpha1" is not one this library knows (external-secrets.io/v1, external-secrets.io/v1beta1), '
        + 'so the pull secret it makes is not read']]);
  });

  test('an ExternalSecret whose target is no dockerconfigjson is no pull secret', async () => {
    // WHEN
    const result = await check(externalSecret(m => {
      m.spec.target.template.type = 'Opaque';
    }), pod('web', 'apps', 'registry.gitlab.com/team/web:v1'));

    // THEN
    expect(found(result).map(v => v[1])).toEqual(['pull-secret-coverage']);
  });
});

describe('the validation plugin and the constructs read it too', () => {
  test('the plugin passes a pod that pulls with the ExternalSecret\'s Secret', async () => {
    // GIVEN
    const file = path.join(tmp, 'app.k8s.yaml');
    fs.writeFileSync(file, [externalSecret(), pod('web', 'apps', 'registry.gitlab.com/team/web:v1')].join('---\n'));
    const violations: ValidationViolation[] = [];
    const submitted: string[] = [];
    const context: IValidationContext = {
      manifests: [file],
      report: { addViolation: v => violations.push(v), submit: status => submitted.push(status) },
      logger: { log: () => {} },
    };

    // WHEN
    await new PrivateRegistryValidation({ privateRegistries: ['registry.gitlab.com'] }).validate(context);

    // THEN
    expect(violations).toEqual([]);
    expect(submitted).toEqual(['success']);
  });

  test('an ExternalSecret from Include counts for a VERIFY policy at synth', () => {
    // GIVEN an ExternalSecret written by hand and included, and a pod that names its Secret
    const file = path.join(tmp, 'external.yaml');
    fs.writeFileSync(file, externalSecret());
    const chart = new Chart(new App({ outdir: tmp }), 'apps', { namespace: 'apps' });
    new Include(chart, 'external', { url: file });
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });
    const covered = new kplus.Pod(chart, 'web', { containers: [{ image: 'registry.gitlab.com/team/web:v1', imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT }] });
    ApiObject.of(covered).addJsonPatch(JsonPatch.add('/spec/imagePullSecrets', [{ name: 'regcred' }]));
    const uncovered = new kplus.Pod(chart, 'other', { containers: [{ image: 'ghcr.io/team/web:v1', imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT }] });
    ApiObject.of(uncovered).addJsonPatch(JsonPatch.add('/spec/imagePullSecrets', [{ name: 'regcred' }]));

    // THEN only the pod whose registry the template does not cover is refused
    expect(() => Testing.synth(chart)).toThrow(/Validation failed with the following errors:\n {2}\[apps\/policy\] apps\/other\/Resource: Pod\/apps\/apps-other-[0-9a-f]+: container "main" image "ghcr\.io\/team\/web:v1": no pull secret covers registry "ghcr\.io" \(imagePullSecrets gives "regcred" for \[registry\.gitlab\.com\]\)[^\n]*$/);
  });
});

describe('check --pull cannot read the credentials in a store', () => {
  test('says so for each image only an ExternalSecret covers, naming the store, and asks no registry', async () => {
    // GIVEN two images of a registry the ExternalSecret covers, and check has read the manifests
    const file = path.join(tmp, 'app.yaml');
    fs.writeFileSync(file, [externalSecret(), pod('web', 'apps', 'registry.gitlab.com/team/web:v1'), pod('api', 'apps', 'registry.gitlab.com/team/api:v1')].join('---\n'));
    const collector = new PullCollector();
    await checkManifests([{ name: file, path: file }], { collector, settings: { existingSecret: () => '', publicRegistry: () => '', privateRegistries: '' } });

    // WHEN check --pull asks (a registry asked would be unreachable within the timeout: none is asked)
    const answers = await askRegistries(collector, { timeoutMs: 1 });

    // THEN
    expect(answers.map(a => [a.image, a.result.status])).toEqual([['registry.gitlab.com/team/web:v1', 'remote'], ['registry.gitlab.com/team/api:v1', 'remote']]);
    expect(describeAnswer(answers[0])).toBe('not asked: the credentials of pull secret "regcred" (an ExternalSecret of SecretStore "vault") are in a store '
      + 'only the External Secrets Operator reads, so check --pull cannot ask with them');
    expect(answerFix(answers[0])).toMatch(/^check the pull where the operator has written the Secret: kubectl get secret/);
  });
});
