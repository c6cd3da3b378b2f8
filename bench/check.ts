// The `check` command at platform scale: time and peak memory of checkManifests against js-yaml's
// loadAll alone on the same generated file, each measurement in a fresh process. Run by
// bench/bench.ts (`checkBench()`), or alone: `node -r ts-node/register/transpile-only bench/check.ts`.
// Generated files go to os.tmpdir() and are deleted. BENCH_CHECK_GB=1 adds a 1 GB file;
// `bench/check.ts generate MB FILE` writes one input to look at.
import { execFileSync } from 'child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

const RUNS = Number(process.env.BENCH_CHECK_RUNS ?? 3);
/** runs of the rows that take a few seconds: the VM's speed swings by a fifth between runs */
const SHORT_RUNS = Math.max(RUNS, 7);
const MB = 1e6;

// "registry.example.com": {username: u, password: p}
const CONFIG = Buffer.from(JSON.stringify({ auths: { 'registry.example.com': { username: 'u', password: 'p', auth: Buffer.from('u:p').toString('base64') } } })).toString('base64');

/** one workload as `helm template` renders it; `broken` leaves out one imagePullPolicy */
function workload(i: number, namespace: string, broken: boolean): string {
  const kind = ['Deployment', 'StatefulSet', 'Job'][i % 3];
  const spec = kind === 'Job'
    ? '  backoffLimit: 3\n  template:'
    : `  replicas: 3\n  selector:\n    matchLabels:\n      app: app-${i}\n  template:`;
  return `apiVersion: ${kind === 'Job' ? 'batch/v1' : 'apps/v1'}
kind: ${kind}
metadata:
  name: app-${i}
  namespace: ${namespace}
  labels:
    app.kubernetes.io/name: app-${i}
    app.kubernetes.io/instance: release-${i}
    helm.sh/chart: app-1.2.3
  annotations:
    checksum/config: 3f2a${i}bd9c0e
spec:
${spec}
    metadata:
      labels:
        app: app-${i}
    spec:
      serviceAccountName: ${namespace}
      imagePullSecrets:
        - name: regcred
      containers:
        - name: app
          image: "registry.example.com/team/app-${i % 50}:v1.${i}"
          ${broken ? '' : 'imagePullPolicy: IfNotPresent'}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            - name: LOG_LEVEL
              value: "info"
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db
                  key: password
          resources:
            limits: {cpu: 500m, memory: 512Mi}
            requests: {cpu: 100m, memory: 128Mi}
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
        - name: sidecar
          image: docker.io/library/nginx:1.25
          imagePullPolicy: IfNotPresent
${kind === 'Job' ? '      restartPolicy: Never\n' : ''}`;
}

/**
 * Writes about `bytes` of releases: each a ServiceAccount, a pull Secret and 30 workloads in its
 * own namespace, in the order `helm template` prints them, or with every Secret after its
 * workloads (`secretsLast`), which makes the check read those workloads again. One workload in a
 * thousand lacks an imagePullPolicy.
 */
function generate(file: string, bytes: number, secretsLast = false): void {
  const fd = openSync(file, 'w');
  let written = 0;
  const write = (doc: string) => {
    const text = `---\n${doc}`;
    writeSync(fd, text);
    written += text.length;
  };
  for (let release = 0, i = 0; written < bytes; release++) {
    const namespace = `team-${release}`;
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n  namespace: ${namespace}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${CONFIG}\n`;
    write(`apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${namespace}\n  namespace: ${namespace}\n`);
    if (!secretsLast) {
      write(secret);
    }
    for (let n = 0; n < 30; n++, i++) {
      write(workload(i, namespace, i % 1000 === 999));
    }
    if (secretsLast) {
      write(secret);
    }
  }
  closeSync(fd);
}

/** one pod with `count` containers, each covered and with a policy, or each lacking it */
function generatePod(file: string, count: number, broken: boolean): void {
  const lines = ['apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\n  namespace: apps\nspec:\n  imagePullSecrets:\n    - name: regcred\n  containers:'];
  for (let i = 0; i < count; i++) {
    lines.push(`    - name: c${i}\n      image: registry.example.com/app:v${i % 100}${broken ? '' : '\n      imagePullPolicy: IfNotPresent'}`);
  }
  writeText(file, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n  namespace: apps\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${CONFIG}\n---\n${lines.join('\n')}\n`);
}

function writeText(file: string, text: string): void {
  const fd = openSync(file, 'w');
  writeSync(fd, text);
  closeSync(fd);
}

interface Sample { ms: number; cpuMs: number; peakMb: number; violations?: number; printed?: number }

const ROOT = path.join(__dirname, '..');

/**
 * This file and the sources compiled to JavaScript in `dir`, as the published package runs them:
 * ts-node and the TypeScript compiler would add about 100 MB to every peak.
 */
function compile(dir: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  const ts = require('typescript') as typeof import('typescript');
  const sources = [__filename, ...ts.sys.readDirectory(path.join(ROOT, 'src'), ['.ts'])];
  for (const source of sources) {
    const out = path.join(dir, path.relative(ROOT, source)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(out), { recursive: true });
    const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: false },
    });
    writeFileSync(out, outputText);
  }
  return path.join(dir, 'bench', 'check.js');
}

/** one measurement in a fresh process */
type Variant = 'ours' | 'js-yaml' | 'printed';

function once(runner: string, variant: Variant, file: string): Sample {
  const out = execFileSync(process.execPath, [runner, 'once', variant, file], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // the compiled sources live outside the checkout: find its node_modules
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
  });
  return JSON.parse(out);
}

interface Measured extends Sample {
  /** median of the per-run ratios of wall time and of CPU time to the first variant's */
  ratio: number;
  cpuRatio: number;
}

/**
 * RUNS interleaved runs of each variant, so that drift in the machine (shared with other work)
 * hits all alike: the median sample of each, and the median of its per-run ratios to the first
 */
function measure(runner: string, file: string, variants: Variant[], count = SHORT_RUNS): Measured[] {
  const samples: Sample[][] = variants.map(() => []);
  for (let i = 0; i < count; i++) {
    variants.forEach((variant, v) => samples[v].push(once(runner, variant, file)));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return samples.map(runs => ({
    ...[...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)],
    peakMb: Math.max(...runs.map(r => r.peakMb)),
    ratio: median(runs.map((run, i) => run.ms / samples[0][i].ms)),
    cpuRatio: median(runs.map((run, i) => run.cpuMs / samples[0][i].cpuMs)),
  }));
}

async function measureOnce(variant: string, file: string): Promise<Sample> {
  // modules load before the clock starts: their load time does not grow with the input
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { loadAll } = require('js-yaml') as typeof import('js-yaml');
  const { checkManifests } = require('../src/cli/manifest-check') as typeof import('../src/cli/manifest-check');
  const { textReport } = require('../src/cli/check-command') as typeof import('../src/cli/check-command');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let violations: number | undefined;
  let printed = 0;
  if (variant === 'js-yaml') {
    // what js-yaml alone costs: the whole file as one string, every document built
    loadAll(readFileSync(file, 'utf8'));
  } else {
    const result = await checkManifests([{ name: file, path: file }], {
      privateRegistries: ['registry.example.com'],
      settings: { privateRegistries: '', publicRegistry: r => r, existingSecret: r => r },
    });
    if (result.errors.length > 0) {
      throw new Error(`the check could not read ${file}: ${JSON.stringify(result.errors)}`);
    }
    violations = result.violations.length;
    if (variant === 'printed') {
      // what the command prints, in the pieces it writes: a reader of 100,000 violations reads every line
      for (const piece of textReport(result)) {
        printed += piece.length;
      }
    }
  }
  const { user, system } = process.cpuUsage(cpu);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, cpuMs: (user + system) / 1000, peakMb: process.resourceUsage().maxRSS / 1024, violations, printed };
}

/**
 * Runs the check bench and returns its report (markdown tables and the targets).
 */
export function checkBench(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'check-bench-'));
  const report: string[] = [];
  try {
    const runner = compile(path.join(dir, 'js'));
    const rows = [
      '| input | MB | ours ms | ours CPU ms | ours MB/s | ours peak MB | violations | js-yaml ms | js-yaml CPU ms | js-yaml MB/s | js-yaml peak MB | js-yaml / ours: time | CPU |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ];
    const targets: string[] = [];
    const row = (label: string, file: string, ours: Measured, js?: Measured) => {
      const mb = statSync(file).size / MB;
      const rate = (sample: Sample) => (mb / sample.ms * 1000).toFixed(1);
      rows.push(`| ${label} | ${mb.toFixed(0)} | ${ours.ms.toFixed(0)} | ${ours.cpuMs.toFixed(0)} | ${rate(ours)} | ${ours.peakMb.toFixed(0)} | ${ours.violations} | `
        + (js ? `${js.ms.toFixed(0)} | ${js.cpuMs.toFixed(0)} | ${rate(js)} | ${js.peakMb.toFixed(0)} | ${(1 / js.ratio).toFixed(2)} | ${(1 / js.cpuRatio).toFixed(2)} |` : 'n/a | | | | | |'));
    };

    const small = path.join(dir, '20mb.yaml');
    generate(small, 20 * MB);
    const [ours20, js20] = measure(runner, small, ['ours', 'js-yaml']);
    row('20 MB of releases', small, ours20, js20);
    targets.push(`time on 20 MB: ${(1 / js20.ratio).toFixed(2)}x js-yaml loadAll alone, CPU time ${(1 / js20.cpuRatio).toFixed(2)}x (target <= 1.50 for every row)`);
    generate(small, 20 * MB, true);
    const [late, jsLate] = measure(runner, small, ['ours', 'js-yaml']);
    row('20 MB, every Secret after its workloads', small, late, jsLate);
    rmSync(small);

    const large = path.join(dir, '200mb.yaml');
    generate(large, 200 * MB);
    const [ours200, js200] = measure(runner, large, ['ours', 'js-yaml'], RUNS);
    row('200 MB of releases', large, ours200, js200);
    targets.push(`peak RSS on 200 MB: ${ours200.peakMb.toFixed(0)} MB (target < 250)`);
    rmSync(large);

    if (process.env.BENCH_CHECK_GB) {
      // js-yaml alone cannot: 1 GB is past the longest string V8 makes
      const huge = path.join(dir, '1gb.yaml');
      generate(huge, 1000 * MB);
      const [oursGb] = measure(runner, huge, ['ours'], RUNS);
      row('1 GB of releases', huge, oursGb);
      targets.push(`1 GB: checked in ${(oursGb.ms / 1000).toFixed(0)} s, peak ${oursGb.peakMb.toFixed(0)} MB`);
      rmSync(huge);
    }

    for (const broken of [false, true]) {
      const pod = path.join(dir, 'pod.yaml');
      generatePod(pod, 100_000, broken);
      const [ours, js] = measure(runner, pod, ['ours', 'js-yaml']);
      row(`one pod, 100,000 containers${broken ? ', none with imagePullPolicy' : ''}`, pod, ours, js);
      if (broken) {
        // no target: what the command costs its user, who gets 100,000 lines of report
        const [printed, jsAgain] = measure(runner, pod, ['printed', 'js-yaml']);
        row('the same, its text report made too (no target)', pod, printed, jsAgain);
      }
      targets.push(`one pod with 100,000 containers${broken ? ' (every one a violation)' : ''}: ${ours.ms.toFixed(0)} ms`
        + (broken ? '' : ' (target < 2000)'));
      rmSync(pod);
    }
    report.push(`check: median of ${SHORT_RUNS} interleaved runs (${RUNS} for 200 MB), each in a fresh node process (node ${process.version}) running the sources compiled to JavaScript;`,
      'time from the first read to the result;',
      'ratios are medians of per-run ratios; peak MB is the largest of the runs', '', ...rows, '', ...targets);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return report.join('\n');
}

if (require.main === module) {
  const [mode, variant, file] = process.argv.slice(2);
  if (mode === 'once') {
    void measureOnce(variant, file).then(sample => process.stdout.write(JSON.stringify(sample) + '\n'));
  } else if (mode === 'compile') {
    // to profile the compiled sources: compile DIR, then node DIR/bench/check.js once ours FILE
    console.log(compile(variant));
  } else if (mode === 'generate') {
    // to look at or profile one input: generate MB FILE, generate MB-late FILE (every Secret after its
    // workloads), or generate pod|broken-pod FILE
    if (variant.endsWith('pod')) {
      generatePod(file, 100_000, variant === 'broken-pod');
    } else {
      generate(file, parseFloat(variant) * MB, variant.endsWith('-late'));
    }
  } else {
    console.log(checkBench());
  }
}
