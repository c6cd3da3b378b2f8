// The core guarantees against the oldest and the newest cdk8s of the peer range, each in its own
// node process that sees only that copy: the library's src/, cdk8s-plus-27 and constructs resolve
// `cdk8s` through a temp node_modules whose cdk8s is the copy under test (node --preserve-symlinks).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';

const ROOT = path.join(__dirname, '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const LOAD = path.join(ROOT, 'validation', 'load.js');
const SCRIPT = path.join(__dirname, 'fixtures', 'cdk8s-guarantees.js');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** the copies under test: the pinned dev dependency, the peer range's lowest; and `cdk8s-newest`, the newest in it */
const COPIES = [
  { label: 'oldest', dir: 'cdk8s', version: PACKAGE.devDependencies.cdk8s },
  { label: 'newest', dir: 'cdk8s-newest', version: undefined },
];

let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-versions-'));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** a directory whose src/ is the library's and whose node_modules holds every package, with `cdk8s` as cdk8s */
function appDir(label: string, cdk8s: string): string {
  const app = path.join(tmp, label);
  fs.mkdirSync(path.join(app, 'node_modules'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'src'), path.join(app, 'src'));
  fs.symlinkSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json'));
  fs.copyFileSync(SCRIPT, path.join(app, 'cdk8s-guarantees.js'));
  for (const name of fs.readdirSync(NODE_MODULES)) {
    if (name !== 'cdk8s' && name !== 'cdk8s-newest' && !name.startsWith('.')) {
      fs.symlinkSync(path.join(NODE_MODULES, name), path.join(app, 'node_modules', name));
    }
  }
  fs.symlinkSync(cdk8s, path.join(app, 'node_modules', 'cdk8s'));
  return app;
}

/** the guarantees script run with the cdk8s at `cdk8s` */
function spawn(label: string, cdk8s: string) {
  const app = appDir(label, cdk8s);
  return spawnSync(process.execPath, ['--preserve-symlinks', path.join(app, 'cdk8s-guarantees.js'), LOAD], {
    cwd: app,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CDK8S_PRIVATE_REGISTRY_CACHE_DIR: path.join(NODE_MODULES, '.cache', 'cdk8s-private-registry') },
  });
}

/** what the guarantees script printed, with the copy of cdk8s installed as `dir` */
function run(label: string, dir: string): any {
  const copy = path.join(NODE_MODULES, dir, 'package.json');
  if (!fs.existsSync(copy)) {
    throw new Error(`${copy} is missing: run npx projen (it installs ${dir}, a dev dependency)`);
  }
  const result = spawn(label, path.join(NODE_MODULES, dir));
  if (result.status !== 0) {
    throw new Error(`the guarantees with ${dir} exited ${result.status}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

describe.each(COPIES)('the core guarantees with the $label cdk8s of the peer range', ({ label, dir, version }) => {
  let out: any;

  beforeAll(() => {
    out = run(label, dir);
  });

  test('the process loaded that copy of cdk8s only, for the library, cdk8s-plus-27 and the app alike', () => {
    expect(out.loaded).toEqual([fs.realpathSync(path.join(NODE_MODULES, dir))]);
    expect(out.version).toBe(version ?? JSON.parse(fs.readFileSync(path.join(NODE_MODULES, dir, 'package.json'), 'utf8')).version);
  });

  test('a PrivateImagePod names its RegistrySecret and sets each container\'s pull policy by Kubernetes\' rule', () => {
    // THEN
    const [secret, pod] = out.charts.pods;
    expect(secret).toMatchObject({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'gitlab' } });
    expect(pod.kind).toBe('Pod');
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(pod.spec.containers.map((c: any) => [c.name, c.imagePullPolicy])).toEqual([['tagged', 'IfNotPresent'], ['untagged', 'Always']]);
  });

  test('a WIRE policy names its secret in an L1 pod and in a cdk8s-plus Deployment made without this library', () => {
    // THEN
    const l1 = out.charts.team.find((o: any) => o.kind === 'Pod');
    const web = out.charts.team.find((o: any) => o.kind === 'Deployment');
    expect(l1.spec.imagePullSecrets).toEqual([{ name: 'ghcr' }]);
    expect(web.spec.template.spec.imagePullSecrets).toEqual([{ name: 'ghcr' }]);
  });

  test('App.synthYaml and App.synth write what Testing.synth wrote, chart by chart', () => {
    // THEN
    const charts = [...out.charts.pods, ...out.charts.team];
    expect(yaml.loadAll(out.yaml)).toEqual(charts);
    expect(out.written.flatMap((text: string) => yaml.loadAll(text))).toEqual(charts);
  });

  test('an image no secret covers is refused at synth', () => {
    expect(out.refused).toMatch(/image "quay\.io\/a\/b:v1": no pull secret covers registry "quay\.io"/);
  });
});

test('the oldest and the newest cdk8s write the same bytes', () => {
  // GIVEN / WHEN: both copies, run again
  const [oldest, newest] = COPIES.map(({ label, dir }) => run(`${label}-again`, dir));

  // THEN
  expect(newest.yaml).toBe(oldest.yaml);
  expect(newest.written).toEqual(oldest.written);
});

test('a cdk8s that renamed an internal the hooks rely on is refused at load, naming its version and the range supported', () => {
  // GIVEN a copy of cdk8s, version 2.99.0, whose App._synthChart is renamed
  const renamed = path.join(tmp, 'renamed-cdk8s');
  fs.cpSync(path.join(NODE_MODULES, 'cdk8s'), renamed, { recursive: true });
  const app = path.join(renamed, 'lib', 'app.js');
  fs.writeFileSync(app, fs.readFileSync(app, 'utf8').replace(/_synthChart/g, '_renderChart'));
  const manifest = JSON.parse(fs.readFileSync(path.join(renamed, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(renamed, 'package.json'), JSON.stringify({ ...manifest, version: '2.99.0' }));

  // WHEN the library loads with it
  const result = spawn('renamed', renamed);

  // THEN
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain(`cdk8s-private-registry cannot wire pull secrets with cdk8s 2.99.0 (${path.join(tmp, 'renamed', 'node_modules', 'cdk8s')})`);
  expect(result.stderr).toContain('App._synthChart is a function of 1 argument (found undefined)');
  expect(result.stderr).toContain(`supports cdk8s ${PACKAGE.peerDependencies.cdk8s}`);
});
