// Asks a registry whether it would serve an image's manifest to a pull secret's credentials, as a
// container runtime asks before it pulls: `HEAD /v2/<name>/manifests/<reference>`, after the
// registry's `WWW-Authenticate` challenge (Basic, or a Bearer token from its realm). Node's http
// and https only. No credential reaches a message, a log or a printout of any object here.
import { createHash, createHmac, randomBytes } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import { rootCertificates } from 'tls';
import { inspect } from 'util';
import { configPlatform, CONTAINERD_ACCEPT, ManifestReading, MEDIA_TYPES, readManifest } from '../rules/manifest-format';
import { Platform } from '../rules/platforms';
import { redactUserinfo } from '../rules/server-key';

/** what containerd asks for: Docker and OCI manifests and indexes, and anything else (schema 1) last */
const MANIFEST_ACCEPT = CONTAINERD_ACCEPT;

/** which failure a report gives when the credentials failed in different ways */
const FAILURE_ORDER = ['not-found', 'unauthorized', 'error', 'unreachable'] as const;

/** Docker Hub's images are named docker.io/..., and served from here */
const DOCKER_HUB = ['docker.io', 'index.docker.io'];
const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
const MAX_REDIRECTS = 5;
/**
 * the most of a body read: a token, a manifest or an image config; containerd's resolver takes a
 * manifest of at most `MaxManifestSize`, 4 * 1048 * 1048 bytes (core/remotes/docker/resolver.go)
 */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_RETRY_AFTER_MS = 10_000;

const COLON = Buffer.from(':');

/**
 * One `auths` entry of a pull secret, as the kubelet would use it. Its user name and password are
 * private fields: no printout, JSON or message shows them.
 * @internal
 */
export class RegistryCredential {
  readonly #username: Buffer;
  readonly #password: Buffer;

  /**
   * @param secret the pull secret, as `namespace/name` or `name`
   * @param server the `auths` key
   * @param username the user name: bytes as the kubelet has them (a decoded `auth` need not be
   * UTF-8), or text, sent as UTF-8
   * @param password the password, likewise
   * @param provider the node's credential provider that gave it, instead of a pull secret
   */
  constructor(public readonly secret: string, public readonly server: string, username: string | Uint8Array, password: string | Uint8Array,
    public readonly provider?: string) {
    this.#username = typeof username === 'string' ? Buffer.from(username, 'utf8') : Buffer.from(username);
    this.#password = typeof password === 'string' ? Buffer.from(password, 'utf8') : Buffer.from(password);
  }

  /** the value of a Basic `Authorization` header: base64 of the bytes `username:password`, as a runtime sends them */
  public basic(): string {
    return 'Basic ' + Buffer.concat([this.#username, COLON, this.#password]).toString('base64');
  }

  /** how messages name it: the secret and the server, never the credentials (nor any written into the server key) */
  public toString(): string {
    const source = this.provider === undefined ? `secret "${this.secret}"` : `node provider "${this.provider}"`;
    return `${source} (server "${redactUserinfo(this.server)}")`;
  }

  public toJSON(): { secret: string; server: string } | { provider: string; server: string } {
    const server = redactUserinfo(this.server);
    return this.provider === undefined ? { secret: this.secret, server } : { provider: this.provider, server };
  }

  public [inspect.custom](): string {
    return `RegistryCredential { ${this.toString()} }`;
  }
}

/**
 * The manifest to ask for.
 * @internal
 */
export interface ManifestTarget {
  /** the image's registry, `host[:port]` as in the reference, e.g. `registry.gitlab.com` or `docker.io` */
  readonly registry: string;
  /** the repository path, e.g. `team/app` or `library/nginx` */
  readonly repository: string;
  /** a tag, or a digest `sha256:...` */
  readonly reference: string;
}

/** Why a registry could not be asked, told apart as a runtime's error would be. @internal */
export type UnreachableCause = 'dns' | 'refused' | 'timeout' | 'tls' | 'connection';

/**
 * What an image holds, read from its manifest: its format, and the platforms it offers.
 * @internal
 */
export interface ImageContent {
  readonly manifest: ManifestReading;
  /** an index's entries, with a child's config read where the index names no platform; or a manifest's config */
  readonly offered: ReadonlyArray<{ readonly platform: Platform; readonly digest: string }>;
}

/**
 * What the registry answered.
 * @internal
 */
export type PullResult =
  /** it serves the manifest, with this digest, to this credential (none: anonymously), and what it holds when asked */
  | { readonly status: 'ok'; readonly digest: string; readonly credential?: RegistryCredential; readonly content?: ImageContent }
  /** it refused every credential tried (none: it refused an anonymous pull) */
  | { readonly status: 'unauthorized'; readonly tried: readonly RegistryCredential[]; readonly reason: string }
  /** it has no such tag, digest or repository */
  | { readonly status: 'not-found'; readonly credential?: RegistryCredential; readonly reason: string }
  | { readonly status: 'unreachable'; readonly cause: UnreachableCause; readonly reason: string }
  /** anything else a runtime would fail on, such as an unexpected status */
  | { readonly status: 'error'; readonly reason: string }
  /** not asked: the credentials are in an external store (an ESO ExternalSecret), which only the operator reads */
  | { readonly status: 'remote'; readonly reason: string }
  /** it serves the manifest, which the node's runtime would not pull: no manifest for its platform, schema 1, not an image */
  | { readonly status: 'unpullable'; readonly cause: UnpullableCause; readonly digest: string; readonly reason: string };

/** Why a manifest the registry serves would not be pulled. @internal */
export type UnpullableCause = 'platform' | 'schema1' | 'artifact';

/** @internal */
export interface RegistryClientOptions {
  /** the most one request may take, in milliseconds; default 10,000 */
  readonly timeoutMs?: number;
  /** `host[:port]` of registries asked over plain HTTP, as a runtime's insecure registries */
  readonly insecureRegistries?: readonly string[];
  /** PEM certificates trusted besides Node's roots */
  readonly ca?: readonly string[];
  /** how often a 429 or 5xx answer is retried; default 3 */
  readonly retries?: number;
  /** the first retry's delay, doubled for each next one; default 500 ms */
  readonly backoffMs?: number;
  /** connections per registry; default 8 */
  readonly maxSockets?: number;
  readonly userAgent?: string;
  /** the clock tokens expire by, in milliseconds; for tests */
  readonly now?: () => number;
  /**
   * read what each image holds: `GET` the manifest (its body is needed), and an image config
   * where no index names the platform; otherwise only `HEAD`, as a runtime resolves a tag
   */
  readonly content?: boolean;
}

/** the scheme a registry answered `GET /v2/` with */
type Challenge = { readonly scheme: 'none' } | { readonly scheme: 'basic' } | { readonly scheme: 'bearer'; readonly realm: string; readonly service?: string };

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body?: Buffer;
  /** the URL that answered, after any redirects: whose challenge a 401 is */
  readonly url: URL;
}

/** a request that failed before the registry answered: unreachable, or a result of its own */
class Failure extends Error {
  /**
   * @param plainHttp the server answered TLS with plain HTTP
   */
  constructor(public readonly result: Exclude<PullResult, { status: 'ok' }>, public readonly plainHttp = false) {
    super(result.reason);
  }
}

/**
 * A client for the manifest endpoint of OCI distribution registries.
 * @internal
 */
export class RegistryClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly insecure: ReadonlySet<string>;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly userAgent: string;
  private readonly now: () => number;
  private readonly endpoints = new Map<string, Promise<{ base: string; challenge: Challenge }>>();
  private readonly tokens = new Map<string, Promise<{ token: string; expires: number } | PullResult>>();
  /** the platform of each child manifest or config read, by registry, repository and digest: content never changes */
  private readonly platforms = new Map<string, Promise<Platform | undefined>>();
  private readonly content: boolean;
  /** tells credentials apart by content for the token cache, under a key no one sees */
  private readonly idKey = randomBytes(32);
  /** how many HTTP requests were sent, redirects and retries included */
  public requests = 0;

  constructor(options: RegistryClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 500;
    this.insecure = new Set(options.insecureRegistries ?? []);
    this.userAgent = options.userAgent ?? 'cdk8s-private-registry';
    this.now = options.now ?? Date.now;
    this.content = options.content ?? false;
    const maxSockets = options.maxSockets ?? 8;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets,
      // `ca` replaces Node's roots: keep them, and add the given ones
      ca: options.ca && options.ca.length > 0 ? [...rootCertificates, ...options.ca] : undefined,
    });
  }

  /**
   * Asks for the manifest as the kubelet pulls: with each credential in turn until one is let in
   * (the kubelet tries every one, whatever the error), or anonymously when there is none.
   */
  public async resolve(target: ManifestTarget, credentials: readonly RegistryCredential[]): Promise<PullResult> {
    const failures: Array<Exclude<PullResult, { status: 'ok' }>> = [];
    const refused: RegistryCredential[] = [];
    for (const credential of credentials.length > 0 ? credentials : [undefined]) {
      let result: PullResult;
      try {
        result = await this.attempt(target, credential);
      } catch (e) {
        if (!(e instanceof Failure)) {
          throw e;
        }
        result = e.result;
      }
      if (result.status === 'ok') {
        return result;
      }
      if (result.status === 'unauthorized' && credential) {
        refused.push(credential);
      }
      failures.push(result);
    }
    // what tells the user most: a credential let in to find nothing, then a refusal, then the rest
    const worst = FAILURE_ORDER.map(status => failures.find(f => f.status === status)).find(f => f !== undefined)!;
    return worst.status === 'unauthorized' ? { ...worst, tried: refused } : worst;
  }

  /** its tokens are credentials: a printout shows only how much it asked */
  public [inspect.custom](): string {
    return `RegistryClient { requests: ${this.requests} }`;
  }

  public toJSON(): { requests: number } {
    return { requests: this.requests };
  }

  /** closes the idle connections */
  public close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async attempt(target: ManifestTarget, credential: RegistryCredential | undefined): Promise<PullResult> {
    const { base, challenge } = await this.endpoint(target.registry);
    const url = new URL(`${base}/v2/${target.repository}/manifests/${target.reference}`);
    let authorization = await this.authorization(challenge, target, credential);
    if (typeof authorization === 'object') {
      return authorization;
    }
    let answer = await this.manifest(url, authorization);
    if (answer.status === 401 && answer.url.origin !== url.origin) {
      return foreignChallenge(answer, url, 'the manifest request');
    }
    const asked = parseChallenge(answer.headers['www-authenticate']);
    if (answer.status === 401 && asked && !sameChallenge(asked, challenge)) {
      // a registry open at /v2/ may still challenge for the repository: answer that challenge, as containerd does
      authorization = await this.authorization(asked, target, credential);
      if (typeof authorization === 'object') {
        return authorization;
      }
      answer = await this.manifest(url, authorization);
      if (answer.status === 401 && answer.url.origin !== url.origin) {
        return foreignChallenge(answer, url, 'the manifest request');
      }
    }
    switch (answer.status) {
      case 200: {
        const digest = await this.digestOf(answer, url, authorization, target.reference);
        if (!this.content) {
          return { status: 'ok', digest, credential };
        }
        const body = answer.body ?? Buffer.alloc(0);
        const manifest = readManifest(answer.headers['content-type'], body);
        const schema1 = manifest.format === 'docker-schema1' || manifest.format === 'docker-schema1-signed';
        const [algorithm, hex] = target.reference.split(':');
        // containerd checks what it fetched by a digest (a signed schema 1 is digested without its signatures)
        if (algorithm === 'sha256' && !schema1 && createHash('sha256').update(body).digest('hex') !== hex) {
          return { status: 'error', reason: `the registry served manifest ${target.reference} with other content than its digest` };
        }
        const offered = await this.offered(base, target, manifest, authorization);
        return { status: 'ok', digest, credential, content: { manifest, offered } };
      }
      case 401:
      case 403:
        return {
          status: 'unauthorized',
          tried: [],
          reason: `the registry answered ${answer.status} to ${credential ? 'these credentials' : 'an anonymous pull'}`
            + ' (registries also answer so for a repository that does not exist)',
        };
      case 404:
        return { status: 'not-found', credential, reason: `the registry has no manifest "${target.reference}" in repository "${target.repository}"` };
      default:
        return { status: 'error', reason: unexpected(answer.status, 'the manifest request') };
    }
  }

  /**
   * The platforms a manifest offers: an index's entries, with each child's config read where the
   * index names no platform (containerd's `images.Manifest`), or a manifest's config.
   */
  private async offered(base: string, target: ManifestTarget, manifest: ManifestReading, authorization: string | undefined)
    : Promise<ImageContent['offered']> {
    if (manifest.invalid || manifest.artifact) {
      return [];
    }
    if (manifest.manifests) {
      const entries = await Promise.all(manifest.manifests.map(async entry => {
        const isManifest = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerSchema2, ''].includes(entry.mediaType as any);
        const platform = entry.platform ?? (isManifest ? await this.childPlatform(base, target, entry.digest, authorization) : undefined);
        return platform ? [{ platform, digest: entry.digest }] : [];
      }));
      return entries.flat();
    }
    if (manifest.config) {
      const digest = manifest.config.digest;
      const platform = await this.cached(target, digest, () => this.configPlatform(base, target, digest, authorization));
      return platform ? [{ platform, digest: manifest.config.digest }] : [];
    }
    return [];
  }

  private cached(target: ManifestTarget, digest: string, read: () => Promise<Platform | undefined>): Promise<Platform | undefined> {
    const key = JSON.stringify([target.registry, target.repository, digest]);
    let found = this.platforms.get(key);
    if (!found) {
      found = read();
      this.platforms.set(key, found);
    }
    return found;
  }

  /** a child manifest's platform, from its config: read only when the index does not say it */
  private childPlatform(base: string, target: ManifestTarget, digest: string, authorization: string | undefined): Promise<Platform | undefined> {
    return this.cached(target, digest, async () => {
      const body = await this.read(new URL(`${base}/v2/${target.repository}/manifests/${digest}`), authorization, digest, 'a child manifest');
      const child = readManifest(undefined, body);
      const config = child.config && !child.artifact ? child.config.digest : undefined;
      return config ? this.cached(target, config, () => this.configPlatform(base, target, config, authorization)) : undefined;
    });
  }

  private async configPlatform(base: string, target: ManifestTarget, digest: string, authorization: string | undefined)
    : Promise<Platform | undefined> {
    return configPlatform(await this.read(new URL(`${base}/v2/${target.repository}/blobs/${digest}`), authorization, digest, 'an image config'));
  }

  /** a body by its digest, checked against it */
  private async read(url: URL, authorization: string | undefined, digest: string, what: string): Promise<Buffer> {
    const answer = await this.send('GET', url, { accept: MANIFEST_ACCEPT, authorization }, true);
    if (answer.status !== 200) {
      throw new Failure({ status: 'error', reason: unexpected(answer.status, `the request for ${what} ${digest}`) });
    }
    const [algorithm, hex] = digest.split(':');
    if (algorithm === 'sha256' && createHash('sha256').update(answer.body!).digest('hex') !== hex) {
      throw new Failure({ status: 'error', reason: `the registry served ${what} ${digest} with other content than its digest` });
    }
    return answer.body!;
  }

  /**
   * `HEAD` the manifest; `GET` it from a registry without HEAD on manifests, as containerd then
   * does, or when its content is read
   */
  private async manifest(url: URL, authorization: string | undefined): Promise<Answer> {
    if (this.content) {
      return this.send('GET', url, { accept: MANIFEST_ACCEPT, authorization }, true);
    }
    const answer = await this.send('HEAD', url, { accept: MANIFEST_ACCEPT, authorization });
    return answer.status === 405 || answer.status === 501 ? this.send('GET', url, { accept: MANIFEST_ACCEPT, authorization }, true) : answer;
  }

  /** the Authorization header that answers `challenge`, or why there is none */
  private async authorization(challenge: Challenge, target: ManifestTarget, credential: RegistryCredential | undefined)
    : Promise<string | undefined | PullResult> {
    if (challenge.scheme === 'basic') {
      return credential ? credential.basic()
        : { status: 'unauthorized', tried: [], reason: 'the registry asks for credentials (Basic) and no pull secret of the pod covers it' };
    }
    if (challenge.scheme === 'bearer') {
      const token = await this.token(challenge, target.repository, credential);
      return typeof token === 'string' ? `Bearer ${token}` : token;
    }
    return undefined;
  }

  /**
   * Where the registry answers and its challenge to `GET /v2/`, asked once. A loopback registry
   * not listed as insecure is asked over HTTPS, then over plain HTTP if it does not speak TLS, as
   * Docker treats localhost (containerd goes further and skips TLS verification there; here a
   * certificate is always verified).
   */
  private endpoint(registry: string): Promise<{ base: string; challenge: Challenge }> {
    let found = this.endpoints.get(registry);
    if (!found) {
      const base = endpointOf(registry, this.insecure);
      found = this.challenge(base).then(challenge => ({ base, challenge }), (e) => {
        if (base.startsWith('https:') && isLoopback(registry) && e instanceof Failure && e.plainHttp) {
          const plain = endpointOf(registry, new Set([registry]));
          return this.challenge(plain).then(challenge => ({ base: plain, challenge }));
        }
        throw e;
      });
      this.endpoints.set(registry, found);
    }
    return found;
  }

  /** the registry's answer to `GET /v2/` */
  private async challenge(base: string): Promise<Challenge> {
    const ping = new URL(`${base}/v2/`);
    const answer = await this.send('GET', ping, {});
    if (answer.status === 200) {
      return { scheme: 'none' };
    }
    if (answer.status !== 401) {
      throw new Failure({ status: 'error', reason: unexpected(answer.status, 'GET /v2/') });
    }
    if (answer.url.origin !== ping.origin) {
      throw new Failure(foreignChallenge(answer, ping, 'GET /v2/'));
    }
    const parsed = parseChallenge(answer.headers['www-authenticate']);
    if (!parsed) {
      throw new Failure({ status: 'error', reason: 'the registry answered 401 to GET /v2/ without a Basic or Bearer challenge' });
    }
    return parsed;
  }

  /** a token for pulling `repository`, from the realm, asked once per credential until it expires */
  private async token(challenge: Challenge & { scheme: 'bearer' }, repository: string, credential: RegistryCredential | undefined)
    : Promise<string | PullResult> {
    // secrets with the same credentials (a copy per namespace) share their tokens
    const id = credential ? createHmac('sha256', this.idKey).update(credential.basic()).digest('hex') : '';
    const key = JSON.stringify([challenge.realm, challenge.service, repository, id]);
    let pending = this.tokens.get(key);
    if (!pending) {
      pending = this.fetchToken(challenge, repository, credential);
      this.tokens.set(key, pending);
    }
    const answer = await pending;
    if ('token' in answer && answer.expires <= this.now()) {
      // only the first caller to see it expired drops it; the others then share its new request
      if (this.tokens.get(key) === pending) {
        this.tokens.delete(key);
      }
      return this.token(challenge, repository, credential);
    }
    return 'token' in answer ? answer.token : answer;
  }

  private async fetchToken(challenge: Challenge & { scheme: 'bearer' }, repository: string, credential: RegistryCredential | undefined)
    : Promise<{ token: string; expires: number } | PullResult> {
    let url: URL;
    try {
      url = new URL(challenge.realm);
    } catch {
      return { status: 'error', reason: `the registry's token realm ${JSON.stringify(challenge.realm)} is not an absolute URL` };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return { status: 'error', reason: `the registry's token realm ${JSON.stringify(url.origin)} is not an http(s) URL` };
    }
    if (credential && url.protocol === 'http:' && !this.insecure.has(url.host) && !isLoopback(url.host)) {
      // Basic credentials would cross the network in clear text
      return {
        status: 'error',
        reason: `the registry's token realm ${url.origin} is plain HTTP, where credentials are not sent; `
          + `if that is intended, list it with --insecure-registry ${url.host}`,
      };
    }
    if (challenge.service !== undefined) {
      url.searchParams.set('service', challenge.service);
    }
    url.searchParams.set('scope', `repository:${repository}:pull`);
    const answer = await this.send('GET', url, { authorization: credential?.basic() }, true);
    if (answer.status === 401 || answer.status === 403) {
      return { status: 'unauthorized', tried: [], reason: `the token service at ${url.origin} answered ${answer.status} to ${credential ? 'these credentials' : 'an anonymous request'}` };
    }
    if (answer.status !== 200) {
      return { status: 'error', reason: unexpected(answer.status, `the token request to ${url.origin}`) };
    }
    let body: any;
    try {
      body = JSON.parse(answer.body!.toString('utf8'));
    } catch {
      body = undefined;
    }
    const token = typeof body?.token === 'string' && body.token !== '' ? body.token : body?.access_token;
    if (typeof token !== 'string' || token === '') {
      return { status: 'error', reason: `the token service at ${url.origin} answered without a token` };
    }
    // the spec's default lifetime is 60 s; ask again a little before it ends
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    return { token, expires: this.now() + Math.max(seconds - 10, 1) * 1000 };
  }

  /** the digest the registry sent, or that of the manifest's bytes when it sent none */
  private async digestOf(answer: Answer, url: URL, authorization: string | undefined, reference: string): Promise<string> {
    const sent = answer.headers['docker-content-digest'];
    if (typeof sent === 'string' && /^sha256:[0-9a-f]{64}$/.test(sent)) {
      return sent;
    }
    if (reference.startsWith('sha256:')) {
      return reference;
    }
    const full = answer.body ? answer : await this.send('GET', url, { accept: MANIFEST_ACCEPT, authorization }, true);
    if (full.status !== 200) {
      throw new Failure({ status: 'error', reason: unexpected(full.status, 'the manifest request') });
    }
    return 'sha256:' + createHash('sha256').update(full.body!).digest('hex');
  }

  /** one request, retried on 429 and 5xx and once on a reused connection the server had closed */
  private async send(method: 'GET' | 'HEAD', url: URL, headers: { [name: string]: string | undefined }, body = false): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      let answer: Answer;
      try {
        answer = await this.follow(method, url, headers, body);
      } catch (e: any) {
        if (e?.code === 'ECONNRESET' && e.reused && attempt === 0) {
          continue;
        }
        throw e instanceof Failure ? e : new Failure(unreachable(e, url, this.timeoutMs), isPlainHttpAnswer(e));
      }
      if ((answer.status === 429 || answer.status >= 500) && attempt < this.retries) {
        await sleep(retryDelay(answer.headers['retry-after'], this.backoffMs * 2 ** attempt, this.timeoutMs));
        continue;
      }
      return answer;
    }
  }

  /**
   * Follows redirects, never carrying the credentials to another origin (nor back from one) or
   * down to plain HTTP. The answer names the URL that gave it: a 401 from another origin is not
   * the registry's challenge.
   */
  private async follow(method: 'GET' | 'HEAD', url: URL, headers: { [name: string]: string | undefined }, body: boolean): Promise<Answer> {
    let current = url;
    let sent = headers;
    for (let hops = 0; ; hops++) {
      const answer = await this.request(method, current, sent, body);
      const location = answer.headers.location;
      if (![301, 302, 303, 307, 308].includes(answer.status) || typeof location !== 'string') {
        return { ...answer, url: current };
      }
      if (hops === MAX_REDIRECTS) {
        throw new Failure({ status: 'error', reason: `more than ${MAX_REDIRECTS} redirects from ${url.origin}` });
      }
      const next = new URL(location, current);
      if (next.protocol === 'http:' && current.protocol === 'https:' && !this.insecure.has(next.host)) {
        throw new Failure({ status: 'error', reason: `${current.origin} redirected to plain HTTP (${next.origin}), which is not followed` });
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new Failure({ status: 'error', reason: `${current.origin} redirected to a ${next.protocol} URL, which is not followed` });
      }
      if (next.origin !== current.origin) {
        sent = { ...sent, authorization: undefined };
      }
      current = next;
    }
  }

  private request(method: 'GET' | 'HEAD', url: URL, headers: { [name: string]: string | undefined }, body: boolean): Promise<Omit<Answer, 'url'>> {
    this.requests++;
    const secure = url.protocol === 'https:';
    const sent: http.OutgoingHttpHeaders = { 'user-agent': this.userAgent };
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) {
        sent[name] = value;
      }
    }
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(url, { method, headers: sent, agent: secure ? this.httpsAgent : this.httpAgent });
      const timer = setTimeout(() => request.destroy(Object.assign(new Error('timeout'), { code: 'CDK8S_PR_TIMEOUT' })), this.timeoutMs);
      const fail = (e: any) => {
        clearTimeout(timer);
        reject(Object.assign(e ?? new Error('request failed'), { reused: request.reusedSocket }));
      };
      request.once('error', fail);
      request.once('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (body && size > MAX_BODY_BYTES) {
            // no token or manifest is this large: stop reading at once
            clearTimeout(timer);
            response.destroy();
            reject(new Failure({ status: 'error', reason: `${url.origin} answered with more than ${MAX_BODY_BYTES} bytes` }));
          } else if (body) {
            chunks.push(chunk);
          }
        });
        response.once('error', fail);
        response.once('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: body ? Buffer.concat(chunks) : undefined });
        });
      });
      request.end();
    });
  }
}

/**
 * Where a registry is asked: `https://host[:port]`, or `http://` for an insecure one; Docker
 * Hub's images at its registry endpoint.
 * @internal
 */
export function endpointOf(registry: string, insecure: ReadonlySet<string>): string {
  const host = DOCKER_HUB.includes(registry) ? DOCKER_HUB_ENDPOINT : registry;
  return `${insecure.has(registry) ? 'http' : 'https'}://${host}`;
}

/**
 * The challenge of a `WWW-Authenticate` header (RFC 7235): Bearer with its realm and service,
 * preferred to Basic when both are offered; undefined for any other.
 * @internal
 */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  let basic = false;
  for (const value of values) {
    // scheme params, scheme params, ...: a scheme is a token followed by a space or the end
    const pattern = /([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s+|$)((?:[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^\s,]*)\s*,?\s*)*)/g;
    for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
      if (match[0] === '') {
        pattern.lastIndex++;
        continue;
      }
      const scheme = match[1].toLowerCase();
      if (scheme === 'basic') {
        basic = true;
      } else if (scheme === 'bearer') {
        const params = authParams(match[2]);
        if (params.realm) {
          return { scheme: 'bearer', realm: params.realm, service: params.service };
        }
      }
    }
  }
  return basic ? { scheme: 'basic' } : undefined;
}

function authParams(text: string): { [name: string]: string } {
  const params: { [name: string]: string } = {};
  const pattern = /([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    params[match[1].toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3];
  }
  return params;
}

/** what a runtime would report for a request that got no answer, from Node's error code */
function unreachable(e: any, url: URL, timeoutMs: number): Exclude<PullResult, { status: 'ok' }> {
  const code: string = typeof e?.code === 'string' ? e.code : '';
  const where = url.host;
  if (code.startsWith('ERR_INVALID_') || code === 'ERR_UNESCAPED_CHARACTERS') {
    // a token or a Location that cannot go in a request: the registry's answer is at fault, not the network
    return { status: 'error', reason: `${where} answered with a value that cannot be sent back in a request (${code})` };
  }
  if (code === 'CDK8S_PR_TIMEOUT' || code === 'ETIMEDOUT') {
    return { status: 'unreachable', cause: 'timeout', reason: `${where} did not answer within ${timeoutMs / 1000} s` };
  }
  if (['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA'].includes(code)) {
    return { status: 'unreachable', cause: 'dns', reason: `the host name "${url.hostname}" does not resolve (${code})` };
  }
  if (code === 'ECONNREFUSED') {
    return { status: 'unreachable', cause: 'refused', reason: `${where} refused the connection: nothing listens there` };
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /CERT|SELF_SIGNED|UNABLE_TO/.test(code)) {
    const plain = isPlainHttpAnswer(e);
    return {
      status: 'unreachable',
      cause: 'tls',
      reason: plain
        ? `${where} does not answer TLS; if it serves plain HTTP, allow that with --insecure-registry ${where}`
        : `TLS with ${where} failed (${code}); if its certificate is signed by your own CA, give it with --ca-file`,
    };
  }
  return { status: 'unreachable', cause: 'connection', reason: `the connection to ${where} failed (${code || 'no error code'})` };
}

/** whether a TLS handshake failed because the server answered in plain HTTP */
function isPlainHttpAnswer(e: any): boolean {
  return /wrong version number|packet length too long|WRONG_VERSION_NUMBER|http request/i.test(`${e?.code} ${e?.message}`);
}

/**
 * A 401 that came from another origin than the one asked, after a redirect: its challenge is not
 * the registry's, and is not answered. A registry's credentials go to its own origin and to the
 * token realm its own challenge names, as Docker's distribution client (challenges kept by the
 * URL that answered) and containerd (an authorizer per host, and the CRI's credentials only for
 * the image's host) send them; nowhere else.
 */
function foreignChallenge(answer: Answer, asked: URL, what: string): Exclude<PullResult, { status: 'ok' }> {
  return {
    status: 'unauthorized',
    tried: [],
    reason: `${asked.origin} redirected ${what} to ${answer.url.origin}, which answered 401; `
      + 'a challenge from another origin is not answered, as no credential goes anywhere but its registry',
  };
}

function sameChallenge(a: Challenge, b: Challenge): boolean {
  return a.scheme === b.scheme && (a.scheme !== 'bearer' || (b.scheme === 'bearer' && a.realm === b.realm && a.service === b.service));
}

/**
 * Whether a registry is on this host: `localhost`, 127.0.0.0/8 or `[::1]`, with any port
 * (containerd's `docker.IsLocalhost`).
 * @internal
 */
export function isLoopback(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.split(':')[0];
  return host === 'localhost' || host === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(host);
}

function unexpected(status: number, what: string): string {
  const hint = status === 400 ? '; if the registry serves HTTPS, do not list it with --insecure-registry' : '';
  return `the registry answered ${what} with HTTP ${status}${hint}`;
}

/**
 * `Retry-After` in seconds, else the backoff; never longer than one request may take.
 * @internal
 */
export function retryDelay(retryAfter: string | undefined, backoff: number, timeoutMs: number): number {
  const seconds = Number(retryAfter);
  const wait = retryAfter !== undefined && retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : backoff;
  return Math.min(wait, MAX_RETRY_AFTER_MS, timeoutMs);
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
