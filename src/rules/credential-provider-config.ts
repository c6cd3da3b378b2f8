/*
 * The kubelet's CredentialProviderConfig (`--image-credential-provider-config`), read and refused as
 * the kubelet reads and refuses it. Re-derived from kubernetes pkg/credentialprovider/plugin
 * (config.go `decode`, `validateCredentialProviderConfig`; plugin.go `isImageAllowed`, `apiVersions`;
 * kubernetes/kubernetes@03db2278 and @01302639, v1.34 and later) and the config types of
 * pkg/kubelet/apis/config/{v1,v1beta1,v1alpha1} (CredentialProvider, ExecEnvVar,
 * ServiceAccountTokenAttributes, which only v1 has).
 */
import { readdirSync, statSync } from 'fs';
import { join } from 'path';
import { readRegularFile } from './bounded-read';
import { JsonSyntaxError, lineAndColumn, parseGoJson } from './go-decoding';
import { parsesSchemeless, urlsMatchStr } from './kubelet-keyring';

/** The config file's group; its versions are those the kubelet registers. */
const CONFIG_GROUP = 'kubelet.config.k8s.io';
const CONFIG_VERSIONS = ['v1', 'v1beta1', 'v1alpha1'];

/**
 * The exec plugin API versions the kubelet can speak (plugin.go `apiVersions`), sorted as its
 * "supported values" message lists them.
 * @internal
 */
export const PROVIDER_API_VERSIONS: readonly string[] = [
  'credentialprovider.kubelet.k8s.io/v1',
  'credentialprovider.kubelet.k8s.io/v1alpha1',
  'credentialprovider.kubelet.k8s.io/v1beta1',
];

/** the most a config file may hold; the kubelet has no limit, real files are a few hundred bytes */
export const MAX_PROVIDER_CONFIG_BYTES = 1024 * 1024;

/**
 * One provider of a CredentialProviderConfig, as the kubelet keeps it.
 * @internal
 */
export interface CredentialProviderSpec {
  /** the plugin's executable name in `--image-credential-provider-bin-dir` */
  readonly name: string;
  readonly matchImages: readonly string[];
  /** milliseconds */
  readonly defaultCacheDuration: number;
  readonly apiVersion: string;
  readonly args: readonly string[];
  readonly env: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** the audience of the ServiceAccount token the kubelet hands the plugin (tokenAttributes, 1.33+) */
  readonly serviceAccountTokenAudience?: string;
}

/**
 * A CredentialProviderConfig the kubelet refuses; each reason is one line, in the kubelet's words
 * where it has them. Never quotes more of the file than a field's value.
 * @internal
 */
export class CredentialProviderConfigError extends Error {
  constructor(public readonly source: string, public readonly reasons: readonly string[]) {
    super(`${source}: the kubelet refuses this CredentialProviderConfig: ${reasons.join('; ')}`);
    this.name = 'CredentialProviderConfigError';
  }
}

const PROVIDER_FIELDS: { [version: string]: readonly string[] } = {
  v1: ['name', 'matchImages', 'defaultCacheDuration', 'apiVersion', 'args', 'env', 'tokenAttributes'],
  v1beta1: ['name', 'matchImages', 'defaultCacheDuration', 'apiVersion', 'args', 'env'],
  v1alpha1: ['name', 'matchImages', 'defaultCacheDuration', 'apiVersion', 'args', 'env'],
};
const TOKEN_FIELDS = ['serviceAccountTokenAudience', 'cacheType', 'requireServiceAccount',
  'requiredServiceAccountAnnotationKeys', 'optionalServiceAccountAnnotationKeys'];
const CACHE_TYPES = ['ServiceAccount', 'Token'];

/**
 * Reads a CredentialProviderConfig (YAML or JSON, as the kubelet's universal decoder takes both)
 * and validates it as the kubelet does before it registers any plugin.
 * @param source names the file in messages
 * @throws CredentialProviderConfigError with every reason the kubelet would give
 * @internal
 */
export function parseCredentialProviderConfig(text: string, source: string): CredentialProviderSpec[] {
  return validated(decodeFile(text, source), source);
}

/** config.go `decode`: one file's providers, decoded strictly, not yet validated */
function decodeFile(text: string, source: string): DecodedProvider[] {
  const body = text.replace(/^\uFEFF/, '');
  let doc: unknown;
  if (/^\s*\{/.test(body)) {
    // what starts with "{" the universal decoder reads as JSON, with Go's JSON grammar (no trailing comma)
    const json = parseGoJson(body);
    if (json instanceof JsonSyntaxError) {
      throw new CredentialProviderConfigError(source, [`not valid JSON at line ${lineAndColumn(body, json.position)}: ${json.reason}`]);
    }
    doc = JSON.parse(body);
  } else {
    // loaded here, not with the module: a synth that reads no config file needs no YAML library (46 ms)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { readYamlDocument } = require('./go-yaml') as typeof import('./go-yaml');
    const read = readYamlDocument(body);
    if (!('value' in read)) {
      throw new CredentialProviderConfigError(source, [`line ${read.line}: ${read.reason}`]);
    }
    doc = read.value;
  }
  if (!isObject(doc)) {
    throw new CredentialProviderConfigError(source, ['the file is not a YAML or JSON object']);
  }
  const decoded = decodeConfig(doc);
  if (typeof decoded === 'string') {
    throw new CredentialProviderConfigError(source, [decoded]);
  }
  if (decoded.errors.length > 0) {
    throw new CredentialProviderConfigError(source, decoded.errors);
  }
  return decoded.providers;
}

/** `validateCredentialProviderConfig`, then the providers as the kubelet keeps them */
function validated(providers: DecodedProvider[], source: string): CredentialProviderSpec[] {
  const errors = validateProviders(providers);
  if (errors.length > 0) {
    throw new CredentialProviderConfigError(source, errors);
  }
  return providers.map(p => ({
    name: p.name,
    matchImages: p.matchImages,
    defaultCacheDuration: p.defaultCacheDuration!,
    apiVersion: p.apiVersion,
    args: p.args,
    env: p.env,
    ...(p.tokenAttributes ? { serviceAccountTokenAudience: p.tokenAttributes.serviceAccountTokenAudience } : {}),
  }));
}

/** a mapping of the decoded document */
function isObject(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** a provider as decoded, before validation: Go's zero values for what is absent */
interface DecodedProvider {
  name: string;
  matchImages: string[];
  defaultCacheDuration?: number;
  apiVersion: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
  tokenAttributes?: DecodedTokenAttributes;
}

interface DecodedTokenAttributes {
  serviceAccountTokenAudience: string;
  cacheType: string;
  requireServiceAccount?: boolean;
  requiredServiceAccountAnnotationKeys: string[];
  optionalServiceAccountAnnotationKeys: string[];
}

/** the universal decoder's checks of kind and version, then a strict decode of the providers */
function decodeConfig(doc: { [key: string]: any }): string | { providers: DecodedProvider[]; errors: string[] } {
  const apiVersion = doc.apiVersion;
  const kind = doc.kind;
  if (typeof kind !== 'string' || kind === '') {
    return 'Object \'Kind\' is missing: set kind: CredentialProviderConfig';
  }
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    return 'Object \'apiVersion\' is missing: set apiVersion: kubelet.config.k8s.io/v1';
  }
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (group !== CONFIG_GROUP || !CONFIG_VERSIONS.includes(version) || kind !== 'CredentialProviderConfig') {
    return `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)}: `
      + `write kind: CredentialProviderConfig and apiVersion: ${CONFIG_GROUP}/v1 (or v1beta1, v1alpha1)`;
  }
  const errors: string[] = [];
  for (const key of Object.keys(doc)) {
    if (!['apiVersion', 'kind', 'providers'].includes(key)) {
      errors.push(`strict decoding error: unknown field ${JSON.stringify(key)}`);
    }
  }
  const providers: DecodedProvider[] = [];
  const list = doc.providers;
  if (list !== undefined && list !== null && !Array.isArray(list)) {
    errors.push(typeError('providers', list, 'a list'));
  }
  (Array.isArray(list) ? list : []).forEach((item, i) => {
    providers.push(decodeProvider(item, `providers[${i}]`, PROVIDER_FIELDS[version], errors));
  });
  return { providers, errors };
}

function decodeProvider(item: unknown, path: string, fields: readonly string[], errors: string[]): DecodedProvider {
  const provider: DecodedProvider = { name: '', matchImages: [], apiVersion: '', args: [], env: [] };
  if (item === null) {
    return provider;
  }
  if (!isObject(item)) {
    errors.push(typeError(path, item, 'an object'));
    return provider;
  }
  unknownFields(item, fields, path, errors);
  provider.name = str(item.name, `${path}.name`, errors);
  provider.apiVersion = str(item.apiVersion, `${path}.apiVersion`, errors);
  provider.matchImages = strList(item.matchImages, `${path}.matchImages`, errors);
  provider.args = strList(item.args, `${path}.args`, errors);
  const cache = item.defaultCacheDuration;
  if (cache !== undefined && cache !== null) {
    if (typeof cache !== 'string') {
      errors.push(typeError(`${path}.defaultCacheDuration`, cache, 'a duration string such as "10m" or "0" (quoted)'));
    } else {
      const ms = parseGoDuration(cache);
      if (ms === undefined) {
        errors.push(`${path}.defaultCacheDuration: time: invalid duration ${JSON.stringify(cache)}`);
      } else {
        provider.defaultCacheDuration = ms;
      }
    }
  }
  const env = item.env;
  if (env !== undefined && env !== null && !Array.isArray(env)) {
    errors.push(typeError(`${path}.env`, env, 'a list'));
  }
  (Array.isArray(env) ? env : []).forEach((e, j) => {
    const at = `${path}.env[${j}]`;
    if (e === null) {
      provider.env.push({ name: '', value: '' });
    } else if (!isObject(e)) {
      errors.push(typeError(at, e, 'an object'));
    } else {
      unknownFields(e, ['name', 'value'], at, errors);
      provider.env.push({ name: str(e.name, `${at}.name`, errors), value: str(e.value, `${at}.value`, errors) });
    }
  });
  const token = item.tokenAttributes;
  if (token !== undefined && token !== null && fields.includes('tokenAttributes')) {
    const at = `${path}.tokenAttributes`;
    if (!isObject(token)) {
      errors.push(typeError(at, token, 'an object'));
    } else {
      unknownFields(token, TOKEN_FIELDS, at, errors);
      const require = token.requireServiceAccount;
      if (require !== undefined && require !== null && typeof require !== 'boolean') {
        errors.push(typeError(`${at}.requireServiceAccount`, require, 'true or false'));
      }
      provider.tokenAttributes = {
        serviceAccountTokenAudience: str(token.serviceAccountTokenAudience, `${at}.serviceAccountTokenAudience`, errors),
        cacheType: str(token.cacheType, `${at}.cacheType`, errors),
        requireServiceAccount: typeof require === 'boolean' ? require : undefined,
        requiredServiceAccountAnnotationKeys: strList(token.requiredServiceAccountAnnotationKeys, `${at}.requiredServiceAccountAnnotationKeys`, errors),
        optionalServiceAccountAnnotationKeys: strList(token.optionalServiceAccountAnnotationKeys, `${at}.optionalServiceAccountAnnotationKeys`, errors),
      };
    }
  }
  return provider;
}

function unknownFields(obj: { [key: string]: unknown }, fields: readonly string[], path: string, errors: string[]): void {
  for (const key of Object.keys(obj)) {
    // the decoder matches field names case-sensitively (sigs.k8s.io/json)
    if (!fields.includes(key)) {
      errors.push(`strict decoding error: unknown field ${JSON.stringify(`${path}.${key}`)}`);
    }
  }
}

function typeError(path: string, value: unknown, expected: string): string {
  const got = Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return `${path}: expected ${expected}, got ${got}`;
}

/** a string field: null and absent are Go's "" */
function str(value: unknown, path: string, errors: string[]): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value !== 'string') {
    errors.push(typeError(path, value, 'a string'));
    return '';
  }
  return value;
}

function strList(value: unknown, path: string, errors: string[]): string[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    errors.push(typeError(path, value, 'a list of strings'));
    return [];
  }
  return value.map((v, i) => str(v, `${path}[${i}]`, errors));
}

/** `validateCredentialProviderConfig` with the KubeletServiceAccountTokenForCredentialProviders gate on (beta, 1.34) */
function validateProviders(providers: DecodedProvider[]): string[] {
  const errors: string[] = [];
  if (providers.length === 0) {
    errors.push('providers: Required value: at least 1 item in plugins is required');
  }
  const seen = new Set<string>();
  for (const p of providers) {
    const name = JSON.stringify(p.name);
    if (p.name.includes('/')) {
      errors.push(`providers.name: Invalid value: ${name}: provider name cannot contain '/'`);
    }
    if (p.name.includes(' ')) {
      errors.push(`providers.name: Invalid value: ${name}: provider name cannot contain spaces`);
    }
    if (p.name === '.') {
      errors.push(`providers.name: Invalid value: ${name}: provider name cannot be '.'`);
    }
    if (p.name === '..') {
      errors.push(`providers.name: Invalid value: ${name}: provider name cannot be '..'`);
    }
    if (seen.has(p.name)) {
      errors.push(`providers.name: Duplicate value: ${name}`);
    }
    seen.add(p.name);
    if (p.apiVersion === '') {
      errors.push('providers.apiVersion: Required value');
    } else if (!PROVIDER_API_VERSIONS.includes(p.apiVersion)) {
      errors.push(`providers.apiVersion: Unsupported value: ${JSON.stringify(p.apiVersion)}: supported values: `
        + PROVIDER_API_VERSIONS.map(v => JSON.stringify(v)).join(', '));
    }
    if (p.matchImages.length === 0) {
      errors.push('providers.matchImages: Required value: at least 1 item in matchImages is required');
    }
    for (const image of p.matchImages) {
      if (!parsesSchemeless(image)) {
        errors.push(`providers.matchImages: Invalid value: ${JSON.stringify(image)}: match image is invalid: `
          + `Go's url.Parse refuses ${JSON.stringify('https://' + image)}`);
      }
    }
    if (p.defaultCacheDuration === undefined) {
      errors.push('providers.defaultCacheDuration: Required value');
    } else if (p.defaultCacheDuration < 0) {
      errors.push('providers.defaultCacheDuration: Invalid value: defaultCacheDuration must be greater than or equal to 0');
    }
    if (p.tokenAttributes) {
      validateTokenAttributes(p, errors);
    }
  }
  return errors;
}

const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateTokenAttributes(p: DecodedProvider, errors: string[]): void {
  const t = p.tokenAttributes!;
  const at = 'providers.tokenAttributes';
  if (t.serviceAccountTokenAudience === '') {
    errors.push(`${at}.serviceAccountTokenAudience: Required value`);
  }
  if (t.requireServiceAccount === undefined) {
    errors.push(`${at}.requireServiceAccount: Required value`);
  }
  if (p.apiVersion !== PROVIDER_API_VERSIONS[0]) {
    errors.push(`${at}: Forbidden: tokenAttributes is only supported for ${PROVIDER_API_VERSIONS[0]} API version`);
  }
  if (t.requireServiceAccount === false && t.requiredServiceAccountAnnotationKeys.length > 0) {
    errors.push(`${at}.requiredServiceAccountAnnotationKeys: Forbidden: requireServiceAccount cannot be false when requiredServiceAccountAnnotationKeys is set`);
  }
  for (const field of ['requiredServiceAccountAnnotationKeys', 'optionalServiceAccountAnnotationKeys'] as const) {
    const seen = new Set<string>();
    for (const key of t[field]) {
      if (!isQualifiedName(key.toLowerCase())) {
        errors.push(`${at}.${field}: Invalid value: ${JSON.stringify(key)}: not a qualified name ([prefix/]name, as annotation keys are)`);
      }
      if (seen.has(key)) {
        errors.push(`${at}.${field}: Duplicate value: ${JSON.stringify(key)}`);
      }
      seen.add(key);
    }
  }
  const both = t.requiredServiceAccountAnnotationKeys.filter(k => t.optionalServiceAccountAnnotationKeys.includes(k));
  if (both.length > 0) {
    errors.push(`${at}: Invalid value: ${JSON.stringify([...new Set(both)].sort())}: annotation keys cannot be both required and optional`);
  }
  if (t.cacheType === '') {
    errors.push(`${at}.cacheType: Required value: cacheType is required to be set when tokenAttributes is specified. Supported values are: ${CACHE_TYPES.join(', ')}`);
  } else if (!CACHE_TYPES.includes(t.cacheType)) {
    errors.push(`${at}.cacheType: Unsupported value: ${JSON.stringify(t.cacheType)}: supported values: ${CACHE_TYPES.map(c => JSON.stringify(c)).join(', ')}`);
  }
}

/** apimachinery's `IsQualifiedName` */
function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 2) {
    return false;
  }
  const name = parts[parts.length - 1];
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME_PART.test(name)) {
    return false;
  }
  if (parts.length === 2) {
    const prefix = parts[0];
    return prefix.length > 0 && prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix);
  }
  return true;
}

const DURATION_UNITS: { [unit: string]: number } = {
  ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};

/**
 * Go's `time.ParseDuration`, in milliseconds; undefined where Go returns an error. "0" needs no
 * unit; every other number does.
 * @internal
 */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s[0] === '-' ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') {
    return 0;
  }
  if (s === '') {
    return undefined;
  }
  let total = 0;
  const part = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/;
  while (s !== '') {
    const m = part.exec(s);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) {
      return undefined;
    }
    const unit = DURATION_UNITS[m[3]];
    if (unit === undefined) {
      return undefined;
    }
    total += Number(`${m[1] || '0'}.${m[2] ?? '0'}`) * unit;
    s = s.slice(m[0].length);
  }
  // Go refuses more than about 292 years
  return total > 9_223_372_036_854 ? undefined : sign * total;
}

/**
 * Whether the kubelet runs `provider` for the image name (plugin.go `isImageAllowed`): one of its
 * `matchImages` matches by `URLsMatchStr`.
 * @param imageName the image without tag or digest, as the kubelet looks it up (`docker.io/library/nginx`)
 * @internal
 */
export function providerMatches(provider: { readonly matchImages: readonly string[] }, imageName: string): boolean {
  for (let i = 0; i < provider.matchImages.length; i++) {
    if (urlsMatchStr(provider.matchImages[i], imageName)) {
      return true;
    }
  }
  return false;
}

/** Go's `filepath.Ext`: from the last dot on, so ".yaml" is a YAML file (Node's extname says "") */
function goExt(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot);
}

/** the most files a config directory may hold that are read */
const MAX_CONFIG_FILES = 256;

/**
 * The providers of the CredentialProviderConfig at `path`, read and validated as the kubelet does:
 * a regular file of at most {@link MAX_PROVIDER_CONFIG_BYTES}, or a directory whose `*.json`,
 * `*.yaml` and `*.yml` files are read in lexicographic order and merged, a provider name given in
 * two files refused (config.go `readCredentialProviderConfig`, kubelet 1.34 and later).
 * @param what names the setting in errors, e.g. `--image-credential-provider-config`
 * @internal
 */
export function readCredentialProviderConfigFile(path: string, what: string): CredentialProviderSpec[] {
  const source = `${what} ${JSON.stringify(path)}`;
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // readRegularFile names what is wrong
  }
  if (!isDirectory) {
    return validated(decodeFile(readRegularFile(path, what, MAX_PROVIDER_CONFIG_BYTES).toString('utf8'), source), source);
  }
  const files = readdirSync(path, { withFileTypes: true })
    .filter(e => !e.isDirectory() && ['.json', '.yaml', '.yml'].includes(goExt(e.name)))
    .map(e => e.name)
    // Go's sort.Strings: byte order
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (files.length === 0) {
    throw new CredentialProviderConfigError(source, [`no configuration files found in directory ${JSON.stringify(path)}`]);
  }
  if (files.length > MAX_CONFIG_FILES) {
    throw new CredentialProviderConfigError(source, [`more than ${MAX_CONFIG_FILES} configuration files in the directory`]);
  }
  const merged: DecodedProvider[] = [];
  for (const file of files) {
    const full = join(path, file);
    const fileSource = `${what} ${JSON.stringify(full)}`;
    for (const provider of decodeFile(readRegularFile(full, what, MAX_PROVIDER_CONFIG_BYTES).toString('utf8'), fileSource)) {
      if (merged.some(p => p.name === provider.name)) {
        throw new CredentialProviderConfigError(source, [`duplicate provider name ${JSON.stringify(provider.name)} found in configuration file(s)`]);
      }
      merged.push(provider);
    }
  }
  return validated(merged, source);
}
