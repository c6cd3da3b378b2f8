import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** The commands the end-to-end test runs, and the Debian package that ships each. */
export const TOOLS: ReadonlyArray<{ readonly command: string; readonly args: string[]; readonly aptPackage: string }> = [
  { command: 'docker-registry', args: ['--version'], aptPackage: 'docker-registry' },
  { command: 'skopeo', args: ['--version'], aptPackage: 'skopeo' },
  { command: 'htpasswd', args: ['-nbB', 'probe', 'probe'], aptPackage: 'apache2-utils' },
];

/**
 * Throws, naming the apt package to install, when a command of `TOOLS` cannot be run.
 * The end-to-end test calls this in `beforeAll`, so a machine without them fails loudly.
 */
export function requireTools(): void {
  const missing = TOOLS.filter(({ command, args }) => {
    const result = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
    return (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  });
  if (missing.length > 0) {
    throw new Error(`${missing.map(t => t.command).join(', ')} not found: install with `
      + `apt-get install -y ${missing.map(t => t.aptPackage).join(' ')} (the end-to-end registry test needs them)`);
  }
}

/** A free TCP port on 127.0.0.1, found by binding port 0 and releasing it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** The status code of `GET url`, or undefined when nothing answers. */
function statusOf(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(undefined));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** A user of the registry's htpasswd file. */
export interface RegistryUser {
  readonly username: string;
  readonly password: string;
}

/** A running `docker-registry` (distribution 2.8) with htpasswd basic auth on 127.0.0.1. */
export interface RunningRegistry {
  /** `127.0.0.1:PORT`, the domain of the registry's image references. */
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the registry by its PID and removes its storage. */
  stop(): Promise<void>;
}

/** One line `user:$2y$...` of an htpasswd file, bcrypt-hashed by `htpasswd -B` as the registry requires. */
function htpasswdLine(user: RegistryUser): string {
  const result = spawnSync('htpasswd', ['-nbB', user.username, user.password], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) {
    throw new Error(`htpasswd -nbB failed (exit ${result.status}): ${result.stderr}`);
  }
  return result.stdout.trim();
}

function registryConfig(dir: string, port: number): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(path.join(dir, 'storage'))}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: not-a-secret-test-only',
    'auth:',
    '  htpasswd:',
    '    realm: cdk8s-private-registry-test',
    `    path: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    '',
  ].join('\n');
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) {
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child) || child.pid === undefined) {
    return;
  }
  process.kill(child.pid, 'SIGTERM');
  if (!await waitForExit(child, 5000)) {
    process.kill(child.pid, 'SIGKILL');
    await waitForExit(child, 5000);
  }
}

/**
 * Starts Debian's `docker-registry` on a free port of 127.0.0.1 with htpasswd basic auth for
 * `users` and its storage in a new temporary directory, and resolves once `/v2/` answers 401.
 * A port taken between `freePort` and the registry's bind is retried on another port.
 */
export async function startRegistry(users: RegistryUser[]): Promise<RunningRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-pr-registry-'));
  fs.writeFileSync(path.join(dir, 'htpasswd'), users.map(htpasswdLine).join('\n') + '\n', { mode: 0o600 });

  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    lastError = '';
    const port = await freePort();
    const configPath = path.join(dir, 'config.yml');
    fs.writeFileSync(configPath, registryConfig(dir, port));

    const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const spawned: { error?: Error } = {};
    child.once('error', (e) => { spawned.error = e; });
    // a registry left behind by a crashed test run must not outlive the jest worker
    const killOnExit = () => {
      if (!exited(child) && child.pid !== undefined) {
        process.kill(child.pid, 'SIGKILL');
      }
    };
    process.once('exit', killOnExit);

    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !exited(child) && spawned.error === undefined) {
      const status = await statusOf(`http://127.0.0.1:${port}/v2/`);
      if (status === 401) {
        const pid = child.pid!;
        return {
          host: `127.0.0.1:${port}`,
          port,
          pid,
          stop: async () => {
            await stopChild(child);
            process.removeListener('exit', killOnExit);
            fs.rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      if (status !== undefined) {
        lastError = `GET /v2/ answered ${status}, expected 401 (basic auth required)`;
        break;
      }
      await sleep(50);
    }
    await stopChild(child);
    process.removeListener('exit', killOnExit);
    if (spawned.error !== undefined) {
      lastError = `docker-registry could not be started (${spawned.error.message}): install it with apt-get install -y docker-registry`;
      break;
    }
    lastError = lastError || `docker-registry did not answer on 127.0.0.1:${port} (exit ${child.exitCode ?? child.signalCode ?? 'none'}): ${stderr}`;
    if (!/address already in use/.test(stderr)) {
      break;
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  throw new Error(lastError);
}

/** The result of one `skopeo` run. */
export interface SkopeoResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `skopeo` with an argument array (no shell) in an environment of its own: HOME and the XDG
 * directories point into `home`, so no `~/.docker/config.json` or `auth.json` of the machine
 * supplies credentials, and only `--authfile` or `--*-creds` can. `stdin` is written to its
 * standard input (for `--password-stdin`).
 */
export function skopeo(home: string, args: string[], stdin?: string): SkopeoResult {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_RUNTIME_DIR: home };
  delete env.REGISTRY_AUTH_FILE;
  delete env.DOCKER_CONFIG;
  const result = spawnSync('skopeo', args, { env, encoding: 'utf8', timeout: 30_000, input: stdin ?? '' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('skopeo not found: install it with apt-get install -y skopeo');
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
