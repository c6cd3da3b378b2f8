// PrivateRegistryValidation as cdk8s-cli runs it: `cdk8s synth` loads the plugin from validation/ and prints its
// report. The plugin's own behaviour, with a fake context, is in validation-plugin.test.ts.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-plugin-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('PrivateRegistryValidation property errors under cdk8s synth: one line, never a credential', () => {
  const PASSWORD = 'Sentinel-Plugin-Password-d41c';

  test('cdk8s synth reports a property error as one line, without a stack trace or the password', () => {
    // GIVEN an app whose cdk8s.yaml gives the plugin an insecure registry with a password in it
    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'cdk8s.yaml'), [
      'language: typescript',
      'app: node -e "require(\'fs\').mkdirSync(process.env.CDK8S_OUTDIR)"',
      'validations:',
      `  - package: ${path.join(ROOT, 'validation')}`,
      '    class: PrivateRegistryValidation',
      '    version: 0.0.0',
      '    properties:',
      '      pull: true',
      `      insecureRegistries: ["https://u:${PASSWORD}@127.0.0.1:5000"]`,
      '',
    ].join('\n'));

    // WHEN cdk8s synth runs
    const result = spawnSync(CDK8S, ['synth', '--no-check-upgrade', '--output', path.join(tmp, 'dist')], {
      cwd: app, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, encoding: 'utf8',
    });

    // THEN it fails with the property error on one line, with no stack frame and no password
    const output = result.stdout + result.stderr;
    expect(result.status).not.toBe(0);
    const lines = output.split('\n').filter(line => line.includes('PrivateRegistryValidation properties'));
    expect(lines).toEqual([expect.stringContaining('PrivateRegistryValidation properties: insecureRegistries[0] "https://<redacted>@127.0.0.1:5000" '
      + 'carries a user name or password before "@"')]);
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toContain('at new PrivateRegistryValidation');
    expect(output).not.toContain(PASSWORD);
  }, 60_000);
});

describe('PrivateRegistryValidation under cdk8s synth', () => {
  /** `cdk8s synth` in a fixture app, with its output in the temp dir */
  function synth(fixture: string) {
    const result = spawnSync(CDK8S, ['synth', '--no-check-upgrade', '--output', path.join(tmp, 'dist')], {
      cwd: path.join(__dirname, 'fixtures', fixture),
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      encoding: 'utf8',
    });
    // the report's rule titles are colored
    return { status: result.status, stdout: result.stdout.replace(/\x1b\[[0-9;]*m/g, ''), stderr: result.stderr };
  }

  test('passes an app whose private images are all covered', () => {
    // WHEN
    const { status, stdout } = synth('plugin-pass');

    // THEN
    expect(status).toBe(0);
    expect(stdout).toContain('cdk8s-private-registry: 2 pod spec(s) checked, 0 violation(s)');
    expect(stdout).toMatch(/║ Status\s+│ success\s+║/);
    expect(stdout).toContain('Validations ended succesfully');
  }, 60_000);

  test('fails an app with a missing pull secret, a secret from another namespace and a :latest image', () => {
    // WHEN
    const { status, stdout, stderr } = synth('plugin-fail');

    // THEN
    const output = path.join(tmp, 'dist', 'app.k8s.yaml');
    expect(status).toBe(2);
    expect(stderr).toContain('Validation failed. See above reports for details');
    expect(stdout).toMatch(/║ Status\s+│ failure\s+║/);
    expect(stdout).toContain([
      'image-pull-policy (1 occurrences)',
      '',
      '  Occurrences:',
      '',
      '    - Construct Path: app/web',
      `    - Manifest Path: ${output}`,
      '    - Resource Name: web',
      '    - Locations:',
      '      > Deployment/apps/web at spec.template.spec.containers[0] (line 25): container "web" image "registry.gitlab.com/team/web:v1.2.3" has no explicit imagePullPolicy; '
        + 'set it (Kubernetes would default to IfNotPresent)',
      '',
      '  Recommendation: every container, init container and ephemeral container sets imagePullPolicy',
      '  How to fix: set imagePullPolicy to Always, IfNotPresent or Never',
    ].join('\n'));
    expect(stdout).toContain('pull-secret-coverage (2 occurrences)');
    expect(stdout).toContain('      > Deployment/apps/web at spec.template.spec.containers[0] (line 25): container "web" image "registry.gitlab.com/team/web:v1.2.3": '
      + 'no pull secret covers registry "registry.gitlab.com" (the pod names no pull secret and serviceAccount "default" gives none); '
      + 'name in imagePullSecrets a docker-registry secret whose server is "registry.gitlab.com"');
    expect(stdout).toContain('pull-secret-namespace (1 occurrences)');
    expect(stdout).toContain('    - Construct Path: app/worker\n    - Manifest Path: ' + output + '\n    - Resource Name: worker\n    - Locations:\n      > Pod/jobs/worker at spec.imagePullSecrets (line 39): '
      + 'pull secret "gitlab" is in namespace "apps" but the pod is in namespace "jobs": imagePullSecrets resolve only in the pod\'s own namespace; '
      + 'put the secret and the pod in the same namespace');
    expect(stdout).toContain('disallow-latest (1 occurrences)');
    expect(stdout).toContain('      > Pod/jobs/worker at spec.containers[0] (line 35): container "worker" image "registry.gitlab.com/team/worker:latest" uses the tag "latest"; '
      + 'pin a version tag or a digest');
  }, 60_000);
});
