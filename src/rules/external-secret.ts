// The External Secrets Operator's ExternalSecret as a pull secret: the template that makes the
// operator write kubectl's `.dockerconfigjson` bytes, and how an ExternalSecret found in manifests
// tells which pull secret it makes. Follows external-secrets v2.9.0: config/crds/bases
// (external-secrets.io_externalsecrets.yaml, generators.external-secrets.io_ecrauthorizationtokens.yaml),
// runtime/template/v2/template.go (text/template, missingkey=error, sprig's functions) and
// generators/v1/ecr/ecr.go (the generator's keys: username, password, proxy_endpoint, expires_at).
import { DockerConfigJson } from './docker-config';

/**
 * The ExternalSecret API versions the library writes and reads. v2.9.0 serves only v1; v1beta1 is
 * for operators older than v0.17, which served nothing else.
 * @internal
 */
export const EXTERNAL_SECRET_API_VERSIONS: readonly string[] = ['external-secrets.io/v1', 'external-secrets.io/v1beta1'];

/** @internal */
export const ECR_GENERATOR_API_VERSION = 'generators.external-secrets.io/v1alpha1';

/** The longest refresh of an ECR token: its life is 12 hours (ECR GetAuthorizationToken). @internal */
export const ECR_TOKEN_LIFE_SECONDS = 12 * 3600;

/** the secret type of a pull secret the operator writes */
const DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';

/**
 * Where one registry's credentials come from in the template's data: the keys of the
 * ExternalSecret's `data` (or of a generator's output).
 * @internal
 */
export interface TemplateEntry {
  readonly server: string;
  /** keys holding the user name and the password */
  readonly username?: string;
  readonly password?: string;
  /** or a key holding base64 of `user:password`, a docker config's `auth` */
  readonly auth?: string;
}

/**
 * The `.dockerconfigjson` template (ESO template engine v2) whose output is, byte for byte, what
 * `kubectl create secret docker-registry` writes for the same values: servers sorted by their
 * bytes, username, password, auth, no whitespace, and each value through sprig's `toJson`, which
 * is Go's `json.Marshal`, kubectl's own encoder. From a ready `auth`, the user name and password
 * are what it decodes to, as kubectl would have been given them.
 * @internal
 */
export function dockerConfigTemplate(entries: readonly TemplateEntry[]): string {
  const sorted = [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.server, 'utf8'), Buffer.from(b.server, 'utf8')));
  // each ready auth, split once into user name and password by an action that writes nothing
  let declarations = '';
  const parts = sorted.map((entry, i) => {
    const server = DockerConfigJson.goJsonString(entry.server);
    if (server.includes('{{') || server.includes('}}')) {
      // a server the kubelet can parse has no braces; a template delimiter would run code
      throw new Error(`server ${server} holds a template delimiter`);
    }
    if (entry.auth !== undefined) {
      // kubectl's auth is base64 of user:password; splitn keeps a ":" in the password, and a
      // value without ":" has no _1, which missingkey=error makes the operator refuse
      const pair = `$auth${i}`;
      declarations += `{{ ${pair} := ${field(entry.auth)} | b64dec | splitn ":" 2 }}`;
      return `${server}:{"username":{{ ${pair}._0 | toJson }},"password":{{ ${pair}._1 | toJson }},`
        + `"auth":{{ printf "%s:%s" ${pair}._0 ${pair}._1 | b64enc | toJson }}}`;
    }
    const username = field(entry.username!);
    const password = field(entry.password!);
    return `${server}:{"username":{{ ${username} | toJson }},"password":{{ ${password} | toJson }},`
      + `"auth":{{ printf "%s:%s" ${username} ${password} | b64enc | toJson }}}`;
  });
  return `${declarations}{"auths":{${parts.join(',')}}}`;
}

/** how the template reads a data key: `.key`, or `index . "key"` for one that is not a Go identifier */
function field(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `(index . ${JSON.stringify(key)})`;
}

/**
 * A Go duration string, as `time.Duration.String` writes whole seconds: `1h0m0s`, `30m0s`, `45s`.
 * @internal
 */
export function goDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

/**
 * The pull secret an ExternalSecret makes, as read from its manifest.
 * @internal
 */
export interface ExternalPullSecret {
  /** the target Secret's name: `spec.target.name`, else the ExternalSecret's */
  readonly name: string;
  readonly namespace?: string;
  /** the servers of the template's `auths`; undefined when a server comes from the remote data */
  readonly servers?: string[];
  /** where the credentials are: `ClusterSecretStore "vault"`, or the generator */
  readonly store: string;
}

/**
 * Whether `manifest` is an ExternalSecret (of any version; `readExternalPullSecret` refuses the
 * versions it does not know).
 * @internal
 */
export function isExternalSecret(manifest: any): boolean {
  return manifest?.kind === 'ExternalSecret' && typeof manifest.apiVersion === 'string' && manifest.apiVersion.startsWith('external-secrets.io/');
}

/**
 * The pull secret an ExternalSecret makes, when its target is a dockerconfigjson Secret; undefined
 * for any other ExternalSecret; `{ error }` for an API version this library does not know.
 * @internal
 */
export function readExternalPullSecret(manifest: any): ExternalPullSecret | { readonly error: string } | undefined {
  if (!isExternalSecret(manifest)) {
    return undefined;
  }
  if (!EXTERNAL_SECRET_API_VERSIONS.includes(manifest.apiVersion)) {
    return { error: `ExternalSecret apiVersion ${JSON.stringify(manifest.apiVersion)} is not one this library knows (${EXTERNAL_SECRET_API_VERSIONS.join(', ')})` };
  }
  const spec = isObject(manifest.spec) ? manifest.spec : {};
  const target = isObject(spec.target) ? spec.target : {};
  const template = isObject(target.template) ? target.template : undefined;
  if (template?.type !== DOCKER_CONFIG_JSON) {
    return undefined;
  }
  const name = typeof target.name === 'string' && target.name !== '' ? target.name : manifest.metadata?.name;
  if (typeof name !== 'string') {
    return undefined;
  }
  const namespace = typeof manifest.metadata?.namespace === 'string' && manifest.metadata.namespace !== '' ? manifest.metadata.namespace : undefined;
  const text = isObject(template.data) ? template.data['.dockerconfigjson'] : undefined;
  return { name, namespace, servers: typeof text === 'string' ? templateServers(text) : undefined, store: storeOf(spec) };
}

/** the store or generator an ExternalSecret reads, as messages name it */
function storeOf(spec: any): string {
  const ref = spec.secretStoreRef;
  if (isObject(ref) && typeof ref.name === 'string') {
    return `${ref.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore'} "${ref.name}"`;
  }
  const sources = [...(Array.isArray(spec.dataFrom) ? spec.dataFrom : []), ...(Array.isArray(spec.data) ? spec.data : [])];
  for (const source of sources) {
    const generator = source?.sourceRef?.generatorRef;
    if (isObject(generator) && typeof generator.name === 'string') {
      return `${typeof generator.kind === 'string' ? generator.kind : 'generator'} "${generator.name}"`;
    }
    const store = source?.sourceRef?.storeRef;
    if (isObject(store) && typeof store.name === 'string') {
      return `${store.kind === 'ClusterSecretStore' ? 'ClusterSecretStore' : 'SecretStore'} "${store.name}"`;
    }
  }
  return 'an unnamed store';
}

/**
 * The servers of the `auths` of a `.dockerconfigjson` template: each action becomes a JSON value
 * (or text inside a string), and the text is read as JSON; a server key that holds an action is
 * known only to the operator, and then the servers are unknown.
 * @internal
 */
export function templateServers(text: string): string[] | undefined {
  let json = '';
  let inString = false;
  let marker = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('{{', i)) {
      const end = text.indexOf('}}', i + 2);
      if (end < 0) {
        return undefined;
      }
      if (inString) {
        // a NUL no server key can hold
        json += `\\u0000${marker++}`;
      } else {
        // a value where JSON expects one; an action elsewhere (a variable's declaration) writes nothing here
        json += /[:[,]\s*$/.test(json) ? '0' : '';
      }
      i = end + 1;
      continue;
    }
    const char = text[i];
    if (inString && char === '\\') {
      json += char + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (char === '"') {
      inString = !inString;
    }
    json += char;
  }
  let parsed: any;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || !isObject(parsed.auths)) {
    return undefined;
  }
  const servers = Object.keys(parsed.auths);
  return servers.some(server => server.includes('\u0000')) ? undefined : servers;
}

function isObject(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
