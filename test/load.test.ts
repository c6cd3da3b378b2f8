// validation/load.js: how the seed app, the validation plugin and the CLI run from a checkout without a compile.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const LOAD = path.join(ROOT, 'validation', 'load.js');

let tmp: string;
let cacheDir: string;
let probe: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'load-'));
  cacheDir = path.join(tmp, 'cache');
  // says on stderr, at exit, whether the process loaded the TypeScript compiler
  probe = path.join(tmp, 'probe.js');
  fs.writeFileSync(probe, `process.on('exit', () => process.stderr.write('typescript loaded: '
    + Object.keys(require.cache).some(f => f.includes('${path.sep}node_modules${path.sep}typescript${path.sep}'))));`);
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** node with the loader and the probe, in the temp dir and with the cache there */
function node(args: string[]) {
  const result = spawnSync(process.execPath, ['-r', LOAD, '-r', probe, ...args], {
    cwd: tmp,
    encoding: 'utf8',
    env: { ...process.env, CDK8S_PRIVATE_REGISTRY_CACHE_DIR: cacheDir },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** a TypeScript file that plain node cannot run */
function writeTs(file: string, value: string): void {
  fs.writeFileSync(file, `enum Color { Red = '${value}' }\nconst color: Color = Color.Red;\nconsole.log(color as string);\n`);
}

describe('validation/load.js', () => {
  test('runs a TypeScript file, and a second run reads the cache and loads no TypeScript', () => {
    // GIVEN
    const file = path.join(tmp, 'colors.ts');
    writeTs(file, 'red');

    // WHEN
    const first = node([file]);
    const second = node([file]);

    // THEN
    expect(first).toEqual({ status: 0, stdout: 'red\n', stderr: 'typescript loaded: true' });
    expect(second).toEqual({ status: 0, stdout: 'red\n', stderr: 'typescript loaded: false' });
    expect(fs.readdirSync(cacheDir)).toHaveLength(1);
  });

  test('a changed file is transpiled again, never served from the cache', () => {
    // GIVEN
    const file = path.join(tmp, 'colors.ts');
    writeTs(file, 'red');
    node([file]);

    // WHEN
    writeTs(file, 'blue');
    const changed = node([file]);

    // THEN
    expect(changed).toEqual({ status: 0, stdout: 'blue\n', stderr: 'typescript loaded: true' });
    expect(fs.readdirSync(cacheDir)).toHaveLength(2);
  });

  test('in a checkout, load(name) runs the module from src/', () => {
    // WHEN
    const result = node(['-e', `const { ParsedImage } = require(${JSON.stringify(LOAD)})('rules/parsed-image');
      console.log(Object.keys(require.cache).find(f => f.endsWith('parsed-image.ts')), ParsedImage.parse('nginx').registry)`]);

    // THEN
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${path.join(ROOT, 'src', 'rules', 'parsed-image.ts')} docker.io\n`);
  });

  test('run as npm\'s prepare script, fills the cache so that the seed app\'s first synth loads no TypeScript', () => {
    // GIVEN
    const prepare = spawnSync(process.execPath, [LOAD], { cwd: ROOT, env: { ...process.env, CDK8S_PRIVATE_REGISTRY_CACHE_DIR: cacheDir } });
    expect(prepare.status).toBe(0);

    // WHEN
    const synth = node([path.join(ROOT, 'src', 'main.ts')]);

    // THEN
    expect(synth.status).toBe(0);
    expect(fs.readdirSync(path.join(tmp, 'dist'))).toEqual(['seed.k8s.yaml']);
    expect(synth.stderr).toMatch(/typescript loaded: false$/);
  });
});
