import { goFieldName, JsonObject, jsonKind, JsonSyntaxError, lineAndColumn, parseGoJson } from './go-decoding';
import { ENTRY_FIELDS, kubeletEntries, KubeletDockerConfigEntry, UnreadableDockerConfig } from './kubelet-docker-config';
import { KubeletKeyring } from './kubelet-keyring';
import { serverKeyProblem } from './server-key';

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
   * Everything the kubelet refuses is refused (it reads the JSON with Go's decoder, and `auth` as
   * padded base64 when it ends in "=", unpadded otherwise), and more, without ever quoting the
   * file's content: a byte order mark or a lone surrogate; a config that is not an
   * object or has no `auths` entries; any `credsStore` or `credHelpers` key, whatever its value,
   * because `docker login` then keeps the credentials outside the file; entries with no
   * credentials, with fields the kubelet does not read (`identitytoken`, `registrytoken`), or
   * whose `username` and `password` disagree with their `auth`; server keys the kubelet cannot
   * use, that carry a user name or password, or that the kubelet reads as the same key.
   *
   * Field names are matched as Go matches them, whatever their case. Keys such as `__proto__`
   * are kept as keys: the result has no prototype.
   *
   * @param text the JSON text of the config
   * @param source how to name the config in errors, e.g. its path
   */
  public static parse(text: string, source: string = 'docker config'): { [server: string]: DockerConfigEntry } {
    if (text.charCodeAt(0) === 0xfeff) {
      throw new Error(`${source} starts with a byte order mark, which the kubelet's JSON decoder refuses; save it as UTF-8 without a BOM`);
    }
    const surrogate = LONE_SURROGATE.exec(text);
    if (surrogate) {
      throw new Error(`${source} holds a lone UTF-16 surrogate at line ${lineAndColumn(text, surrogate.index)}, which has no UTF-8 form; fix the text`);
    }
    const value = parseGoJson(text);
    if (value instanceof JsonSyntaxError) {
      throw new Error(`${source} is not valid JSON at line ${lineAndColumn(text, value.position)} (${value.reason}); check it with "jq . FILE"`);
    }
    if (!(value instanceof JsonObject)) {
      throw new Error(`${source} is not a JSON object but ${jsonKind(value)}; expected {"auths": {...}}`);
    }
    for (const [name] of value.members) {
      const helper = CREDENTIAL_HELPERS[goFieldName(name) ?? ''];
      if (helper) {
        throw new Error(`${source} uses ${helper}: its credentials live in an external credential helper, not in the file, so a Secret cannot carry them; `
          + `remove ${helper} from the config and run "docker login" again, or give the username and password directly`);
      }
    }
    let config: Map<string, KubeletDockerConfigEntry>;
    try {
      config = kubeletEntries(value, 'dockerconfigjson');
    } catch (e) {
      if (e instanceof UnreadableDockerConfig) {
        throw new Error(`${source}: ${e.reason}; ${e.fix}`);
      }
      throw e;
    }
    if (config.size === 0) {
      throw new Error(`${source} has no "auths" entries; expected {"auths": {"<server>": {"auth": "..."}}} as written by "docker login"`);
    }
    const entries: { [server: string]: DockerConfigEntry } = Object.create(null);
    const keys = new Map<string, string>();
    for (const [server, entry] of config) {
      const problem = serverKeyProblem(server);
      if (problem) {
        throw new Error(`${source}: ${problem}`);
      }
      const where = `${source}: entry ${JSON.stringify(server)}`;
      // the kubelet reads `host`, `https://host/` and `host/v2/` as one key
      const key = KubeletKeyring.keyOf(server)!;
      const same = keys.get(key);
      if (same !== undefined) {
        throw new Error(`${where} and entry ${JSON.stringify(same)} are the same registry for the kubelet (key ${JSON.stringify(key)}); keep one of them`);
      }
      keys.set(key, server);
      entries[server] = checkEntry(entry, where);
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

const CREDENTIAL_HELPERS: { readonly [folded: string]: string } = { credsstore: 'credsStore', credhelpers: 'credHelpers' };
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The library's rules for one entry, on top of what the kubelet requires. */
function checkEntry(entry: KubeletDockerConfigEntry, where: string): DockerConfigEntry {
  const unread = entry.members.find(name => !ENTRY_FIELDS.includes(goFieldName(name) ?? ''));
  if (unread !== undefined) {
    throw new Error(`${where} has the field ${JSON.stringify(unread)}, which the kubelet does not read; keep only ${ENTRY_FIELDS.join(', ')}`);
  }
  if (entry.auth) {
    // the kubelet uses the decoded auth and ignores the two fields
    // (bytes, not text: an auth that is not UTF-8 is what the kubelet sends, U+FFFD in its place is not)
    if ((entry.username || entry.password) && !entry.decoded.equals(Buffer.from(`${entry.username}:${entry.password}`, 'utf8'))) {
      throw new Error(`${where} has a "username" and "password" that differ from its "auth", which the kubelet uses instead; `
        + 'remove them or write auth as base64 of "username:password"');
    }
  } else if (!entry.username || !entry.password) {
    throw new Error(`${where} has no credentials; expected "auth", or "username" and "password"`);
  }
  const known = (value: string) => value === '' ? undefined : value;
  return { username: known(entry.username), password: known(entry.password), email: known(entry.email), auth: known(entry.auth) };
}

/**
 * A docker config file's bytes, checked as `DockerConfigJson.parse` checks its text, and refused
 * when they start with a byte order mark or are not UTF-8. The text returned is the bytes
 * exactly (`Buffer.from(text, 'utf8')` gives them back), for a Secret that keeps the file as
 * `kubectl create secret generic --from-file` does.
 *
 * @param bytes the file's content
 * @param source how to name the file in errors, e.g. its path
 * @internal
 */
export function parseDockerConfigFile(bytes: Uint8Array, source: string): { entries: { [server: string]: DockerConfigEntry }; text: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new Error(`${source} starts with a UTF-8 byte order mark, which the kubelet's JSON decoder refuses; save it as UTF-8 without a BOM`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).filter(b => b === 0x0a).length + 1;
    throw new Error(`${source} is not valid UTF-8 (byte ${at + 1}, line ${line}); save it as UTF-8`);
  }
  return { entries: DockerConfigJson.parse(text, source), text };
}

/** the offset of the first byte that starts no valid UTF-8 sequence */
function firstInvalidUtf8(bytes: Uint8Array): number {
  // the prefix before the first invalid sequence decodes and re-encodes unchanged
  const again = Buffer.from(Buffer.from(bytes).toString('utf8'), 'utf8');
  let i = 0;
  while (i < bytes.length && bytes[i] === again[i]) {
    i++;
  }
  return i;
}
