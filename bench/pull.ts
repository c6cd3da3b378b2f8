// `check --pull` on N distinct tags in local registries (Debian's docker-registry on 127.0.0.1,
// started here): the wall time of the whole command as a pipeline runs it, and the requests per
// second of its registry phase, at the default concurrency and at 1. Run by bench/bench.ts
// (`pullBench()`), or alone: `node -r ts-node/register/transpile-only bench/pull.ts`; the
// two-platform table (`platformBench()`) alone with `... bench/pull.ts platforms`.
// BENCH_PULL_TAGS sets N (default 500), BENCH_PULL_RUNS the runs (default 3).
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { pushImage, pushIndex, writeOciIndexLayout, writeOciLayout } from '../test/support/oci-image';
import { requireTools, RunningRegistry, startRegistry } from '../test/support/registry';
import { startTokenIssuer } from '../test/support/token-issuer';

const TAGS = Number(process.env.BENCH_PULL_TAGS ?? 500);
const RUNS = Number(process.env.BENCH_PULL_RUNS ?? 3);
const BIN = path.join(__dirname, '..', 'bin', 'cdk8s-private-registry.js');
const USER = { username: 'bench', password: 'bench-password' };

/** one Secret for the registry and one Deployment per tag, as a chart of many services renders */
function manifests(host: string, tags: string[], repository = 'team/app'): string {
  const config = Buffer.from(JSON.stringify({ auths: { [host]: { ...USER, auth: Buffer.from(`${USER.username}:${USER.password}`).toString('base64') } } })).toString('base64');
  const docs = [`apiVersion: v1\nkind: Secret\nmetadata: {name: regcred, namespace: apps}\ntype: kubernetes.io/dockerconfigjson\ndata: {.dockerconfigjson: ${config}}\n`];
  tags.forEach((tag, i) => docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc-${i}, namespace: apps}\nspec:\n  selector: {matchLabels: {app: svc-${i}}}\n`
    + `  template:\n    metadata: {labels: {app: svc-${i}}}\n    spec:\n      imagePullSecrets: [{name: regcred}]\n`
    + `      containers: [{name: main, image: "${host}/${repository}:${tag}", imagePullPolicy: IfNotPresent}]\n`));
  return docs.join('---\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** ms of `check --pull` on `file`, which must end with every image ok */
function timeCheck(file: string, host: string, concurrency: number, extra: string[] = [], bin = BIN): number {
  const start = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [bin, 'check', '--pull', '--insecure-registry', host, '--concurrency', String(concurrency), ...extra, file],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!out.includes(`every image is ok: ${TAGS} asked`)) {
    throw new Error(`check --pull did not find every image ok:\n${out.slice(-2000)}`);
  }
  return ms;
}

/** ms of `check` alone on the same file: what --pull adds is the difference */
function timeCheckAlone(file: string): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, [BIN, 'check', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function pullBench(): Promise<string> {
  requireTools();
  const work = mkdtempSync(path.join(tmpdir(), 'bench-pull-'));
  const running: Array<{ stop(): Promise<void> }> = [];
  try {
    const image = writeOciLayout(path.join(work, 'oci'), 'v1');
    const tags = Array.from({ length: TAGS }, (_, i) => `1.0.${i}`);
    const basic = await startRegistry({ auth: 'htpasswd', users: [USER] });
    running.push(basic);
    const issuer = await startTokenIssuer({ users: [USER], service: 'bench-registry', issuer: 'bench-issuer' });
    running.push(issuer);
    const token = await startRegistry({ auth: 'token', token: issuer });
    running.push(token);

    const rows = [
      '| registry (docker-registry 2.8 on 127.0.0.1) | images | concurrency | `check --pull` ms | `check` alone ms | requests/s of the pull phase |',
      '|---|---:|---:|---:|---:|---:|',
    ];
    for (const [label, registry] of [['htpasswd (Basic), HTTP', basic], ['token (Bearer), HTTP', token]] as Array<[string, RunningRegistry]>) {
      await pushImage(image, registry.url, 'team/app', tags, USER);
      const file = path.join(work, `${registry.port}.yaml`);
      writeFileSync(file, manifests(registry.host, tags));
      const alone = median(Array.from({ length: RUNS }, () => timeCheckAlone(file)));
      for (const concurrency of [8, 1]) {
        const pulled = median(Array.from({ length: RUNS }, () => timeCheck(file, registry.host, concurrency)));
        // one GET per image, and the config they share once; the challenge and the token once per registry and credential
        const rate = TAGS / ((pulled - alone) / 1000);
        rows.push(`| ${label} | ${TAGS} | ${concurrency}${concurrency === 8 ? ' (default)' : ''} | ${pulled.toFixed(0)} | ${alone.toFixed(0)} | ${rate.toFixed(0)} |`);
      }
    }
    return [`\`check --pull\` on ${TAGS} distinct tags, median of ${RUNS} runs, each a fresh CLI process (node ${process.version})`, '', ...rows].join('\n');
  } finally {
    await Promise.all(running.map(r => r.stop()));
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * `check --pull` on N tags of a two-platform index (linux/amd64 and linux/arm64, with
 * `--platform` naming both) against N tags of a single-platform image on the default platform,
 * interleaved runs at the default concurrency, Basic auth over HTTP. With
 * BENCH_PULL_BASELINE_BIN, also the single-platform figure of another build's CLI (e.g. the
 * commit before platforms were checked, which only sent HEAD).
 */
export async function platformBench(): Promise<string> {
  requireTools();
  const work = mkdtempSync(path.join(tmpdir(), 'bench-platform-'));
  let registry: RunningRegistry | undefined;
  try {
    const tags = Array.from({ length: TAGS }, (_, i) => `1.0.${i}`);
    registry = await startRegistry({ auth: 'htpasswd', users: [USER] });
    await pushImage(writeOciLayout(path.join(work, 'single'), 'v1'), registry.url, 'team/single', tags, USER);
    const index = writeOciIndexLayout(path.join(work, 'multi'), 'v1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
    await pushIndex(index, registry.url, 'team/multi', tags, USER);
    const single = path.join(work, 'single.yaml');
    const multi = path.join(work, 'multi.yaml');
    writeFileSync(single, manifests(registry.host, tags, 'team/single'));
    writeFileSync(multi, manifests(registry.host, tags, 'team/multi'));
    const baseline = process.env.BENCH_PULL_BASELINE_BIN;
    const runs: Array<{ single: number; multi: number; baseline?: number }> = [];
    for (let run = 0; run < RUNS; run++) {
      runs.push({
        single: timeCheck(single, registry.host, 8),
        multi: timeCheck(multi, registry.host, 8, ['--platform', 'linux/amd64,linux/arm64']),
        baseline: baseline ? timeCheck(single, registry.host, 8, [], baseline) : undefined,
      });
    }
    const ratio = median(runs.map(r => r.multi / r.single));
    const rows = [
      `\`check --pull\` on ${TAGS} tags, two platforms against one, median of ${RUNS} interleaved runs (node ${process.version})`,
      '',
      '| images | `check --pull` ms |',
      '|---|---:|',
      `| ${TAGS} single-platform (OCI manifest, default linux/amd64) | ${median(runs.map(r => r.single)).toFixed(0)} |`,
      `| ${TAGS} two-platform (OCI index, --platform linux/amd64,linux/arm64) | ${median(runs.map(r => r.multi)).toFixed(0)} |`,
      ...baseline ? [`| ${TAGS} single-platform, ${baseline} | ${median(runs.map(r => r.baseline!)).toFixed(0)} |`] : [],
      '',
      `two platforms / one: ${ratio.toFixed(2)}x (target: at most 1.5x)`
        + (baseline ? `; two platforms / the baseline's one: ${median(runs.map(r => r.multi / r.baseline!)).toFixed(2)}x` : ''),
    ];
    return rows.join('\n');
  } finally {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2] === 'platforms') {
  platformBench().then(table => console.log(table), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
} else if (require.main === module) {
  pullBench().then(table => console.log(table), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
