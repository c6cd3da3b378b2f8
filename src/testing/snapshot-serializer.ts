// A jest snapshot serializer: `snapshotSerializers: ['cdk8s-private-registry/lib/testing/snapshot-serializer']`.
// It shows a docker config as its servers and usernames and redacts every other credential form,
// so snapshots can be committed; and it writes the hash that `appendHash` adds to a Secret's name
// as `<hash>`, so a snapshot does not change with the password. It only changes what jest
// prints, never what `cdk8s synth` writes. Deliberately not re-exported from index.ts: jest's
// plugin shape is not a jsii API.
import * as YAML from 'yaml';
import { goFieldName, goUtf8Decode, JsonObject, JsonValue, parseGoJson } from '../rules/go-decoding';
import { kubectlSecretHash } from '../rules/secret-hash';
import { redactUserinfo } from '../rules/server-key';

const REDACTED = '<redacted>';

/** The data key of each docker config Secret type. */
const DOCKER_TYPES: { readonly [type: string]: string } = {
  'kubernetes.io/dockerconfigjson': '.dockerconfigjson',
  'kubernetes.io/dockercfg': '.dockercfg',
};
const DOCKER_KEYS = ['.dockerconfigjson', '.dockercfg'];

/**
 * The fields of a docker config entry (and of credential props): the credentials, and those shown.
 * A key names a field as Go's `encoding/json` matches it (`goFieldName`: any case, the long s for
 * "s", the Kelvin sign for "k"), after Go's unquoting of any escapes: the kubelet reads
 * `password` and `auth` so (kubernetes `pkg/credentialprovider/config.go`), docker and containerd
 * `identitytoken` and `registrytoken`.
 */
const SECRET_FIELDS: ReadonlySet<string> = new Set(['password', 'auth', 'identitytoken', 'registrytoken']);
const SHOWN_FIELDS: ReadonlySet<string> = new Set(['username', 'email', 'serveraddress', 'server']);

/** Text that may be YAML or JSON holding a docker config, a Secret of one, or a credential field. */
const STRUCTURED = /dockerc(?:onfigjson|fg)|(?:auth|password|identitytoken|registrytoken)["']?\s*:/i;
/** Text that may hold base64 of a credential form, or a quoted credential field. */
const BASE64_HINT = /[A-Za-z0-9+/]{16}/;
const QUOTED_FIELD_HINT = /(?:auth|password|identitytoken|registrytoken)\\*["']/i;
/**
 * Text that may spell a key in a way only Go's reading shows: a `\uXXXX` escape (at any level of
 * escaping), the long s or the Kelvin sign, in a word that a colon follows. Such text is read as
 * YAML or JSON, or its quoted keys one by one, and each key matched by `goFieldName`.
 */
const GO_SPELLING_HINT = /(?:\\u[0-9A-Fa-f]{4}|[\u017f\u212a])[A-Za-z0-9\\\u017f\u212a]*["']?\s*:/;
/** `kubectl --append-hash`'s suffix, in its alphabet. */
const HASHED_NAME = /^(.+)-([245-9bcdfghkmt]{10})$/;

/** How deep text is searched inside text (base64 in YAML in a ConfigMap in YAML...). */
const MAX_TEXT_DEPTH = 4;
/** Objects nested deeper are not shown: they would overflow jest's printer anyway. */
const MAX_OBJECT_DEPTH = 500;

/**
 * Options of the serializer.
 */
export interface SnapshotSerializerOptions {
  /**
   * Write the hash that `appendHash` (or `kubectl create secret --append-hash`) adds to a Secret's
   * name as `<hash>`, in the Secret and wherever the same printed value names it, so that a
   * snapshot does not change with the password. A name counts as hashed when kubectl's hash of the
   * Secret's own content gives its suffix.
   *
   * @default true
   */
  readonly stableHashedNames?: boolean;
}

type Printer = (value: unknown, ...rest: any[]) => string;

/** A jest snapshot serializer plugin. */
export interface SnapshotSerializer {
  test(value: unknown): boolean;
  serialize(value: unknown, config: unknown, indentation: string, depth: number, refs: unknown, printer: Printer): string;
}

// What the serializer printed is never handed to it again, which rules out endless recursion.
const producedObjects = new WeakSet<object>();
let producedStrings = new Set<string>();
let printing = 0;

/**
 * A serializer with other options, for a file that `snapshotSerializers` names, or for
 * `expect.addSnapshotSerializer`.
 */
export function snapshotSerializer(options: SnapshotSerializerOptions = {}): SnapshotSerializer {
  const stable = options.stableHashedNames ?? true;
  let lastText: [string, string] | undefined;
  return {
    test(value: unknown): boolean {
      try {
        if (typeof value === 'string') {
          if (producedStrings.has(value)) {
            return false;
          }
          lastText = [value, new Redaction(stable, value).text(value)];
          return lastText[1] !== value;
        }
        // jest asks again for each part of an object it prints, strings and keys included: an
        // object is ours only if it is a Secret or an entry itself, or holds a hashed Secret
        // whose name is shown elsewhere in it
        return isContainer(value) && !producedObjects.has(value)
          && (isDockerSecret(value) || isEntry(value) || isDockerConfig(value) || (stable && new Redaction(stable, value).hasHashedNames()));
      } catch {
        return false;
      }
    },
    serialize(value: unknown, config: unknown, indentation: string, depth: number, refs: unknown, printer: Printer): string {
      printing++;
      try {
        let shown: unknown;
        try {
          if (typeof value === 'string' && lastText?.[0] === value) {
            shown = lastText[1];
          } else {
            const redaction = new Redaction(stable, value);
            shown = redaction.value(value, 0);
            redaction.strings.forEach(s => producedStrings.add(s));
          }
        } catch {
          shown = `${REDACTED} (a value the serializer cannot read)`;
        }
        if (typeof shown === 'string') {
          producedStrings.add(shown);
        }
        return printer(shown, config, indentation, depth, refs);
      } finally {
        if (--printing === 0) {
          producedStrings = new Set();
        }
      }
    },
  };
}

const defaults = snapshotSerializer();

/** whether jest should print `value` with this serializer */
export const test = defaults.test;

/** prints `value` with its credentials redacted and its hashed names stable */
export const serialize = defaults.serialize;

/** One printed value: the hashed names found in it, and what was made for it. */
class Redaction {
  /** hashed name to the name shown */
  private readonly names = new Map<string, string>();
  /** every string made, for the produced set */
  public readonly strings: string[] = [];
  private readonly clones = new Map<object, unknown>();

  constructor(stable: boolean, value: unknown) {
    if (stable) {
      this.collect(value, 0, new Set());
    }
  }

  public hasHashedNames(): boolean {
    return this.names.size > 0;
  }

  /**
   * `value` as printed: a clone of plain objects and arrays, with Secrets and credential fields
   * redacted and every string through `text`. Class instances, Maps and Buffers are left to
   * jest, which prints their parts and hands each to the serializer.
   */
  public value(value: unknown, depth: number, textDepth = 0): unknown {
    if (typeof value === 'string') {
      return this.text(value, textDepth);
    }
    if (!isContainer(value)) {
      return value;
    }
    if (this.clones.has(value)) {
      return this.clones.get(value);
    }
    if (depth > MAX_OBJECT_DEPTH) {
      return this.made(`${REDACTED} (nested deeper than ${MAX_OBJECT_DEPTH} levels)`);
    }
    const clone: any = this.produce(Array.isArray(value) ? new Array(value.length) : {});
    this.clones.set(value, clone);
    const secret = isSecret(value);
    const entry = !secret && isEntry(value);
    const array = Array.isArray(value as unknown);
    for (const key of Object.keys(value)) {
      const item = value[key];
      let shown: unknown;
      if (secret && (key === 'data' || key === 'stringData')) {
        shown = this.secretData(value, key, textDepth);
      } else if (entry) {
        shown = this.field(key, item, textDepth);
      } else if (!array && isAuths(key, item)) {
        // a docker config: every entry's fields, whatever else the entry holds
        shown = this.servers(item, textDepth);
      } else {
        shown = this.value(item, depth + 1, textDepth);
      }
      define(clone, Array.isArray(value) ? key : this.text(key, textDepth), shown);
    }
    for (const symbol of Object.getOwnPropertySymbols(value)) {
      if (Object.prototype.propertyIsEnumerable.call(value, symbol)) {
        clone[symbol] = this.value(value[symbol as any], depth + 1, textDepth);
      }
    }
    return clone;
  }

  /**
   * `text` with every credential form redacted and hashed names made stable: YAML or JSON is
   * read and written back with its Secrets redacted and its strings through `text` again; other
   * text gets the text rules.
   */
  public text(text: string, depth = 0): string {
    let out = text;
    if (STRUCTURED.test(text) || GO_SPELLING_HINT.test(text)) {
      out = this.structured(text, depth) ?? redactText(text, depth);
    } else if (BASE64_HINT.test(text) || QUOTED_FIELD_HINT.test(text)) {
      out = redactText(text, depth);
    }
    for (const [name, shown] of this.names) {
      out = out.split(name).join(shown);
    }
    return this.made(out);
  }

  private made(s: string): string {
    this.strings.push(s);
    return s;
  }

  private produce<T extends object>(value: T): T {
    producedObjects.add(value);
    return value;
  }

  /** YAML or JSON text with its documents redacted; undefined when it is neither */
  private structured(text: string, depth: number): string | undefined {
    const parsed = depth < MAX_TEXT_DEPTH ? parseStructured(text) : undefined;
    let before: string;
    try {
      before = JSON.stringify(parsed?.docs);
    } catch {
      return undefined; // a cycle through YAML aliases: the text rules apply
    }
    if (parsed === undefined) {
      return undefined;
    }
    const redacted = parsed.docs.map(doc => this.value(doc, 0, depth + 1));
    if (JSON.stringify(redacted) === before) {
      return text;
    }
    if (parsed.json) {
      return JSON.stringify(redacted[0], null, text.includes('\n') ? 2 : undefined);
    }
    return redacted.map(doc => YAML.stringify(doc, { lineWidth: 0 })).join('---\n');
  }

  /** a field of a docker config entry or of credential props */
  private field(key: string, item: unknown, textDepth: number): unknown {
    const field = goFieldName(key) ?? '';
    if (!SHOWN_FIELDS.has(field) || typeof item !== 'string') {
      return REDACTED;
    }
    return this.text(field.startsWith('server') ? redactUserinfo(item) : item, textDepth);
  }

  /** the `auths` map of a docker config: each server with its entry's fields */
  private servers(auths: unknown, textDepth: number): unknown {
    return this.map(auths, (server, item) => [this.text(redactUserinfo(server), textDepth),
      this.map(item, (field, v) => [this.text(field, textDepth), this.field(field, v, textDepth)])]);
  }

  /** a plain object as `each` shows its members; anything else redacted */
  private map(object: unknown, each: (key: string, item: unknown) => [string, unknown]): unknown {
    if (!isContainer(object) || Array.isArray(object)) {
      return REDACTED;
    }
    const shown = this.produce({});
    for (const key of Object.keys(object)) {
      define(shown, ...each(key, object[key]));
    }
    return shown;
  }

  /** a Secret's data or stringData: docker configs shown, other keys of a docker config Secret redacted */
  private secretData(secret: { [key: string]: any }, key: 'data' | 'stringData', textDepth: number): unknown {
    const data = secret[key];
    const docker = isDockerType(secret.type);
    if (!isContainer(data) || Array.isArray(data)) {
      return docker ? REDACTED : this.value(data, 1, textDepth);
    }
    const shown = this.produce({});
    for (const name of Object.keys(data)) {
      define(shown, this.text(name, textDepth), DOCKER_KEYS.includes(name) ? this.dockerConfig(data[name], key === 'data', textDepth)
        : docker ? REDACTED : this.value(data[name], 1, textDepth));
    }
    return shown;
  }

  /** a docker config, read as the kubelet reads it (Go's JSON), as its servers, usernames and emails */
  private dockerConfig(value: unknown, encoded: boolean, textDepth: number): unknown {
    if (typeof value !== 'string') {
      return REDACTED;
    }
    const config = parseGoJson(encoded ? goUtf8Decode(Buffer.from(value, 'base64')) : value);
    if (!(config instanceof JsonObject)) {
      return config === null || typeof config !== 'object' || Array.isArray(config) ? `${REDACTED} (not JSON)` : REDACTED;
    }
    const object = plainObject(config, 0);
    if (Object.keys(object).some(key => goFieldName(key) === 'auths')) {
      return this.map(object, (key, item) => [this.text(key, textDepth), goFieldName(key) === 'auths' ? this.servers(item, textDepth) : REDACTED]);
    }
    return this.servers(object, textDepth);
  }

  /** finds the Secrets whose names carry kubectl's hash of their own content */
  private collect(value: unknown, depth: number, seen: Set<object>): void {
    if (typeof value === 'string') {
      if (depth < MAX_TEXT_DEPTH && value.includes('Secret') && /-[245-9bcdfghkmt]{10}\b/.test(value)) {
        parseStructured(value)?.docs.forEach(doc => this.collect(doc, depth + 1, seen));
      }
      return;
    }
    if (!isContainer(value) || seen.has(value)) {
      return;
    }
    seen.add(value);
    const hashed = hashedName(value);
    if (hashed) {
      this.names.set(hashed[0], hashed[1]);
    }
    for (const key of Object.keys(value)) {
      this.collect(value[key], depth, seen);
    }
  }
}

function define(object: object, key: string, value: unknown): void {
  // defineProperty, not assignment: "__proto__" is a key like any other
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** a parsed JSON value as plain objects and arrays (of two equal keys, the last), cut below what is shown */
function plainValue(value: JsonValue, depth: number): unknown {
  if (depth > MAX_OBJECT_DEPTH && (value instanceof JsonObject || Array.isArray(value))) {
    return `${REDACTED} (nested deeper than ${MAX_OBJECT_DEPTH} levels)`;
  }
  if (Array.isArray(value)) {
    return value.map(item => plainValue(item, depth + 1));
  }
  return value instanceof JsonObject ? plainObject(value, depth) : value;
}

function plainObject(value: JsonObject, depth: number): { [key: string]: unknown } {
  const object: { [key: string]: unknown } = {};
  for (const [key, item] of value.members) {
    define(object, key, plainValue(item, depth + 1));
  }
  return object;
}

/** A docker config object: a member Go reads as its `auths` map. */
function isDockerConfig(value: { [key: string]: any }): boolean {
  return !Array.isArray(value) && Object.keys(value).some(key => isAuths(key, value[key]));
}

/** a member that Go reads as a docker config's `auths` map */
function isAuths(key: string, item: unknown): item is { [key: string]: any } {
  return goFieldName(key) === 'auths' && isContainer(item) && !Array.isArray(item);
}

/** the field a key names, as Go reads it (see SECRET_FIELDS) */
function fieldOf(key: string): string {
  return goFieldName(key) ?? '';
}

/** The documents of YAML or JSON text that holds at least one mapping or sequence. */
function parseStructured(text: string): { docs: unknown[]; json: boolean } | undefined {
  const trimmed = text.trim();
  if (/^[[{"]/.test(trimmed)) {
    // read as Go reads it, escapes in keys included; a JSON string is read too: it may hold
    // escaped JSON or YAML
    const value = parseGoJson(trimmed);
    if (value instanceof JsonObject || Array.isArray(value) || typeof value === 'string') {
      return { docs: [plainValue(value, 0)], json: true };
    }
    // YAML, perhaps
  }
  try {
    const docs = YAML.parseAllDocuments(text, { logLevel: 'silent' });
    if (!Array.isArray(docs) || docs.some(doc => doc.errors.length > 0) || !docs.some(doc => YAML.isCollection(doc.contents))) {
      return undefined;
    }
    return { docs: docs.map(doc => doc.toJS({ maxAliasCount: 100 })), json: false };
  } catch {
    return undefined;
  }
}

/** A plain object or array, as JSON and YAML make them. */
function isContainer(value: unknown): value is { [key: string]: any } {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || (Array.isArray(value) && proto === Array.prototype);
}

function isDockerType(type: unknown): boolean {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(DOCKER_TYPES, type);
}

/** A Secret, or the props of one whose type is a docker config. */
function isSecret(value: { [key: string]: any }): boolean {
  return !Array.isArray(value) && (value.kind === 'Secret' || isDockerType(value.type));
}

/** A Secret with something to redact: a docker config type, or a docker config key in any type. */
function isDockerSecret(value: { [key: string]: any }): boolean {
  if (!isSecret(value)) {
    return false;
  }
  const sections = [value.data, value.stringData].filter(section => section !== undefined);
  return isDockerType(value.type) ? sections.length > 0
    : sections.some(section => isContainer(section) && DOCKER_KEYS.some(key => Object.prototype.hasOwnProperty.call(section, key)));
}

/** A docker config entry or credential props: only entry fields, and a credential among them. */
function isEntry(value: { [key: string]: any }): boolean {
  const keys = Object.keys(value);
  return !Array.isArray(value) && keys.length > 0 && keys.every(key => SECRET_FIELDS.has(fieldOf(key)) || SHOWN_FIELDS.has(fieldOf(key)))
    && keys.some(key => SECRET_FIELDS.has(fieldOf(key)) && typeof value[key] === 'string');
}

/** [the name, the name shown] of a Secret named with kubectl's hash of its own content */
function hashedName(value: { [key: string]: any }): [string, string] | undefined {
  if (Array.isArray(value) || value.kind !== 'Secret') {
    return undefined;
  }
  const name = value.metadata?.name;
  const match = typeof name === 'string' ? HASHED_NAME.exec(name) : null;
  const data = value.data;
  if (!match || !isContainer(data) || Array.isArray(data) || !Object.values(data).every(v => typeof v === 'string')) {
    return undefined;
  }
  const type = typeof value.type === 'string' ? value.type : '';
  const variants = typeof value.immutable === 'boolean' ? [value.immutable, undefined] : [undefined];
  return variants.some(immutable => kubectlSecretHash({ name: match[1], type, data, immutable }) === match[2]) ? [name, `${match[1]}-<hash>`] : undefined;
}

// ---- the text rules: credential forms in text that is not YAML or JSON, or inside its strings ----

/**
 * A quoted key and the quote that opens its value, at any level of JSON escaping: `"auth": "`,
 * `\"pass\\u0077ord\":\"`...; `isCredentialKey` tells whether Go reads the key as a credential.
 */
const QUOTED_KEY = /(\\*)(["'])([^\n"']{1,200}?)\1\2\s*:\s*\1\2/gu;
/** JSON in a JSON string in a JSON string...: how many times a key is unquoted at most */
const MAX_UNQUOTES = 8;
/** a docker config key and its colon, quoted or not */
const DOCKER_KEY = /(\\*)(["']?)\.docker(?:configjson|cfg)\1\2[ \t]*(?:\r?\n[ \t]*)?:/g;
/** base64, also wrapped over lines (real or escaped newlines) */
const BASE64_RUN = /[A-Za-z0-9+/]{4,}(?:(?:\r?\n|\\n)[ \t]*[A-Za-z0-9+/]{4,})*={0,2}/g;

/**
 * `text` with the values of credential fields, docker config values, base64 holding either, and,
 * when the text names a docker config, every value of its `data` and `stringData` sections redacted
 */
function redactText(text: string, depth: number): string {
  const sections = /dockerc(?:onfigjson|fg)/i.test(text) ? redactSecretSections(text) : text;
  return redactBase64(redactQuotedFields(redactDockerKeys(sections)), depth);
}

/** a `data:` or `stringData:` key, in YAML or (at any level of escaping) JSON */
const SECTION_HEADER = /^([ \t]*(?:- )?)(["']?)(?:data|stringData)\2[ \t]*:[ \t]*(.*)$/;
const INLINE_SECTION = /(\\*)(["'])(?:data|stringData)\1\2\s*:\s*\{/g;
/** a `key: value` line of a YAML mapping, or its `? key` form */
const SECTION_ENTRY = /^([ \t]*(?:\? )?(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s:#'"?][^:]*?)[ \t]*:)(?:[ \t]+(.*))?$/;

/** text that is not YAML or JSON but names a docker config: the values of its Secret data sections */
function redactSecretSections(text: string): string {
  const lines = text.split('\n');
  let section = -1; // the indentation of the data or stringData key whose lines follow; -1: none
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const indent = /^[ \t]*/.exec(line)![0].length;
    if (section >= 0 && (line.trim() === '' || indent > section)) {
      lines[i] = redactSectionLine(line);
      continue;
    }
    section = -1;
    const header = SECTION_HEADER.exec(line);
    if (header && (header[3] === '' || header[3].startsWith('#'))) {
      section = header[1].length;
    } else if (header && !header[3].startsWith(REDACTED)) {
      lines[i] = line.slice(0, line.length - header[3].length) + REDACTED;
    }
  }
  const joined = lines.join('\n');
  let out = '';
  let last = 0;
  for (const match of joined.matchAll(INLINE_SECTION)) {
    const open = match.index! + match[0].length;
    if (open < last) {
      continue;
    }
    // up to the brace that closes the section; braces in strings are not told apart, which errs on the side of hiding
    let end = open;
    for (let depth = 0; end < joined.length && depth >= 0; end++) {
      depth += joined[end] === '{' ? 1 : joined[end] === '}' ? -1 : 0;
    }
    end = joined[end - 1] === '}' ? end - 1 : end;
    out += joined.slice(last, open) + REDACTED;
    last = end;
  }
  return out + joined.slice(last);
}

function redactSectionLine(line: string): string {
  const entry = SECTION_ENTRY.exec(line);
  if (entry) {
    const value = entry[2] ?? '';
    return value === '' || /^[|>][-+0-9]*(?:[ \t]*#.*)?$/.test(value) || value.startsWith(REDACTED) ? line : `${entry[1]} ${REDACTED}`;
  }
  const content = line.trim();
  // a line of a multi-line value, or the ": value" half of a "? key"
  return content === '' || content === REDACTED || content.startsWith('? ') ? line : line.slice(0, line.indexOf(content)) + REDACTED;
}

/**
 * The end of a quoted value that starts at `from`, written with `run` backslashes before its
 * quotes: the first quote with a run of r backslashes, r = run (mod 2 * (run + 1)); or the end of
 * the line.
 */
function quotedEnd(text: string, from: number, quote: string, run: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      return i;
    }
    if (c === quote) {
      let r = 0;
      while (i - r - 1 >= from && text[i - r - 1] === '\\') {
        r++;
      }
      if (r % (2 * (run + 1)) === run) {
        return i - r;
      }
    }
  }
  return text.length;
}

/**
 * Whether the body of a quoted key, written at some level of JSON escaping, is a credential field
 * for Go: unquoted as Go unquotes a JSON string (`parseGoJson`) until no escape is left, then
 * matched by `goFieldName`.
 */
function isCredentialKey(body: string): boolean {
  let key = body;
  for (let i = 0; i < MAX_UNQUOTES && key.includes('\\'); i++) {
    const unquoted = parseGoJson(`"${key}"`);
    if (typeof unquoted !== 'string') {
      break;
    }
    key = unquoted;
  }
  return SECRET_FIELDS.has(fieldOf(key));
}

function redactQuotedFields(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(QUOTED_KEY)) {
    const start = match.index! + match[0].length;
    if (start < last || !isCredentialKey(match[3])) {
      continue;
    }
    const end = quotedEnd(text, start, match[2], match[1].length);
    out += text.slice(last, start) + (end > start ? REDACTED : '');
    last = end;
  }
  return out + text.slice(last);
}

function redactDockerKeys(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(DOCKER_KEY)) {
    let start = match.index! + match[0].length;
    if (start < last) {
      continue;
    }
    while (text[start] === ' ' || text[start] === '\t') {
      start++;
    }
    let end: number;
    const rest = text.slice(start);
    if (rest.startsWith(REDACTED) || /^[{[]/.test(rest) || /^\\*"\{/.test(rest)) {
      continue; // nothing, or structure whose fields the other rules read
    }
    const quoted = /^(\\*)(["'])/.exec(rest);
    if (quoted) {
      start += quoted[0].length;
      end = quotedEnd(text, start, quoted[2], quoted[1].length);
    } else if (/^(?:[|>][-+0-9]*)?[ \t]*(?:\r?\n|$)/.test(rest)) {
      // the value is on the lines below, indented more than the key's line
      const lineStart = text.lastIndexOf('\n', match.index!) + 1;
      const indent = /^[ \t-]*/.exec(text.slice(lineStart))![0].length;
      const below = /^[^\n]*\n?((?:(?:[ \t]*\r?\n)|(?:[ \t]{INDENT,}[^\n]*(?:\n|$)))*)/.source.replace('INDENT', String(indent + 1));
      const value = new RegExp(below).exec(rest)!;
      start += value[0].length - value[1].length;
      end = start + value[1].replace(/\n$/, '').length;
      if (end === start) {
        continue;
      }
    } else {
      end = text.indexOf('\n', start);
      end = end < 0 ? text.length : end;
    }
    out += text.slice(last, start) + REDACTED;
    last = end;
  }
  return out + text.slice(last);
}

/** base64 (at any of its four alignments) that decodes to text holding a credential form */
function redactBase64(text: string, depth: number): string {
  return text.replace(BASE64_RUN, run => {
    const joined = run.replace(/(?:\r?\n|\\n)[ \t]*/g, '');
    if (joined.length < 20) {
      return run;
    }
    for (let offset = 0; offset < 4; offset++) {
      const decoded = Buffer.from(joined.slice(offset), 'base64').toString('utf8');
      // too deep to look inside: any hint of a credential form is enough
      if (depth >= MAX_TEXT_DEPTH ? STRUCTURED.test(decoded) || BASE64_HINT.test(decoded) : redactText(decoded, depth + 1) !== decoded) {
        return run.slice(0, offset) + REDACTED;
      }
    }
    return run;
  });
}
