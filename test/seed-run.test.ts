// The seed app and the README's library example run as programs: `npx cdk8s synth` in this repository, with
// cdk8s.yaml's app and validation plugin, and the example compiled and run in a child node. The seed chart
// itself, synthesized in process, is in main.test.ts.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const PASSWORD = 'sentinel-password-123';

// the real `cdk8s synth` runs and the example's type check take a few seconds each
jest.setTimeout(60_000);

describe('the seed app under npx cdk8s synth, for real', () => {
  function synth(env: Record<string, string>) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-synth-'));
    const result = spawnSync('npx', ['cdk8s', 'synth', '--output', outdir], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', REGISTRY_SERVER: '', REGISTRY_USERNAME: '', REGISTRY_PASSWORD: '', ...env },
    });
    const files = result.status === 0 ? fs.readdirSync(outdir) : [];
    const yaml = files.map(f => fs.readFileSync(path.join(outdir, f), 'utf8')).join('\n');
    fs.rmSync(outdir, { recursive: true, force: true });
    return { ...result, files, yaml };
  }

  test('from the pipeline environment writes the secret and the pod', () => {
    // WHEN
    const result = synth({ REGISTRY_SERVER: 'registry.gitlab.com', REGISTRY_USERNAME: 'test-user', REGISTRY_PASSWORD: PASSWORD });

    // THEN
    expect(result.stderr).not.toContain(PASSWORD);
    expect(result.status).toBe(0);
    // cdk8s-cli's plugin report maps resources to construct paths through construct-metadata.json
    expect(result.files).toEqual(['construct-metadata.json', 'seed.k8s.yaml']);
    expect(result.yaml).toContain('type: kubernetes.io/dockerconfigjson');
    expect(result.yaml).toContain('name: imagesecrettest2');
  });

  test('without credentials writes only the pod and says so on stderr', () => {
    // WHEN
    const result = synth({});

    // THEN
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/emitting only the pod, which names the existing secret "regcred"/);
    expect(result.yaml).not.toContain('kind: Secret');
    expect(result.yaml).toContain('- name: regcred');
  });
});

describe('the README\'s library example', () => {
  test('compiles, and writes the seed\'s manifests byte for byte', () => {
    // GIVEN: the README's block, with the package name pointed at this checkout
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /```ts\n(import \{ App, Chart \} from 'cdk8s';[\s\S]*?)```/.exec(readme)![1];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-example-'));
    const file = path.join(dir, 'main.ts');
    fs.writeFileSync(file, block.replace(/from '(cdk8s|cdk8s-plus-27|cdk8s-private-registry)'/g, (_m, name) =>
      `from '${name === 'cdk8s-private-registry' ? path.join(ROOT, 'src') : path.dirname(require.resolve(`${name}/package.json`))}'`));
    const env = { ...process.env, REGISTRY_USERNAME: 'onrblt', REGISTRY_PASSWORD: PASSWORD };

    // WHEN
    const diagnostics = typeCheck(file);
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', file], {
      cwd: ROOT, encoding: 'utf8', env: { ...env, CDK8S_OUTDIR: path.join(dir, 'dist'), TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
    });
    const seedApp = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src', 'main.ts')], {
      cwd: ROOT, encoding: 'utf8', env: { ...env, REGISTRY_SERVER: 'registry.gitlab.com', CDK8S_OUTDIR: path.join(dir, 'seed') },
    });

    // THEN
    expect(diagnostics).toEqual([]);
    expect(run.stderr).toBe('');
    expect(seedApp.status).toBe(0);
    const example = fs.readFileSync(path.join(dir, 'dist', 'seed.k8s.yaml'), 'utf8');
    expect(block).toContain('resources: {}');
    expect(example).toBe(fs.readFileSync(path.join(dir, 'seed', 'seed.k8s.yaml'), 'utf8'));
  });
});

/** TypeScript's errors for one file, with the project's compiler options */
function typeCheck(file: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts: typeof import('typescript') = require('typescript');
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram([file], { ...config.options, noEmit: true, rootDir: undefined, skipLibCheck: true });
  return ts.getPreEmitDiagnostics(program).map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
