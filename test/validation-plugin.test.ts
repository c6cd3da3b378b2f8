import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ValidationContext } from 'cdk8s-cli/plugins';
import { IValidationContext, PrivateRegistryValidation, ValidationViolation } from '../src/cli/validation-plugin';

// "registry.gitlab.com": {username: u, password: p}
const GITLAB_CONFIG = 'eyJhdXRocyI6eyJyZWdpc3RyeS5naXRsYWIuY29tIjp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fQ==';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-plugin-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** writes `yaml` to a manifest file in the temp dir */
function manifest(name: string, yaml: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, yaml);
  return file;
}

/** a context that records what the plugin reports */
function fakeContext(manifests: string[]) {
  const violations: ValidationViolation[] = [];
  const submitted: Array<{ status: string; metadata?: { [key: string]: string } }> = [];
  const logs: string[] = [];
  const context: IValidationContext = {
    manifests,
    report: { addViolation: v => violations.push(v), submit: (status, metadata) => submitted.push({ status, metadata }) },
    logger: { log: m => logs.push(m) },
  };
  return { context, violations, submitted, logs };
}

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: gitlab
  namespace: apps
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ${GITLAB_CONFIG}
`;

function pod(name: string, namespace: string, image: string, extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${namespace}
spec:${extra}
  containers:
    - name: app
      image: ${image}
      imagePullPolicy: IfNotPresent
`;
}

describe('PrivateRegistryValidation with a fake context', () => {
  test('passes pods covered by a secret in the output or by an existing secret', async () => {
    // GIVEN
    const plugin = new PrivateRegistryValidation({
      privateRegistries: ['registry.gitlab.com', 'ghcr.io'],
      existingSecrets: { regcred: { servers: ['ghcr.io'] } },
    });
    const files = [
      manifest('secret.k8s.yaml', SECRET),
      manifest('pods.k8s.yaml', [
        pod('web', 'apps', 'registry.gitlab.com/team/web:v1', '\n  imagePullSecrets: [{name: gitlab}]'),
        pod('report', 'jobs', 'ghcr.io/team/report:v2', '\n  imagePullSecrets: [{name: regcred}]'),
        pod('proxy', 'apps', 'nginx:1.25'),
      ].join('---\n')),
    ];
    const { context, violations, submitted, logs } = fakeContext(files);

    // WHEN
    await plugin.validate(context);

    // THEN
    expect(violations).toEqual([]);
    expect(submitted).toEqual([{ status: 'success', metadata: { 'Pod specs checked': '3', 'Private registries': 'registry.gitlab.com, ghcr.io' } }]);
    expect(logs).toEqual(['cdk8s-private-registry: 3 pod spec(s) checked, 0 violation(s)']);
  });

  test('reports one violation per rule, naming the file, the object, the container and the fix', async () => {
    // GIVEN
    const plugin = new PrivateRegistryValidation({ privateRegistries: ['registry.gitlab.com'], disallowLatest: true });
    const file = manifest('app.k8s.yaml', [
      SECRET,
      pod('web', 'apps', 'registry.gitlab.com/team/web:latest'),
      pod('api', 'apps', 'registry.gitlab.com/team/api:v1'),
    ].join('---\n'));
    const { context, violations, submitted } = fakeContext([file]);

    // WHEN
    await plugin.validate(context);

    // THEN
    expect(submitted[0].status).toBe('failure');
    expect(violations.map(v => [v.ruleName, v.violatingResources.map(r => r.resourceName)])).toEqual([
      ['disallow-latest', ['web']],
      ['pull-secret-coverage', ['web', 'api']],
    ]);
    const coverage = violations[1];
    expect(coverage.recommendation).toBe('every image from a private registry is covered by a pull secret of its pod');
    expect(coverage.violatingResources[1]).toEqual({
      resourceName: 'api',
      manifestPath: file,
      locations: ['Pod/apps/api at spec.containers[0] (line 28): container "app" image "registry.gitlab.com/team/api:v1": no pull secret covers registry '
        + '"registry.gitlab.com" (the pod names no pull secret and serviceAccount "default" gives none); name in imagePullSecrets a '
        + 'docker-registry secret whose server is "registry.gitlab.com", defined in the same manifests or declared with existingSecrets '
        + '(NAME: {servers: [registry.gitlab.com]}) in the plugin\'s properties'],
    });
  });

  test('without privateRegistries, every registry is private', async () => {
    // GIVEN
    const plugin = new PrivateRegistryValidation();
    const { context, violations, submitted } = fakeContext([manifest('a.yaml', pod('proxy', 'apps', 'nginx:1.25'))]);

    // WHEN
    await plugin.validate(context);

    // THEN
    expect(violations.map(v => v.ruleName)).toEqual(['pull-secret-coverage']);
    expect(violations[0].violatingResources[0].locations[0]).toMatch(/if "docker\.io" is public, declare it with publicRegistries: \[docker\.io\] in the plugin's properties, or list only your private registries with privateRegistries/);
    expect(submitted[0].metadata?.['Private registries']).toBe('every registry');
  });

  test('escapes control characters from the manifests in what cdk8s-cli prints', async () => {
    // GIVEN
    const plugin = new PrivateRegistryValidation();
    const { context, violations } = fakeContext([manifest('a.yaml', pod('"web\\e[31m"', 'apps', 'nginx:1.25'))]);

    // WHEN
    await plugin.validate(context);

    // THEN
    const resource = violations[0].violatingResources[0];
    expect(resource.resourceName).toBe('web\\x1b[31m');
    expect(resource.locations[0]).toMatch(/^Pod\/apps\/web\\x1b\[31m at spec\.containers\[0\]/);
  });

  test('a secret in the output wins over an existing secret of the same name', async () => {
    // GIVEN: the output replaces the existing "gitlab", which covered ghcr.io
    const plugin = new PrivateRegistryValidation({ existingSecrets: { gitlab: { servers: ['ghcr.io'] } } });
    const file = manifest('a.yaml', SECRET + '---\n' + pod('web', 'apps', 'ghcr.io/team/web:v1', '\n  imagePullSecrets: [{name: gitlab}]'));
    const { context, violations } = fakeContext([file]);

    // WHEN
    await plugin.validate(context);

    // THEN
    expect(violations.map(v => v.ruleName)).toEqual(['pull-secret-coverage']);
    expect(violations[0].violatingResources[0].locations[0]).toContain('(imagePullSecrets gives "gitlab" for [registry.gitlab.com])');
  });

  test('an existing secret with a namespace covers only pods of that namespace', async () => {
    // GIVEN
    const plugin = new PrivateRegistryValidation({ existingSecrets: { regcred: { servers: ['ghcr.io'], namespace: 'apps' } } });
    const file = manifest('a.yaml', [
      pod('ok', 'apps', 'ghcr.io/team/web:v1', '\n  imagePullSecrets: [{name: regcred}]'),
      pod('elsewhere', 'jobs', 'ghcr.io/team/web:v1', '\n  imagePullSecrets: [{name: regcred}]'),
    ].join('---\n'));
    const { context, violations } = fakeContext([file]);

    // WHEN
    await plugin.validate(context);

    // THEN
    expect(violations.map(v => [v.ruleName, v.violatingResources.map(r => r.resourceName)])).toEqual([
      ['pull-secret-namespace', ['elsewhere']],
      ['pull-secret-coverage', ['elsewhere']],
    ]);
  });

  test('fails with the file and line of a manifest that does not parse, and still checks the others', async () => {
    // GIVEN
    const plugin = new PrivateRegistryValidation({ publicRegistries: ['docker.io'] });
    const file = manifest('bad.yaml', 'kind: Pod\nmetadata:\n  name: [a\n');
    const other = manifest('other.yaml', pod('proxy', 'apps', 'nginx:1.25') + '---\n' + pod('web', 'apps', 'ghcr.io/team/web:v1'));
    const { context, violations, submitted, logs } = fakeContext([file, other]);

    // WHEN
    await plugin.validate(context);

    // THEN
    expect(violations.map(v => [v.ruleName, v.violatingResources.map(r => r.resourceName)])).toEqual([['pull-secret-coverage', ['web']]]);
    expect(submitted).toHaveLength(1);
    expect(submitted[0].status).toBe('failure');
    expect(submitted[0].metadata?.error).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:1: `));
    expect(submitted[0].metadata?.['Public registries']).toBe('docker.io');
    expect(logs[0]).toMatch(/^cdk8s-private-registry: cannot read .*bad\.yaml:4:1: /);
  });

  test('counts the existing secrets that objects declare in their annotation, and names an object whose annotation is malformed', async () => {
    // GIVEN: what RegistrySecret.fromSecretName makes the constructs write
    const plugin = new PrivateRegistryValidation();
    const annotated = (name: string, value: string) => pod(name, 'apps', 'registry.gitlab.com/team/app:v1', '\n  imagePullSecrets: [{name: regcred}]')
      .replace('metadata:\n', `metadata:\n  annotations:\n    cdk8s-private-registry/existing-pull-secrets: '${value}'\n`);
    const file = manifest('app.k8s.yaml', [annotated('web', '{"regcred":["registry.gitlab.com"]}'), annotated('broken', '{"regcred":[]}')].join('---\n'));
    const { context, violations } = fakeContext([file]);

    // WHEN
    await plugin.validate(context);

    // THEN: the first declaration counts for both pods of the namespace
    expect(violations.map(v => [v.ruleName, v.violatingResources.map(r => [r.resourceName, r.locations])])).toEqual([
      ['existing-pull-secrets', [['broken', ['Pod/apps/broken at metadata.annotations["cdk8s-private-registry/existing-pull-secrets"] (line 19): '
        + 'the annotation cdk8s-private-registry/existing-pull-secrets gives secret "regcred" []; expected a non-empty list of servers; '
        + 'write it as JSON from secret name to servers, e.g. {"regcred":["registry.gitlab.com"]}, or let RegistrySecret.fromSecretName write it']]]],
    ]);
  });

  test('fills in the report of cdk8s-cli', async () => {
    // GIVEN
    const plugin = new PrivateRegistryValidation({ privateRegistries: ['registry.gitlab.com'] });
    const file = manifest('app.k8s.yaml', pod('web', 'apps', 'registry.gitlab.com/team/web:v1'));
    const context = new ValidationContext([file], 'cdk8s-private-registry', '0.0.0');
    // cdk8s-cli's logger writes to the console
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});

    // WHEN
    await plugin.validate(context as unknown as IValidationContext);

    // THEN
    expect(log).toHaveBeenCalledWith('cdk8s-private-registry: 1 pod spec(s) checked, 1 violation(s)');
    log.mockRestore();
    expect(context.report.success).toBe(false);
    const report = context.report.toJson();
    expect(report.violations.map(v => v.ruleName)).toEqual(['pull-secret-coverage']);
    expect(report.violations[0].violatingConstructs[0]).toMatchObject({ resourceName: 'web', manifestPath: file });
    expect(context.report.toString()).toContain('- Resource Name: web\n    - Locations:\n      > Pod/apps/web at spec.containers[0] (line 8): ');
  });
});

describe('PrivateRegistryValidation properties', () => {
  test('applies defaults into readable fields', () => {
    // WHEN
    const plugin = new PrivateRegistryValidation();

    // THEN
    expect(plugin.privateRegistries).toBeUndefined();
    expect(plugin.publicRegistries).toEqual([]);
    expect(plugin.existingSecrets).toEqual({});
    expect(plugin.disallowLatest).toBe(false);
    expect(plugin.requireDigest).toBe(false);
  });

  test.each([
    [{ privateRegistry: ['ghcr.io'] }, /unknown "privateRegistry"; expected privateRegistries, publicRegistries, existingSecrets, disallowLatest, requireDigest/],
    [{ publicRegistries: 'docker.io' }, /publicRegistries is "docker\.io"; expected a list of servers/],
    [{ publicRegistries: ['docker.io:x'] }, /publicRegistries\[0\]: "docker\.io:x" is not a registry server/],
    [{ privateRegistries: 'ghcr.io' }, /privateRegistries is "ghcr\.io"; expected a non-empty list of servers/],
    [{ privateRegistries: ['ghcr.io:port'] }, /privateRegistries\[0\]: "ghcr\.io:port" is not a registry server/],
    [{ existingSecrets: ['regcred'] }, /existingSecrets is \["regcred"\]; expected a mapping/],
    [{ existingSecrets: { regcred: ['ghcr.io'] } }, /existingSecrets\.regcred is \["ghcr\.io"\]; expected \{servers: \[registry\.example\.com\]/],
    [{ existingSecrets: { regcred: { servers: ['ghcr.io'], namespace: 3 } } }, /existingSecrets\.regcred\.namespace is 3; expected a string/],
    [{ disallowLatest: 'yes' }, /disallowLatest is "yes"; expected true or false/],
    [{ pull: 'yes' }, /pull is "yes"; expected true or false/],
    [{ insecureRegistries: ['127.0.0.1:5000'] }, /PrivateRegistryValidation properties: insecureRegistries works only with pull: true$/],
    [{ pull: true, insecureRegistries: '127.0.0.1:5000' }, /insecureRegistries is "127\.0\.0\.1:5000"; expected a list of strings/],
    [{ pull: true, insecureRegistries: ['http://x'] }, /insecureRegistries\[0\] "http:\/\/x" is not a registry host; expected HOST\[:PORT\]/],
    [{ pull: true, caFiles: ['/nonexistent/ca.pem'] }, /caFiles\[0\] "\/nonexistent\/ca\.pem" does not exist$/],
    [{ pull: true, pullTimeoutSeconds: 0 }, /pullTimeoutSeconds is 0; expected a number above 0 and at most 600/],
    [{ pull: true, pullConcurrency: 2.5 }, /pullConcurrency is 2\.5; expected a number above 0 and at most 256/],
    [{ platforms: ['linux/arm64'] }, /PrivateRegistryValidation properties: platforms works only with pull: true$/],
    [{ pull: true, platforms: 'linux/arm64' }, /platforms is "linux\/arm64"; expected a list of strings/],
    [{ pull: true, platforms: ['arm64'] }, /properties: platforms: platform "arm64" is not a platform; expected OS\/ARCH\[\/VARIANT\], e\.g\. linux\/amd64/],
  ])('refuses %j', (props, message) => {
    expect(() => new PrivateRegistryValidation(props as any)).toThrow(message);
  });
});

describe('PrivateRegistryValidation property errors: one line, never a credential', () => {
  const PASSWORD = 'Sentinel-Plugin-Password-d41c';
  const EXPECTED_SERVER = 'expected host[:port][/path], e.g. registry.gitlab.com, with credentials only in a pull secret';

  test.each([
    ['privateRegistries', { privateRegistries: [`https://u:${PASSWORD}@ghcr.io`] }, `privateRegistries[0] "https://<redacted>@ghcr.io" carries a user name or password before "@"; ${EXPECTED_SERVER}`],
    ['publicRegistries', { publicRegistries: [`u:${PASSWORD}@docker.io`] }, `publicRegistries[0] "<redacted>@docker.io" carries a user name or password before "@"; ${EXPECTED_SERVER}`],
    ['existingSecrets servers', { existingSecrets: { regcred: { servers: [`u:${PASSWORD}@ghcr.io`] } } }, `existingSecrets.regcred.servers[0] "<redacted>@ghcr.io" carries a user name or password before "@"; ${EXPECTED_SERVER}`],
    ['existingSecrets servers not a list', { existingSecrets: { regcred: { servers: `u:${PASSWORD}@ghcr.io` } } }, 'existingSecrets.regcred is {"servers":"<redacted>@ghcr.io"}; expected {servers: [registry.example.com], namespace?: ...}'],
    ['insecureRegistries', { pull: true, insecureRegistries: [`https://u:${PASSWORD}@127.0.0.1:5000`] },
      'insecureRegistries[0] "https://<redacted>@127.0.0.1:5000" carries a user name or password before "@"; expected HOST[:PORT], e.g. 127.0.0.1:5000, with credentials only in a pull secret'],
  ])('a user name and password in %s are refused in one line that does not repeat them', (_property, props, message) => {
    // GIVEN properties with a server written with a user name and password
    // WHEN the plugin is made
    let error: any;
    try {
      new PrivateRegistryValidation(props as any);
    } catch (e) {
      error = e;
    }
    // THEN the error names the property with the userinfo redacted, and its stack is that one line
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(`PrivateRegistryValidation properties: ${message}`);
    expect(error.stack).toBe(error.message);
    expect(`${error.message} ${error.stack}`).not.toContain(PASSWORD);
  });
});
