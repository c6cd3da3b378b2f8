// Runs a few lines against this package's modules in a child node, with a deadline: what would
// block forever on a FIFO or fill memory from /dev/zero ends the child, not the test runner.
import { spawnSync } from 'child_process';
import * as path from 'path';

const LOAD = path.join(__dirname, '..', '..', 'validation', 'load.js');

/** how a child run ended */
export interface IsolatedRun {
  /** the thrown error's message, or undefined when `body` returned */
  readonly error?: string;
  /** what `body` returned, as JSON */
  readonly result?: unknown;
  /** the child's exit status; null when it was killed */
  readonly status: number | null;
  /** the signal that ended it, e.g. SIGKILL at the deadline */
  readonly signal: NodeJS.Signals | null;
  /** milliseconds from start to end */
  readonly elapsedMs: number;
  readonly stderr: string;
}

/**
 * Runs `body` (a function body that may use `load(name)` for a module under src/, and `args`) in a
 * child node, killed at `deadlineMs` and with at most `maxOldSpaceMb` of heap.
 */
export function runIsolated(body: string, args: unknown[] = [], deadlineMs = 5_000, maxOldSpaceMb = 256): IsolatedRun {
  const script = `
    const load = require(${JSON.stringify(LOAD)});
    const args = JSON.parse(process.argv[1]);
    let out;
    try {
      out = { result: (function () { ${body} })() };
    } catch (e) {
      out = { error: String(e && e.message) };
    }
    process.stdout.write(JSON.stringify(out));`;
  const started = Date.now();
  const child = spawnSync(process.execPath, [`--max-old-space-size=${maxOldSpaceMb}`, '-e', script, JSON.stringify(args)], {
    timeout: deadlineMs, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 16 * 1024 * 1024,
  });
  const elapsedMs = Date.now() - started;
  let parsed: { error?: string; result?: unknown } = {};
  try {
    parsed = JSON.parse(child.stdout);
  } catch {
    // killed, or crashed before it wrote
  }
  return { ...parsed, status: child.status, signal: child.signal, elapsedMs, stderr: child.stderr };
}
