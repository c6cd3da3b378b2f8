import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** The commands the registry tests run, and the Debian package that ships each. */
export const TOOLS: ReadonlyArray<{ readonly command: string; readonly args: string[]; readonly aptPackage: string }> = [
  { command: 'docker-registry', args: ['--version'], aptPackage: 'docker-registry' },
  { command: 'skopeo', args: ['--version'], aptPackage: 'skopeo' },
  { command: 'htpasswd', args: ['-nbB', 'probe', 'probe'], aptPackage: 'apache2-utils' },
  // the test CA and the token issuer's signing certificate (tls.ts)
  { command: 'openssl', args: ['version'], aptPackage: 'openssl' },
];

/**
 * Throws, naming the apt package to install, when a command of `TOOLS` cannot be run.
 * The registry tests call this in `beforeAll`, so a machine without them fails loudly.
 */
export function requireTools(): void {
  const missing = TOOLS.filter(({ command, args }) => {
    const result = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
    return (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  });
  if (missing.length > 0) {
    throw new Error(`${missing.map(t => t.command).join(', ')} not found: install with `
      + `apt-get install -y ${missing.map(t => t.aptPackage).join(' ')} (the registry tests need them)`);
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

/**
 * The status code of `GET url`, or the error when nothing answered (connection refused while the
 * registry starts; a TLS error when its certificate does not verify); `ca` verifies an HTTPS server.
 */
function probe(url: string, ca?: Buffer): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const onResponse = (response: http.IncomingMessage) => {
      response.resume();
      resolve({ status: response.statusCode });
    };
    const request = url.startsWith('https:')
      ? https.get(url, { timeout: 1000, ca, agent: false }, onResponse)
      : http.get(url, { timeout: 1000, agent: false }, onResponse);
    request.once('timeout', () => request.destroy(new Error('timed out after 1 s')));
    request.once('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
  });
}

/** Probe errors of a registry that has not started listening yet. */
const NOT_YET = new Set(['ECONNREFUSED', 'ECONNRESET', 'timed out after 1 s']);

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** A user of the registry's htpasswd file, or of the token issuer. */
export interface RegistryUser {
  readonly username: string;
  readonly password: string;
}

/** How the registry authenticates its clients. */
export type RegistryAuth =
  /** `Basic` challenge, users from an htpasswd file */
  | 'htpasswd'
  /** `Bearer` challenge: clients fetch a JWT from a token issuer (see token-issuer.ts) */
  | 'token'
  /** no authentication: anyone pulls and pushes */
  | 'none';

/** The registry's `auth.token` section: the token issuer it sends clients to, and trusts. */
export interface RegistryTokenAuth {
  /** The issuer's token endpoint, sent to clients in the `Bearer realm=...` challenge. */
  readonly realm: string;
  /** The `service` of the challenge; the registry accepts only tokens whose `aud` is this. */
  readonly service: string;
  /** The registry accepts only tokens whose `iss` is this. */
  readonly issuer: string;
  /** A PEM file of the certificates that a token's `x5c` chain must end in. */
  readonly rootCertBundle: string;
}

/** The certificate the registry serves HTTPS with, and the CA that the readiness probe trusts. */
export interface RegistryTls {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/** How `startRegistry` configures the registry. */
export interface RegistryOptions {
  readonly auth: RegistryAuth;
  /** The htpasswd users; required with `auth: 'htpasswd'`, ignored otherwise. */
  readonly users?: RegistryUser[];
  /** Serve HTTPS with this certificate (`makeCertificates` in tls.ts makes one). @default - plain HTTP */
  readonly tls?: RegistryTls;
  /** Required with `auth: 'token'`; a `RunningTokenIssuer` fits as it is. */
  readonly token?: RegistryTokenAuth;
}

/** A running `docker-registry` (distribution 2.8) on 127.0.0.1. */
export interface RunningRegistry {
  /** `127.0.0.1:PORT`, the domain of the registry's image references. */
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** `http://127.0.0.1:PORT`, or `https://` with `tls`. */
  readonly url: string;
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

/** distribution 2.8's configuration; strings are written as JSON, which YAML reads as double-quoted scalars. */
function registryConfig(dir: string, port: number, options: RegistryOptions): string {
  const lines = [
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
  ];
  if (options.tls) {
    lines.push(
      '  tls:',
      `    certificate: ${JSON.stringify(options.tls.certFile)}`,
      `    key: ${JSON.stringify(options.tls.keyFile)}`,
    );
  }
  if (options.auth === 'htpasswd') {
    lines.push(
      'auth:',
      '  htpasswd:',
      '    realm: cdk8s-private-registry-test',
      `    path: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    );
  } else if (options.auth === 'token') {
    const token = options.token!;
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${JSON.stringify(token.realm)}`,
      `    service: ${JSON.stringify(token.service)}`,
      `    issuer: ${JSON.stringify(token.issuer)}`,
      `    rootcertbundle: ${JSON.stringify(token.rootCertBundle)}`,
    );
  }
  return lines.join('\n') + '\n';
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

/** Stops `child` by its PID: SIGTERM, then SIGKILL if it has not exited within 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
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
 * Kills `child` by its PID when this process exits, so a server left behind by a crashed test run
 * does not outlive the jest worker; the function returned forgets it once it is stopped.
 */
export function killOnExit(child: ChildProcess): () => void {
  const kill = () => {
    if (!exited(child) && child.pid !== undefined) {
      process.kill(child.pid, 'SIGKILL');
    }
  };
  process.once('exit', kill);
  return () => process.removeListener('exit', kill);
}

/** The options form of `startRegistry`'s argument, checked. */
function registryOptions(usersOrOptions: RegistryUser[] | RegistryOptions): RegistryOptions {
  const options: RegistryOptions = Array.isArray(usersOrOptions) ? { auth: 'htpasswd', users: usersOrOptions } : usersOrOptions;
  if (options.auth === 'htpasswd' && !options.users?.length) {
    throw new Error('startRegistry with auth htpasswd received no users: give at least one in users');
  }
  if (options.auth === 'token' && options.token === undefined) {
    throw new Error('startRegistry with auth token received no token section: give token (a running token issuer fits)');
  }
  return options;
}

/**
 * Starts Debian's `docker-registry` on a free port of 127.0.0.1 with its storage in a new temporary
 * directory, and resolves once `GET /v2/` answers as the auth mode says it must: 401 (a challenge)
 * with `htpasswd` or `token`, 200 with `none`. `startRegistry(users)` is short for
 * `startRegistry({ auth: 'htpasswd', users })`. With `tls` the registry serves HTTPS, and the probe
 * verifies it with `tls.caFile`. A port taken between `freePort` and the registry's bind is retried
 * on another port.
 */
export async function startRegistry(usersOrOptions: RegistryUser[] | RegistryOptions): Promise<RunningRegistry> {
  const options = registryOptions(usersOrOptions);
  const scheme = options.tls ? 'https' : 'http';
  const ca = options.tls ? fs.readFileSync(options.tls.caFile) : undefined;
  const ready = options.auth === 'none' ? 200 : 401;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-pr-registry-'));
  if (options.auth === 'htpasswd') {
    fs.writeFileSync(path.join(dir, 'htpasswd'), options.users!.map(htpasswdLine).join('\n') + '\n', { mode: 0o600 });
  }

  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    lastError = '';
    const port = await freePort();
    const url = `${scheme}://127.0.0.1:${port}`;
    const configPath = path.join(dir, 'config.yml');
    fs.writeFileSync(configPath, registryConfig(dir, port, options));

    const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const spawned: { error?: Error } = {};
    child.once('error', (e) => { spawned.error = e; });
    const releaseChild = killOnExit(child);

    const deadline = Date.now() + 10_000;
    let probeError = '';
    while (Date.now() < deadline && !exited(child) && spawned.error === undefined) {
      const { status, error } = await probe(`${url}/v2/`, ca);
      probeError = error ?? '';
      if (status === ready) {
        const pid = child.pid!;
        return {
          host: `127.0.0.1:${port}`,
          port,
          pid,
          url,
          stop: async () => {
            await stopChild(child);
            releaseChild();
            fs.rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      if (status !== undefined) {
        lastError = `GET /v2/ answered ${status}, expected ${ready} (auth ${options.auth})`;
        break;
      }
      // only a registry that is not listening yet is worth waiting for; a TLS error will not go away
      if (!NOT_YET.has(probeError)) {
        break;
      }
      await sleep(50);
    }
    await stopChild(child);
    releaseChild();
    if (spawned.error !== undefined) {
      lastError = `docker-registry could not be started (${spawned.error.message}): install it with apt-get install -y docker-registry`;
      break;
    }
    lastError = lastError || `docker-registry did not answer on ${url} (exit ${child.exitCode ?? child.signalCode ?? 'none'}, `
      + `last probe ${probeError || 'none'}): ${stderr}`;
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
