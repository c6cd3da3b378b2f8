// How the kubelet reads the docker config of a pull secret: what it accepts is what this library
// may accept, and what it refuses fails every pull of a pod that names the secret.
import { goBase64Decode, goFieldName, goUtf8Decode, JsonObject, jsonKind, JsonSyntaxError, JsonValue, lineAndColumn, parseGoJson } from './go-decoding';
import { redactUserinfo } from './server-key';

/**
 * One `auths` entry as the kubelet reads it: Go's zero value '' for what is absent or null.
 * @internal
 */
export interface KubeletDockerConfigEntry {
  readonly username: string;
  readonly password: string;
  readonly email: string;
  readonly auth: string;
  /**
   * `auth` decoded as the kubelet decodes it: bytes, which need not be UTF-8 (a Go string holds
   * any bytes, and the kubelet pulls with them as they are); empty without `auth`
   */
  readonly decoded: Buffer;
  /** the entry's member names as written */
  readonly members: readonly string[];
}

/**
 * Why the kubelet cannot read a docker config; names no credential.
 * @internal
 */
export class UnreadableDockerConfig extends Error {
  /**
   * @param refusedByApiServer the API server refuses it too (it unmarshals the data into a map), so
   * such a secret is never stored; otherwise it is stored, and only the kubelet fails on it
   */
  constructor(public readonly reason: string, public readonly fix: string = 'run "docker login" again or recreate the secret',
    public readonly refusedByApiServer = false) {
    super(reason);
    this.name = 'UnreadableDockerConfig';
  }
}

/**
 * A docker config as the kubelet reads a pull secret (`secretsToTrackedDockerConfigs` in
 * kubernetes `pkg/credentialprovider/secrets`): Go's `json.Unmarshal` into its
 * `DockerConfigJSON` (`{"auths": {...}, "HttpHeaders": {...}}`) for `.dockerconfigjson`, or into
 * the bare `auths` map for the legacy `.dockercfg`. Any error fails every pull of a pod that names
 * the secret. Member names match whatever their case; a repeated `auths` merges into the first;
 * null is Go's zero value; unknown members are skipped; an `auth` must decode as
 * `decodeDockerConfigFieldAuth` decodes it.
 *
 * @param bytes the data; in its strings, each byte that is not part of a valid UTF-8 sequence reads
 * as one U+FFFD, as Go's decoder reads it
 * @returns the entries by server key, in the order the keys first appear
 * @throws UnreadableDockerConfig
 * @internal
 */
export function readKubeletDockerConfig(bytes: Uint8Array, format: 'dockerconfigjson' | 'dockercfg'): Map<string, KubeletDockerConfigEntry> {
  const text = goUtf8Decode(bytes);
  const value = parseGoJson(text);
  if (value instanceof JsonSyntaxError) {
    throw new UnreadableDockerConfig(`not valid JSON at line ${lineAndColumn(text, value.position)} (${value.reason})`, undefined, true);
  }
  return kubeletEntries(value, format);
}

/**
 * `readKubeletDockerConfig` on JSON already parsed.
 * @throws UnreadableDockerConfig
 * @internal
 */
export function kubeletEntries(value: JsonValue, format: 'dockerconfigjson' | 'dockercfg'): Map<string, KubeletDockerConfigEntry> {
  const entries = new Map<string, KubeletDockerConfigEntry>();
  if (value === null) {
    return entries;
  }
  if (!(value instanceof JsonObject)) {
    throw new UnreadableDockerConfig(`the JSON is ${jsonKind(value)}, not an object`, undefined, true);
  }
  if (format === 'dockercfg') {
    readAuths(value, entries);
    return entries;
  }
  let auths: Map<string, KubeletDockerConfigEntry> | undefined;
  for (const [name, member] of value.members) {
    const field = goFieldName(name);
    if (field === 'auths') {
      if (member === null) {
        auths = undefined;
      } else if (member instanceof JsonObject) {
        readAuths(member, auths ??= new Map());
      } else {
        throw new UnreadableDockerConfig(`"auths" is ${jsonKind(member)}, not an object`);
      }
    } else if (field === 'httpheaders' && member !== null
      && !(member instanceof JsonObject && member.members.every(([, header]) => header === null || typeof header === 'string'))) {
      throw new UnreadableDockerConfig('"HttpHeaders" is not an object of strings');
    }
  }
  return auths ?? entries;
}

function readAuths(auths: JsonObject, into: Map<string, KubeletDockerConfigEntry>): void {
  for (const [server, value] of auths.members) {
    const where = `entry ${JSON.stringify(redactUserinfo(server))}`;
    if (value !== null && !(value instanceof JsonObject)) {
      throw new UnreadableDockerConfig(`${where} is ${jsonKind(value)}, not an object`);
    }
    const fields: { [field: string]: string } = { username: '', password: '', email: '', auth: '' };
    for (const [name, field] of value?.members ?? []) {
      const known = goFieldName(name);
      if (known === undefined || !ENTRY_FIELDS.includes(known) || field === null) {
        continue;
      }
      if (typeof field !== 'string') {
        throw new UnreadableDockerConfig(`${where} has ${jsonKind(field)} as ${JSON.stringify(name)}, not a string`);
      }
      fields[known] = field;
    }
    let decoded: Buffer = Buffer.alloc(0);
    if (fields.auth !== '') {
      const result = decodeAuth(fields.auth);
      if (!Buffer.isBuffer(result)) {
        throw new UnreadableDockerConfig(`${where} has an "auth" that is not base64 of "user:password" (${result.problem})`,
          'run "docker login" again, or write auth as base64 of "user:password"');
      }
      decoded = result;
    }
    into.set(server, {
      username: fields.username,
      password: fields.password,
      email: fields.email,
      auth: fields.auth,
      decoded,
      members: value?.members.map(([name]) => name) ?? [],
    });
  }
}

/** Trailing Unicode white space, as Go's `strings.TrimSpace` trims it. */
const GO_TRAILING_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/;

/**
 * The kubelet's `decodeDockerConfigFieldAuth`: padded base64 when the value, trimmed, ends in
 * "=", unpadded base64 otherwise (Go's decoders, neither strict), and the bytes must hold a ":".
 * @returns the decoded bytes, or what is wrong
 */
function decodeAuth(auth: string): Buffer | { problem: string } {
  const padded = auth.replace(GO_TRAILING_SPACE, '').endsWith('=');
  const bytes = goBase64Decode(auth, padded);
  if (bytes === undefined) {
    return { problem: padded ? 'it ends in "=" but is not padded base64' : 'it does not end in "=" and is not unpadded base64' };
  }
  if (!bytes.includes(0x3a)) {
    return { problem: 'it decodes to no ":"' };
  }
  return bytes;
}

/**
 * The user name and password the kubelet pulls with for an entry, as bytes. With an `auth`,
 * `DockerConfigEntry.UnmarshalJSON` (kubernetes `pkg/credentialprovider/config.go`) splits its
 * decoded bytes at the first ":" and keeps both halves as they are, UTF-8 or not; without, it takes
 * `username` and `password`, whose UTF-8 bytes these are.
 * @internal
 */
export function kubeletCredential(entry: KubeletDockerConfigEntry): { readonly username: Buffer; readonly password: Buffer } {
  if (entry.auth === '') {
    return { username: Buffer.from(entry.username, 'utf8'), password: Buffer.from(entry.password, 'utf8') };
  }
  const colon = entry.decoded.indexOf(0x3a);
  return { username: Buffer.from(entry.decoded.subarray(0, colon)), password: Buffer.from(entry.decoded.subarray(colon + 1)) };
}

/**
 * The fields of an entry the kubelet reads.
 * @internal
 */
export const ENTRY_FIELDS = ['username', 'password', 'email', 'auth'];
