// `npm run bench`: time and peak memory to build and synth N pods, ours against the same pods
// hand-wired with cdk8s-plus-27, each measurement in a fresh process; then the cold
// `npx cdk8s synth` of the seed app. Prints a markdown table.
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const SIZES = (process.env.BENCH_SIZES ?? '1,100,1000,10000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Sample { ms: number; maxRssMb: number }

function measure(variant: string, size: number): Sample {
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'synth-once.ts'), variant, String(size)],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    samples.push(JSON.parse(out));
  }
  return median(samples);
}

function median(samples: Sample[]): Sample {
  const byTime = [...samples].sort((a, b) => a.ms - b.ms);
  return byTime[Math.floor(byTime.length / 2)];
}

function coldSynth(): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync('npx', ['cdk8s', 'synth'], { cwd: ROOT, encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`npx cdk8s synth failed: ${result.stderr}`);
    }
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const rows = ['| pods | ours ms | hand-wired ms | ratio | ours peak MB | hand-wired peak MB |', '|---:|---:|---:|---:|---:|---:|'];
let worst = 0;
for (const size of SIZES) {
  const ours = measure('ours', size);
  const hand = measure('hand-wired', size);
  const ratio = ours.ms / hand.ms;
  worst = Math.max(worst, ratio);
  rows.push(`| ${size} | ${ours.ms.toFixed(0)} | ${hand.ms.toFixed(0)} | ${ratio.toFixed(2)} | ${ours.maxRssMb.toFixed(0)} | ${hand.maxRssMb.toFixed(0)} |`);
}
console.log(`median of ${RUNS} runs, each in a fresh node process (node ${process.version})\n`);
console.log(rows.join('\n'));
console.log(`\nworst ratio ours/hand-wired: ${worst.toFixed(2)} (target <= 1.10)`);
console.log(`cold \`npx cdk8s synth\` of the seed app: ${coldSynth().toFixed(0)} ms (median of ${RUNS})`);
