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
