// A token issuer for the registry's `auth: token` mode, as the Docker token authentication spec
// describes it (https://distribution.github.io/distribution/spec/auth/token/ and .../auth/jwt/):
// Docker Hub, GHCR, GitLab and Harbor all send clients to such a server with a `Bearer` challenge.
// The registry (distribution 2.8) verifies every token itself against `rootCertBundle`.
//
// The server runs in a child process (this same file, forked): tests run skopeo and the CLI with
// spawnSync, which blocks this process's event loop, so an in-process server could never answer them.
import { fork } from 'child_process';
import { X509Certificate, createPrivateKey, randomBytes, sign, KeyObject } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { RegistryTokenAuth, RegistryUser, killOnExit, stopChild } from './registry';
import { makeSelfSignedCertificate } from './tls';

/** How `startTokenIssuer` grants access. */
export interface TokenIssuerOptions {
  /** Who may log in with `Authorization: Basic`; they get pull and push on every repository. */
  readonly users: RegistryUser[];
  /** The registry's `service`: the tokens' `aud`; a request for another service is refused with 400. */
  readonly service: string;
  /** The tokens' `iss`, which the registry must be configured to trust. */
  readonly issuer: string;
  /**
   * Repositories whose name starts with one of these may be pulled anonymously, as public images on
   * Docker Hub. @default - none: anonymous clients get tokens with no access
   */
  readonly anonymousPullPrefixes?: string[];
  /** Serve the token endpoint over HTTPS with this certificate. @default - plain HTTP */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** The tokens' lifetime in seconds. @default 300 */
  readonly expiresIn?: number;
}

/** One `access` entry of a token's claims. */
export interface TokenAccess {
  readonly type: string;
  readonly name: string;
  readonly actions: string[];
}

/** One request the issuer received, as tests may assert on it: no credential, no token. */
export interface TokenRequest {
  /** The `service` query parameter. */
  readonly service: string | undefined;
  /** Every `scope` query parameter, in order. */
  readonly scopes: string[];
  /** Who asked: no Authorization header, a known user with the right password, or neither. */
  readonly client: 'anonymous' | 'authenticated' | 'rejected';
  /** The response's status code. */
  readonly status: number;
  /** What the token granted (empty when no token was issued). */
  readonly access: TokenAccess[];
}

/** A running token issuer; as a `RegistryTokenAuth` it is the registry's `token` option as it is. */
export interface RunningTokenIssuer extends RegistryTokenAuth {
  /** `http(s)://127.0.0.1:PORT/token`, the realm of the registry's challenge. */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The PEM file of the signing certificate: the registry's whole `rootcertbundle`. */
  readonly rootCertBundle: string;
  /** The PID of the child process that serves the tokens. */
  readonly pid: number;
  /** Every request answered so far, oldest first (asked of the child process, hence a promise). */
  requests(): Promise<TokenRequest[]>;
  /** Stops the child process by its PID and removes its key and certificate. */
  stop(): Promise<void>;
}

/** The actions an authenticated user may be granted; the registry knows no others for `repository`. */
const USER_ACTIONS = ['pull', 'push'];

function base64url(bytes: Buffer | string): string {
  return Buffer.from(bytes).toString('base64url');
}

/** `type:name:action,action`; the name may hold no colon, but split from both ends to be safe. */
function parseScope(scope: string): TokenAccess | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) {
    return undefined;
  }
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(',').filter(a => a !== ''),
  };
}

/**
 * `'anonymous'` without an Authorization header, `'authenticated'` (with the user name, the token's
 * `sub` as Docker Hub sets it) for a user's right Basic credentials, and `'rejected'` for anything
 * else: a wrong password, an unknown user, another scheme.
 */
function authenticate(header: string | undefined, users: RegistryUser[]): { client: TokenRequest['client']; subject: string } {
  if (header === undefined) {
    return { client: 'anonymous', subject: '' };
  }
  const match = /^Basic\s+(\S+)$/i.exec(header);
  const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return colon >= 0 && users.some(u => u.username === username && u.password === password)
    ? { client: 'authenticated', subject: username }
    : { client: 'rejected', subject: '' };
}

/**
 * Grants the requested repository actions: an authenticated user gets pull and push anywhere; an
 * anonymous client only pull under `anonymousPullPrefixes`. A scope it may not have is left out,
 * not refused: the registry then answers 401 `insufficient_scope`, as Docker Hub does.
 */
function grant(requested: TokenAccess[], client: 'anonymous' | 'authenticated', anonymousPullPrefixes: string[]): TokenAccess[] {
  const granted: TokenAccess[] = [];
  for (const access of requested) {
    if (access.type !== 'repository') {
      continue;
    }
    const allowed = client === 'authenticated'
      ? USER_ACTIONS
      : anonymousPullPrefixes.some(prefix => access.name.startsWith(prefix)) ? ['pull'] : [];
    const actions = access.actions.filter(a => allowed.includes(a));
    if (actions.length > 0) {
      granted.push({ type: access.type, name: access.name, actions });
    }
  }
  return granted;
}

/**
 * A JWT as distribution 2.8's verifier reads it (registry/auth/token/token.go): the signing
 * certificate in `x5c` (standard base64 DER), verified against `rootcertbundle`; ES256 with the
 * signature as r||s (JWS), not DER; `aud` a single string, as 2.8's ClaimSet declares it.
 */
function signToken(key: KeyObject, certificate: X509Certificate, claims: object): string {
  const header = { typ: 'JWT', alg: 'ES256', x5c: [certificate.raw.toString('base64')] };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${base64url(signature)}`;
}

function reply(response: http.ServerResponse, status: number, body: object, headers: http.OutgoingHttpHeaders = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** What the child process answers on its IPC channel. */
type ChildMessage =
  | { readonly ready: { readonly port: number; readonly rootCertBundle: string } }
  | { readonly failed: string }
  | { readonly requestsId: number; readonly requests: TokenRequest[] };

/** What the parent sends to the child process. */
type ParentMessage =
  | { readonly start: TokenIssuerOptions; readonly dir: string }
  | { readonly requestsId: number };

/**
 * The token endpoint itself, in the child process: makes the signing key and certificate in `dir`,
 * listens on a free port of 127.0.0.1, and logs every request into `requests`.
 */
async function serve(options: TokenIssuerOptions, dir: string, requests: TokenRequest[]): Promise<{ port: number; rootCertBundle: string }> {
  const signing = makeSelfSignedCertificate(dir, 'token-signing', `${options.issuer} token signing`);
  const key = createPrivateKey(fs.readFileSync(signing.keyFile));
  const certificate = new X509Certificate(fs.readFileSync(signing.certFile));
  const expiresIn = options.expiresIn ?? 300;
  const anonymousPullPrefixes = options.anonymousPullPrefixes ?? [];

  const handle = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') {
      reply(response, 404, { details: `no such endpoint ${url.pathname}, expected /token` });
      return;
    }
    if (request.method !== 'GET') {
      reply(response, 405, { details: `method ${request.method} not allowed, expected GET` }, { Allow: 'GET' });
      return;
    }
    const service = url.searchParams.get('service') ?? undefined;
    const scopes = url.searchParams.getAll('scope');
    const { client, subject } = authenticate(request.headers.authorization, options.users);
    const log = (status: number, access: TokenAccess[] = []) => requests.push({ service, scopes, client, status, access });

    if (client === 'rejected') {
      log(401);
      reply(response, 401, { details: 'incorrect username or password' }, { 'WWW-Authenticate': `Basic realm="${options.issuer}"` });
      return;
    }
    // a client must echo the challenge's service; the registry would reject a token for another anyway
    if (service !== options.service) {
      log(400);
      reply(response, 400, { details: `service ${JSON.stringify(service ?? null)} is not ${JSON.stringify(options.service)}, the service of the challenge` });
      return;
    }
    const requested = scopes.flatMap(s => s.split(' ')).map(parseScope).filter((a): a is TokenAccess => a !== undefined);
    const access = grant(requested, client, anonymousPullPrefixes);
    const now = Math.floor(Date.now() / 1000);
    const token = signToken(key, certificate, {
      iss: options.issuer,
      sub: subject,
      aud: options.service,
      exp: now + expiresIn,
      nbf: now,
      iat: now,
      jti: randomBytes(16).toString('hex'),
      access,
    });
    log(200, access);
    reply(response, 200, { token, access_token: token, expires_in: expiresIn, issued_at: new Date(now * 1000).toISOString() });
  };

  const server = options.tls
    ? https.createServer({ cert: fs.readFileSync(options.tls.certFile), key: fs.readFileSync(options.tls.keyFile) }, handle)
    : http.createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { port: (server.address() as net.AddressInfo).port, rootCertBundle: signing.certFile };
}

/** The child process's side of the IPC channel. */
function runChild(): void {
  const requests: TokenRequest[] = [];
  const send = (message: ChildMessage) => process.send!(message);
  process.on('message', (message: ParentMessage) => {
    if ('start' in message) {
      serve(message.start, message.dir, requests).then(
        ready => send({ ready }),
        (e: Error) => {
          send({ failed: e.message });
          process.exit(1);
        });
    } else {
      send({ requestsId: message.requestsId, requests });
    }
  });
  // the parent is gone (even killed): nothing will stop this server any more
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module && process.send !== undefined) {
  runChild();
}

/**
 * Starts a token issuer on a free port of 127.0.0.1, in a child process: `GET /token?service=...&scope=repository:NAME:pull,push`
 * (`scope` may repeat, and hold several scopes separated by spaces), with optional Basic credentials.
 * Wrong credentials get 401; right ones, or none, get `{ token, access_token, expires_in, issued_at }`
 * with the access `grant` allows. Its signing key and certificate are made with openssl in a new
 * temporary directory.
 */
export async function startTokenIssuer(options: TokenIssuerOptions): Promise<RunningTokenIssuer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-pr-token-'));
  // the child runs this TypeScript file as it is, as the tests do
  const child = fork(__filename, [], {
    execArgv: ['-r', require.resolve('ts-node/register/transpile-only')],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const releaseChild = killOnExit(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const cleanUp = async () => {
    await stopChild(child);
    releaseChild();
    fs.rmSync(dir, { recursive: true, force: true });
  };

  let ready: { port: number; rootCertBundle: string };
  try {
    ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the token issuer did not start within 15 s')), 15_000);
      child.once('error', reject);
      child.once('exit', code => reject(new Error(`the token issuer exited (${code ?? 'signal'}) before it was ready: ${stderr}`)));
      child.on('message', (message: ChildMessage) => {
        if ('ready' in message) {
          clearTimeout(timer);
          resolve(message.ready);
        } else if ('failed' in message) {
          clearTimeout(timer);
          reject(new Error(`the token issuer could not start: ${message.failed}`));
        }
      });
      child.send({ start: options, dir } satisfies ParentMessage);
    });
  } catch (e) {
    await cleanUp();
    throw e;
  }

  // the channel is ordered: the answer to a `requestsId` comes after every request logged before it
  let requestsId = 0;
  const requests = () => new Promise<TokenRequest[]>((resolve, reject) => {
    if (!child.connected) {
      reject(new Error(`the token issuer (pid ${child.pid}) is no longer running: ${stderr}`));
      return;
    }
    const id = ++requestsId;
    const listener = (message: ChildMessage) => {
      if ('requestsId' in message && message.requestsId === id) {
        child.removeListener('message', listener);
        resolve(message.requests);
      }
    };
    child.on('message', listener);
    child.send({ requestsId: id } satisfies ParentMessage);
  });

  return {
    realm: `${options.tls ? 'https' : 'http'}://127.0.0.1:${ready.port}/token`,
    service: options.service,
    issuer: options.issuer,
    rootCertBundle: ready.rootCertBundle,
    pid: child.pid!,
    requests,
    stop: cleanUp,
  };
}
