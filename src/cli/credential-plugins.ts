// `check --pull` runs the kubelet's credential provider plugins as the kubelet runs them
// (kubernetes pkg/credentialprovider/plugin/plugin.go, @01302639): a CredentialProviderRequest of
// the configured apiVersion on stdin, the configured args and env over the process's own, a
// timeout, the response's apiVersion, kind and cacheKeyType checked, and its credentials cached
// by image, registry or globally for cacheDuration (or the provider's defaultCacheDuration).
// Unlike the kubelet, a failure is reported as the image's error, in one line that never holds
// the plugin's output, which may hold a token.
import { spawn } from 'child_process';
import { accessSync, constants, statSync } from 'fs';
import { join } from 'path';
import { RegistryCredential } from './registry-client';
import { CredentialProviderSpec, parseGoDuration, providerMatches } from '../rules/credential-provider-config';
import { kubeletLookup } from '../rules/kubelet-keyring';

/** the kubelet's catch-all timeout for one plugin run */
export const PLUGIN_TIMEOUT_MS = 60_000;
/** the most a plugin may write on stdout; real responses are a few KiB */
export const MAX_PLUGIN_OUTPUT_BYTES = 1024 * 1024;

const CACHE_KEY_TYPES = ['Image', 'Registry', 'Global'];
const RESPONSE_FIELDS = ['kind', 'apiVersion', 'cacheKeyType', 'cacheDuration', 'auth'];

/** What the node's providers give for one image. @internal */
export interface NodeCredentials {
  /** the credentials, in the kubelet's lookup order */
  readonly credentials: RegistryCredential[];
  /** why a provider that matches the image gave nothing: one line per provider, naming it */
  readonly errors: string[];
}

/** A cached response. */
interface CacheEntry {
  readonly entries: RegistryCredential[];
  readonly expires: number;
}

/** One provider of the config, with its cache and its queue. */
class Provider {
  private readonly cache = new Map<string, CacheEntry>();
  /** runs are one at a time, so that one response cached by registry serves the next images */
  private queue: Promise<unknown> = Promise.resolve();
  /** how many times the plugin ran */
  public runs = 0;

  constructor(public readonly spec: CredentialProviderSpec, private readonly binDir: string, private readonly options: PluginOptions) {}

  public provide(image: string): Promise<RegistryCredential[]> {
    const next = this.queue.then(() => this.provideNow(image));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async provideNow(image: string): Promise<RegistryCredential[]> {
    const now = Date.now();
    // plugin.go getCachedCredentials: by image, then registry, then globally
    for (const key of [`i:${image}`, `r:${registryOf(image)}`, 'g:']) {
      const cached = this.cache.get(key);
      if (cached && cached.expires >= now) {
        return cached.entries;
      }
    }
    if (this.spec.serviceAccountTokenAudience !== undefined) {
      throw new PluginError(`it asks for a ServiceAccount token (tokenAttributes, audience "${this.spec.serviceAccountTokenAudience}"), `
        + 'which the kubelet requests from the API server for each pod and check --pull cannot serve offline');
    }
    this.runs++;
    const stdout = await this.run(image);
    const response = this.readResponse(stdout);
    const entries = Object.entries(response.auth).map(([server, auth]) =>
      new RegistryCredential(this.spec.name, server, auth.username, auth.password, this.spec.name));
    const duration = response.cacheDuration ?? this.spec.defaultCacheDuration;
    if (duration > 0) {
      const key = response.cacheKeyType === 'Image' ? `i:${image}` : response.cacheKeyType === 'Registry' ? `r:${registryOf(image)}` : 'g:';
      this.cache.set(key, { entries, expires: Date.now() + duration });
    }
    return entries;
  }

  private run(image: string): Promise<Buffer> {
    const request = JSON.stringify({ kind: 'CredentialProviderRequest', apiVersion: this.spec.apiVersion, image });
    const env = { ...process.env };
    for (const { name, value } of this.spec.env) {
      env[name] = value;
    }
    return new Promise((resolve, reject) => {
      const child = spawn(join(this.binDir, this.spec.name), [...this.spec.args], { env, stdio: ['pipe', 'pipe', 'ignore'] });
      const chunks: Buffer[] = [];
      let size = 0;
      let failure: string | undefined;
      const stop = (why: string) => {
        failure ??= why;
        child.kill('SIGKILL');
        // a process the plugin started may hold its stdout open: 'close' must not wait for it
        child.stdout.destroy();
      };
      const timer = setTimeout(() => stop(`it did not answer within ${this.options.timeoutMs / 1000} s`), this.options.timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.options.maxOutputBytes) {
          stop(`it wrote more than ${this.options.maxOutputBytes} bytes on stdout`);
        } else {
          chunks.push(chunk);
        }
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(request);
      child.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new PluginError(`it could not be started (${e.code ?? 'error'})`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (failure !== undefined) {
          reject(new PluginError(failure));
        } else if (code !== 0) {
          reject(new PluginError(code === null ? `it was ended by ${signal}` : `it exited with status ${code}`));
        } else {
          resolve(Buffer.concat(chunks));
        }
      });
    });
  }

  /** plugin.go ExecPlugin and decodeResponse, with the error texts that never quote the response */
  private readResponse(stdout: Buffer): PluginResponse {
    let value: any;
    try {
      value = JSON.parse(stdout.toString('utf8'));
    } catch {
      throw new PluginError('its response on stdout is not JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new PluginError('its response on stdout is not a JSON object');
    }
    if (value.apiVersion !== this.spec.apiVersion) {
      throw new PluginError(`its response's apiVersion ${JSON.stringify(String(value.apiVersion ?? ''))} is not the configured `
        + `${JSON.stringify(this.spec.apiVersion)}`);
    }
    if (value.kind !== 'CredentialProviderResponse') {
      throw new PluginError(`its response's kind ${JSON.stringify(String(value.kind ?? ''))} is not "CredentialProviderResponse"`);
    }
    const unknown = Object.keys(value).filter(k => !RESPONSE_FIELDS.includes(k));
    if (unknown.length > 0) {
      throw new PluginError(`its response has unknown fields (${unknown.map(k => JSON.stringify(k)).join(', ')}), which the kubelet's strict decoder refuses`);
    }
    if (!CACHE_KEY_TYPES.includes(value.cacheKeyType)) {
      throw new PluginError('its response has no valid cacheKeyType (Image, Registry or Global)');
    }
    let cacheDuration: number | undefined;
    if (value.cacheDuration !== undefined && value.cacheDuration !== null) {
      cacheDuration = typeof value.cacheDuration === 'string' ? parseGoDuration(value.cacheDuration) : undefined;
      if (cacheDuration === undefined) {
        throw new PluginError('its response\'s cacheDuration is not a duration such as "5m"');
      }
    }
    const auth = value.auth ?? {};
    if (typeof auth !== 'object' || Array.isArray(auth)) {
      throw new PluginError('its response\'s auth is not a mapping of registries to {username, password}');
    }
    for (const entry of Object.values<any>(auth)) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)
        || !['undefined', 'string'].includes(typeof entry.username) || !['undefined', 'string'].includes(typeof entry.password)
        || Object.keys(entry).some(k => k !== 'username' && k !== 'password')) {
        throw new PluginError('its response\'s auth has an entry that is not {username, password}');
      }
    }
    const normalized: { [server: string]: { username: string; password: string } } = {};
    for (const [server, entry] of Object.entries<any>(auth)) {
      normalized[server] = { username: entry.username ?? '', password: entry.password ?? '' };
    }
    return { cacheKeyType: value.cacheKeyType, cacheDuration, auth: normalized };
  }
}

/** a response as checked */
interface PluginResponse {
  readonly cacheKeyType: string;
  readonly cacheDuration?: number;
  readonly auth: { readonly [server: string]: { readonly username: string; readonly password: string } };
}

/** a plugin failure, in words that hold nothing the plugin wrote */
class PluginError extends Error {}

/** plugin.go parseRegistry */
function registryOf(image: string): string {
  return image.split('/')[0];
}

/** @internal */
export interface PluginOptions {
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
}

/**
 * The node's credential providers for one `check --pull` run.
 * @internal
 */
export class CredentialPlugins {
  /**
   * The providers of a config, checked as the kubelet checks them at start: the directory and
   * each provider's executable exist.
   * @throws Error naming the directory or the executable
   */
  public static open(specs: readonly CredentialProviderSpec[], binDir: string, options: Partial<PluginOptions> = {}): CredentialPlugins {
    let isDir = false;
    try {
      isDir = statSync(binDir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) {
      throw new Error(`--image-credential-provider-bin-dir ${JSON.stringify(binDir)} is not a directory; give the directory of the provider executables`);
    }
    for (const spec of specs) {
      try {
        accessSync(join(binDir, spec.name), constants.X_OK);
      } catch {
        throw new Error(`provider "${spec.name}" has no executable ${JSON.stringify(join(binDir, spec.name))}; `
          + 'the kubelet runs the executable named as the provider in --image-credential-provider-bin-dir');
      }
    }
    const full = { timeoutMs: options.timeoutMs ?? PLUGIN_TIMEOUT_MS, maxOutputBytes: options.maxOutputBytes ?? MAX_PLUGIN_OUTPUT_BYTES };
    return new CredentialPlugins(specs.map(s => new Provider(s, binDir, full)));
  }

  private constructor(private readonly providers: Provider[]) {}

  /** whether the provider of this name can be run */
  public has(name: string): boolean {
    return this.providers.some(p => p.spec.name === name);
  }

  /** how many times each provider ran, by name */
  public runs(): { [name: string]: number } {
    return Object.fromEntries(this.providers.map(p => [p.spec.name, p.runs]));
  }

  /**
   * The credentials the node's providers give for the image name, in the kubelet's order: every
   * matching provider's response in one keyring, looked up as a keyring is (providersDockerKeyring).
   */
  public async credentialsFor(imageName: string): Promise<NodeCredentials> {
    const errors: string[] = [];
    const entries: RegistryCredential[] = [];
    for (const provider of this.providers) {
      if (!providerMatches(provider.spec, imageName)) {
        continue;
      }
      try {
        entries.push(...await provider.provide(imageName));
      } catch (e) {
        if (!(e instanceof PluginError)) {
          throw e;
        }
        errors.push(`node provider "${provider.spec.name}" gave no credentials: ${e.message}`);
      }
    }
    return { credentials: kubeletLookup(entries, imageName), errors };
  }
}
