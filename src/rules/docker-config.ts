/**
 * One entry of a docker config's `auths` map (kubectl's `DockerConfigEntry`).
 *
 * Every field is omitted from the encoded JSON when it is undefined or empty,
 * as Go's `omitempty` does.
 *
 * @see https://kubernetes.io/docs/concepts/configuration/secret/#docker-config-secrets
 */
export interface DockerConfigEntry {
  /**
   * The registry user name.
   *
   * @default - no `username` field
   */
  readonly username?: string;

  /**
   * The registry password or access token.
   *
   * @default - no `password` field
   */
  readonly password?: string;

  /**
   * The e-mail address kubectl records with `--docker-email`.
   *
   * @default - no `email` field
   */
  readonly email?: string;

  /**
   * Base64 of the UTF-8 bytes of `username:password`.
   *
   * @default - no `auth` field
   */
  readonly auth?: string;
}

/** Matches a string that Go's encoder writes unchanged between its quotes. */
const NOTHING_TO_ESCAPE = /^[^"\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]*$/;

/** Matches every character that Go's encoder escapes, and every lone surrogate. */
const TO_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const SHORT_ESCAPES: { readonly [char: string]: string } = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function escapeOne(char: string): string {
  const short = SHORT_ESCAPES[char];
  if (short !== undefined) {
    return short;
  }
  const code = char.charCodeAt(0);
  if (code >= 0xd800 && code <= 0xdfff) {
    // A lone surrogate has no UTF-8 form. Node writes U+FFFD in its place whenever it encodes
    // the string (Buffer, process arguments), so kubectl receives, and writes back raw, U+FFFD.
    return '\ufffd';
  }
  // Other control characters, '<', '>', '&', U+2028 and U+2029 (Go uses lowercase hex).
  return '\\u' + code.toString(16).padStart(4, '0');
}

/**
 * The `.dockerconfigjson` document that `kubectl create secret docker-registry` writes,
 * reproduced byte for byte.
 *
 * kubectl marshals its `DockerConfigJSON` struct with Go's `encoding/json`. That encoder
 * sorts map keys by their bytes, omits empty fields, writes no whitespace, and escapes
 * `<`, `>`, `&`, U+2028 and U+2029, which `JSON.stringify` does not.
 *
 * @see https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/
 */
export class DockerConfigJson {
  /**
   * The `auths` entry that kubectl writes for `--docker-username`, `--docker-password` and
   * `--docker-email`.
   *
   * `auth` is base64 of the UTF-8 bytes of `username:password`. No value is checked here:
   * kubectl itself refuses an empty username or password.
   *
   * @param username the registry user name (`--docker-username`)
   * @param password the registry password or token (`--docker-password`)
   * @param email the e-mail address (`--docker-email`); omitted when undefined or empty
   */
  public static entry(username: string, password: string, email?: string): DockerConfigEntry {
    const auth = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    if (email === undefined || email === '') {
      return { username, password, auth };
    }
    return { username, password, email, auth };
  }

  /**
   * The JSON text of `{"auths":{...}}` exactly as Go's `encoding/json` marshals kubectl's
   * `DockerConfigJSON` struct.
   *
   * Server keys are sorted by their UTF-8 bytes (Go's string order). The fields of each entry
   * come in the order `username`, `password`, `email`, `auth`, and undefined or empty ones are
   * left out. There is no whitespace, and strings are escaped as `goJsonString` does.
   *
   * @param auths the entries, keyed by registry server (`--docker-server`)
   */
  public static encode(auths: { [server: string]: DockerConfigEntry }): string {
    const servers = Object.keys(auths).map((server) => ({ server, bytes: Buffer.from(server, 'utf8') }));
    servers.sort((a, b) => Buffer.compare(a.bytes, b.bytes));

    const parts = servers.map(({ server }) => {
      const entry = auths[server];
      const fields: string[] = [];
      if (entry.username) {
        fields.push('"username":' + DockerConfigJson.goJsonString(entry.username));
      }
      if (entry.password) {
        fields.push('"password":' + DockerConfigJson.goJsonString(entry.password));
      }
      if (entry.email) {
        fields.push('"email":' + DockerConfigJson.goJsonString(entry.email));
      }
      if (entry.auth) {
        fields.push('"auth":' + DockerConfigJson.goJsonString(entry.auth));
      }
      return DockerConfigJson.goJsonString(server) + ':{' + fields.join(',') + '}';
    });
    return '{"auths":{' + parts.join(',') + '}}';
  }

  /**
   * The `auths` entries of a docker `config.json` (what `docker login` writes), as kept by
   * `kubectl create secret generic --from-file=.dockerconfigjson=...`.
   *
   * Refuses, without ever quoting the file's content: text that is not JSON; a config without
   * `auths`; `credsStore` or `credHelpers`, whose credentials live outside the file; entries with
   * no credentials, with fields the kubelet does not read (`identitytoken`, `registrytoken`), or
   * whose `auth` is not base64 of `user:password`.
   *
   * @param text the JSON text of the config
   * @param source how to name the config in errors, e.g. its path
   */
  public static parse(text: string, source: string = 'docker config'): { [server: string]: DockerConfigEntry } {
    let config: any;
    try {
      config = JSON.parse(text);
    } catch (e: any) {
      // V8's message quotes the text around the error, which may hold a password
      const position = /position (\d+)/.exec(String(e?.message));
      const where = position ? ` at line ${lineAndColumn(text, Number(position[1]))}` : '';
      throw new Error(`${source} is not valid JSON${where}; check it with "jq . FILE"`);
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new Error(`${source} is not a JSON object; expected {"auths": {...}}`);
    }
    for (const helper of ['credsStore', 'credHelpers']) {
      if (config[helper] !== undefined && Object.keys(config[helper] ?? {}).length !== 0) {
        throw new Error(`${source} uses ${helper}: its credentials live in an external credential helper, not in the file, so a Secret cannot carry them; `
          + `remove ${helper} from the config and run "docker login" again, or give the username and password directly`);
      }
    }
    if (typeof config.auths !== 'object' || config.auths === null || Object.keys(config.auths).length === 0) {
      throw new Error(`${source} has no "auths" entries; expected {"auths": {"<server>": {"auth": "..."}}} as written by "docker login"`);
    }
    const entries: { [server: string]: DockerConfigEntry } = {};
    for (const [server, entry] of Object.entries<any>(config.auths)) {
      entries[server] = parseEntry(server, entry, source);
    }
    return entries;
  }

  /**
   * A JavaScript string as a Go `encoding/json` string literal (Go 1.22 or later).
   *
   * - `"` and `\` are escaped with a backslash.
   * - `\b`, `\f`, `\n`, `\r` and `\t` use their short escapes.
   * - Other characters below U+0020 become `\u00XX`, in lowercase hex.
   * - `<`, `>` and `&` become `\u003c`, `\u003e` and `\u0026`.
   * - U+2028 and U+2029 become `\u2028` and `\u2029`.
   * - A lone surrogate becomes a raw U+FFFD. That is what kubectl writes when it is given the
   *   same JavaScript string, because Node passes U+FFFD in its place.
   * - Everything else, DEL and all other non-ASCII characters included, is written as is.
   *
   * @param value the string to quote
   */
  public static goJsonString(value: string): string {
    if (NOTHING_TO_ESCAPE.test(value)) {
      return '"' + value + '"';
    }
    return '"' + value.replace(TO_ESCAPE, escapeOne) + '"';
  }
}

const ENTRY_FIELDS = ['username', 'password', 'email', 'auth'];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function parseEntry(server: string, entry: any, source: string): DockerConfigEntry {
  const where = `${source}: entry ${JSON.stringify(server)}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new Error(`${where} is not an object; expected {"auth": "..."} or {"username": "...", "password": "..."}`);
  }
  for (const [field, value] of Object.entries(entry)) {
    if (!ENTRY_FIELDS.includes(field)) {
      throw new Error(`${where} has the field "${field}", which the kubelet does not read; keep only ${ENTRY_FIELDS.join(', ')}`);
    }
    if (typeof value !== 'string') {
      throw new Error(`${where} has a non-string "${field}"`);
    }
  }
  if (entry.auth) {
    const decoded = BASE64.test(entry.auth) ? Buffer.from(entry.auth, 'base64').toString('utf8') : '';
    if (!decoded.includes(':')) {
      throw new Error(`${where} has an "auth" that is not base64 of "user:password"; run "docker login" again`);
    }
  } else if (!entry.username || !entry.password) {
    throw new Error(`${where} has no credentials; expected "auth", or "username" and "password"`);
  }
  return { username: entry.username, password: entry.password, email: entry.email, auth: entry.auth };
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `${before.length}, column ${before[before.length - 1].length + 1}`;
}
