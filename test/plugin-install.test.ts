// The validation plugin as a user gets it: the library packed into a tarball, installed into a fresh
// `cdk8s init typescript-app`, and run by `npx cdk8s synth` with the README's `validations:` block.
import { spawn, spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const TEMPLATE = path.join(NODE_MODULES, 'cdk8s-cli', 'templates', 'typescript-app');
const APP_NAME = 'my-app';
// the app's other dependencies, linked from this repository: no network, and npm never runs inside them
const LINKED = ['cdk8s', 'cdk8s-plus-27', 'constructs', 'cdk8s-cli', 'ts-node', 'typescript', '@types/node'];
const BINS = { 'cdk8s': 'cdk8s-cli/bin/cdk8s', 'ts-node': 'ts-node/dist/bin.js' };
// never the registry: npx would rather fetch a missing command than fail
const OFFLINE = { npm_config_offline: 'true', CDK8S_CHECK_UPGRADE: 'false' };

let tmp: string;
let packed: { tarball: string; files: string[] };
let app: string;

/** runs a set-up step, failing with its output */
function run(command: string, args: string[], options: SpawnSyncOptions): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options, env: { ...process.env, ...OFFLINE, ...options.env } });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr}${result.stdout}`);
  }
  return String(result.stdout);
}

/**
 * `npm pack` of the current sources: a copy of the checkout's files (tracked or not, but not ignored),
 * compiled with tsc. jsii would emit the same JavaScript and declarations plus its .jsii manifest, which
 * node never reads, in about twice the time.
 */
function pack(): { tarball: string; files: string[] } {
  const checkout = path.join(tmp, 'checkout');
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT }).split('\0');
  for (const file of files.filter(f => f !== '' && fs.existsSync(path.join(ROOT, f)))) {
    fs.mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(checkout, file));
  }
  // for tsc, and for the bundled yaml that npm pack puts in the tarball
  fs.symlinkSync(NODE_MODULES, path.join(checkout, 'node_modules'));
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: checkout });
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: checkout }));
  return { tarball: path.join(tmp, info.filename), files: info.files.map((f: { path: string }) => f.path) };
}

/** the README's `validations:` block, as a user pastes it into cdk8s.yaml */
function readmeValidations(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /```yaml\n# cdk8s\.yaml\n(validations:\n[\s\S]*?)```/.exec(readme);
  if (!block) {
    throw new Error('README.md has no ```yaml block that starts with "# cdk8s.yaml" and "validations:"');
  }
  return block[1];
}

/**
 * The files `cdk8s init typescript-app` writes (its `import` step needs the internet and adds nothing
 * that synth reads), the tarball installed with npm, and resources in main.ts: a pod wired with the
 * library, and, given UNCOVERED_POD, a plain pod as from Include or Helm with no pull secret.
 */
function createApp(tarball: string): string {
  const dir = path.join(tmp, APP_NAME);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: APP_NAME, version: '1.0.0', private: true }));
  // the peer dependencies are linked below rather than fetched
  run('npm', ['install', '--ignore-scripts', '--legacy-peer-deps', '--no-audit', '--no-fund', tarball], { cwd: dir });
  for (const name of LINKED) {
    fs.mkdirSync(path.dirname(path.join(dir, 'node_modules', name)), { recursive: true });
    fs.symlinkSync(path.join(NODE_MODULES, name), path.join(dir, 'node_modules', name));
  }
  for (const [bin, target] of Object.entries(BINS)) {
    fs.symlinkSync(path.join('..', target), path.join(dir, 'node_modules', '.bin', bin));
  }

  fs.copyFileSync(path.join(TEMPLATE, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `${fs.readFileSync(path.join(TEMPLATE, 'cdk8s.yaml'), 'utf8')}${readmeValidations()}`);
  const main = fs.readFileSync(path.join(TEMPLATE, 'main.ts'), 'utf8').replace('{{ $base }}', APP_NAME);
  if (!main.includes('// define resources here')) {
    throw new Error(`cdk8s-cli's typescript-app template changed: no "// define resources here" in ${TEMPLATE}/main.ts`);
  }
  fs.writeFileSync(path.join(dir, 'main.ts'), [
    "import { ApiObject } from 'cdk8s';",
    "import { PrivateImagePod, RegistrySecret } from 'cdk8s-private-registry';",
    main.replace('// define resources here', [
      "const regcred = RegistrySecret.fromSecretName(this, 'regcred', 'regcred', { servers: ['registry.gitlab.com'] });",
      "    new PrivateImagePod(this, 'web', { registrySecrets: [regcred], containers: [{ image: 'registry.gitlab.com/team/web:v1.4.2' }] });",
      '    if (process.env.UNCOVERED_POD) {',
      "      new ApiObject(this, 'legacy', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'legacy' }, spec: {",
      "        containers: [{ name: 'legacy', image: 'registry.gitlab.com/team/legacy:v2', imagePullPolicy: 'IfNotPresent' }],",
      '      } });',
      '    }',
    ].join('\n')),
  ].join('\n'));
  return dir;
}

interface Synth { status: number | null; stdout: string; stderr: string; outdir: string }

/** `npx cdk8s synth` in the app, into outdir */
function synth(outdir: string, env: Record<string, string> = {}): Promise<Synth> {
  return new Promise((resolve, reject) => {
    // HOME in the temp dir: were the plugin named by package, cdk8s-cli would install it under ~/.cdk8s
    const child = spawn('npx', ['cdk8s', 'synth', '--output', outdir], { cwd: app, env: { ...process.env, ...OFFLINE, HOME: tmp, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => { stdout += chunk; });
    child.stderr.on('data', chunk => { stderr += chunk; });
    child.on('error', reject);
    // the report's rule titles are colored
    child.on('close', status => resolve({ status, stdout: stdout.replace(/\x1b\[[0-9;]*m/g, ''), stderr, outdir: path.join(app, outdir) }));
  });
}

let passing: Synth;
let refused: Synth;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-install-'));
  packed = pack();
  app = createApp(packed.tarball);
  // both at once: each spends seconds in ts-node's type check of main.ts
  [passing, refused] = await Promise.all([synth('dist'), synth('dist-refused', { UNCOVERED_POD: '1' })]);
}, 120_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the library installed from its tarball into a fresh cdk8s app', () => {
  test('the tarball holds the library, its plugin entry, its CLI and its bundled yaml; no seed app, no sources', () => {
    // THEN
    expect(packed.files).toEqual(expect.arrayContaining([
      'package.json', 'README.md', 'lib/index.js', 'lib/index.d.ts', 'lib/cli/validation-plugin.js',
      'validation/index.js', 'validation/load.js', 'bin/cdk8s-private-registry.js', 'node_modules/yaml/package.json',
    ]));
    expect(packed.files.filter(f => /^(lib\/main\.|src\/|test\/|bench\/|dist\/|\.ci\/|cdk8s\.yaml$|tsconfig)/.test(f))).toEqual([]);
  });

  test('npx cdk8s synth with the README\'s validations block loads the installed plugin and passes a covered pod', () => {
    // WHEN (in beforeAll)
    const { status, stdout, stderr, outdir } = passing;

    // THEN
    expect(stderr).not.toMatch(/Installing validation plugin|npm (ERR|error)/);
    expect(status).toBe(0);
    const installed = path.join(app, 'node_modules', 'cdk8s-private-registry', 'validation').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(stdout).toMatch(new RegExp(`║ Plugin\\s+│ ${installed}\\s+║`));
    expect(stdout).toMatch(/║ Status\s+│ success\s+║/);
    expect(stdout).toContain('Validations ended succesfully');
    const yaml = fs.readFileSync(path.join(outdir, `${APP_NAME}.k8s.yaml`), 'utf8');
    expect(yaml).toContain('image: registry.gitlab.com/team/web:v1.4.2');
    expect(yaml).toMatch(/imagePullSecrets:\n\s+- name: regcred/);
  });

  test('npx cdk8s synth with the same block refuses a pod no pull secret covers', () => {
    // WHEN (in beforeAll)
    const { status, stdout, stderr } = refused;

    // THEN
    expect(status).toBe(2);
    expect(stderr).toContain('Validation failed');
    expect(stdout).toMatch(/║ Status\s+│ failure\s+║/);
    expect(stdout).toContain('pull-secret-coverage (1 occurrences)');
    expect(stdout).toContain('container "legacy" image "registry.gitlab.com/team/legacy:v2": no pull secret covers registry "registry.gitlab.com"');
  });

  test('npx projen package finds jsii\'s outdir already in .npmignore, so it modifies no tracked file', () => {
    // GIVEN jsii-pacmak, which appends its outdir to .npmignore unless a line spells it exactly
    const outdir = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).jsii.outdir;

    // THEN
    expect(fs.readFileSync(path.join(ROOT, '.npmignore'), 'utf8').split('\n')).toContain(outdir);
  });
});
