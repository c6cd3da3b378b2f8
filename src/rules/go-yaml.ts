/*
 * One YAML document read as kubectl reads it: go-yaml v2 (go.yaml.in/yaml/v2 2.4, the parser of
 * sigs.k8s.io/yaml) decodes it into Go values, and sigs.k8s.io/yaml turns those into JSON.
 * - Plain scalars resolve by YAML 1.1 rules (`resolve.go`): `yes`, `no`, `on`, `off`, `y`, `n` are
 *   booleans, `0755` is octal, `1_000` is 1000, `1e400` stays a string; timestamps stay strings.
 * - Explicit tags resolve as `resolve(tag, value)` does; unknown tags leave the value as it is.
 * - A key given twice keeps its last value; merge keys (`<<`) apply in document order, each
 *   overwriting what came before (`decode.go`, `mapping` and `merge`).
 * - Non-string keys become strings (`convertToJSONableObject`); NaN and infinities make the
 *   document unreadable (`json.Marshal`).
 * Documents with a merge key are read with `yaml`, which keeps the order of a mapping's pairs;
 * all others with js-yaml, which is faster. Both give each mapping and sequence its line.
 */
import * as jsyaml from 'js-yaml';
import { Alias, isAlias, isMap, isScalar, isSeq, LineCounter, Node as YamlNode, parseDocument, Scalar } from 'yaml';
import { goBase64Decode, goUtf8Decode } from './go-decoding';

/** A document's value, and where its parts are. */
export interface ReadDocument {
  readonly value: unknown;
  /** the 1-based line (in the text read) of the mapping or sequence at `path`, or of the nearest one above it */
  line(path: ReadonlyArray<string | number>): number;
  /** the line of a mapping or sequence of the value, found without walking a path to it; undefined if none is kept */
  lineOf?(node: object): number | undefined;
}

/** Why a document cannot be read, and where; never the parser's own message, which may quote the text. */
export interface ReadError {
  readonly line: number;
  readonly column?: number;
  readonly reason: string;
}

/** How deep a document may nest: JSON's decoder in Go stops at 10,000, the stack sooner. */
const MAX_DEPTH = 1_000;

/** How far aliases may expand in one document, in nodes. */
export const MAX_ALIAS_NODES = 10_000;

const TAG = 'tag:yaml.org,2002:';

/** The first characters go-yaml looks at before it tries a plain scalar as anything but a string. */
const HINT: { readonly [c: string]: 'M' | 'D' | 'S' | '.' } = (() => {
  const hints: { [c: string]: 'M' | 'D' | 'S' | '.' } = { '+': 'S', '-': 'S', '.': '.' };
  for (const c of '0123456789') {
    hints[c] = 'D';
  }
  for (const c of 'yYnNtTfFoO~') {
    hints[c] = 'M';
  }
  return hints;
})();

const RESOLVE_MAP: ReadonlyMap<string, boolean | null | number> = new Map<string, boolean | null | number>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map(s => [s, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(s => [s, false] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map(s => [s, null] as const),
  ...['.nan', '.NaN', '.NAN'].map(s => [s, NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map(s => [s, Infinity] as const),
  ...['-.inf', '-.Inf', '-.INF'].map(s => [s, -Infinity] as const),
]);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)`, as a number; undefined where Go errs. */
function goParseInteger(text: string, signed: boolean): number | undefined {
  const match = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!match || (!signed && match[1] !== '')) {
    return undefined;
  }
  let digits = match[2];
  if (/^0[0-7]/.test(digits)) {
    digits = `0o${digits.slice(1)}`;
  }
  let value = BigInt(digits.toLowerCase());
  if (match[1] === '-') {
    value = -value;
  }
  const fits = signed ? value >= INT64_MIN && value <= INT64_MAX : value >= 0n && value <= UINT64_MAX;
  return fits ? Number(value) : undefined;
}

/** The YAML type go-yaml resolves a plain scalar to, and its value. */
type Resolved = readonly ['str' | 'bool' | 'null' | 'int' | 'float', unknown];

/** go-yaml's `resolve("", in)`: what a plain scalar without a tag is */
function resolveScalar(text: string): Resolved {
  const hint = text === '' ? 'M' : HINT[text[0]];
  if (hint === undefined) {
    return ['str', text];
  }
  const known = RESOLVE_MAP.get(text);
  if (known !== undefined) {
    return [known === null ? 'null' : typeof known === 'boolean' ? 'bool' : 'float', known];
  }
  if (hint === '.') {
    // strconv.ParseFloat on ".5", ".5e3"; nothing else starting with "." parses
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) && Number.isFinite(Number(text)) ? ['float', Number(text)] : ['str', text];
  }
  if (hint === 'M') {
    return ['str', text];
  }
  const plain = text.replace(/_/g, '');
  const integer = goParseInteger(plain, true) ?? goParseInteger(plain, false);
  if (integer !== undefined) {
    return ['int', integer];
  }
  if (YAML_STYLE_FLOAT.test(plain)) {
    const float = Number(plain);
    // ParseFloat errs on overflow: the scalar stays a string
    if (Number.isFinite(float)) {
      return ['float', float];
    }
  }
  return ['str', text];
}

/**
 * What go-yaml v2 makes of a plain scalar without a tag: a boolean, null, a number or the string
 * itself (`resolve("", in)`, then `decoder.scalar` into an interface).
 * @internal
 */
export function resolvePlain(text: string): unknown {
  return resolveScalar(text)[1];
}

/** Thrown for a document kubectl refuses; its message never quotes the document. */
class Refused extends Error {}

/**
 * A scalar with an explicit tag, as `resolve(tag, in)` and `decoder.scalar` read it: `!!str` is the
 * text, `!!binary` its base64 bytes, a YAML type must match what the text resolves to (an integer
 * may be a `!!float`), and any other tag leaves the text as it is.
 */
function resolveTagged(tag: string, text: string): unknown {
  switch (tag) {
    case `${TAG}str`:
      return text;
    case `${TAG}binary`: {
      const bytes = goBase64Decode(text, true);
      if (bytes === undefined) {
        throw new Refused('a !!binary value is not valid base64');
      }
      // json.Marshal writes each byte that is not UTF-8 as one U+FFFD
      return goUtf8Decode(bytes);
    }
    case `${TAG}bool`:
    case `${TAG}int`:
    case `${TAG}float`:
    case `${TAG}null`:
    case `${TAG}timestamp`: {
      const wanted = tag.slice(TAG.length);
      const [kind, value] = resolveScalar(text);
      if (wanted === 'timestamp' && kind === 'str' && isTimestamp(text)) {
        // decoded into an interface, a timestamp stays its text
        return text;
      }
      if (kind === wanted) {
        return value;
      }
      if (wanted === 'float' && kind === 'int') {
        return value;
      }
      throw new Refused(`a value tagged !!${wanted} is not one`);
    }
    default:
      return text;
  }
}

/** go-yaml's `parseTimestamp`, for a `!!timestamp` tag: YYYY-M-D, optionally with a time */
function isTimestamp(text: string): boolean {
  return /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]| +)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]*)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$/.test(text);
}

/**
 * The key sigs.k8s.io/yaml writes for a Go map key: strings as they are, integers in decimal,
 * floats as `strconv.FormatFloat(f, 'g', -1, 32)`, booleans as `true`/`false`; others are refused.
 */
function jsonKey([kind, key]: Resolved): string {
  switch (kind) {
    case 'str':
      return key as string;
    case 'bool':
      return String(key);
    case 'int':
      return BigInt(key as number).toString();
    case 'float':
      return goFloat32(key as number);
    default:
      throw new Refused('a mapping has a null key, which kubectl cannot write as JSON');
  }
}

/** `strconv.FormatFloat(f, 'g', -1, 32)`: the shortest decimal that reads back as the same float32 */
function goFloat32(value: number): string {
  if (Number.isNaN(value)) {
    return '.nan';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '.inf' : '-.inf';
  }
  const single = Math.fround(value);
  if (single === 0) {
    return Object.is(single, -0) ? '-0' : '0';
  }
  for (let digits = 1; ; digits++) {
    const text = single.toExponential(digits - 1);
    if (digits < 9 && Math.fround(Number(text)) !== single) {
      continue;
    }
    const [mantissa, exponentText] = text.split('e');
    const exponent = Number(exponentText);
    // %g at the shortest precision decides as if the precision were 6
    if (exponent < -4 || exponent >= 6) {
      const short = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
      return `${short}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    }
    return String(Number(text));
  }
}

// ---------------------------------------------------------------------------------------------
// js-yaml, for documents without a merge key

/** set while js-yaml reads, by constructors that find what `json.Marshal` refuses */
let unmarshalable: string | undefined;
/** set while js-yaml reads: a float that, were it a key, sigs.k8s.io/yaml would write otherwise than js-yaml */
let floatKeyDiffers = false;

const numberOrRefuse = (value: unknown): unknown => {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    unmarshalable ??= 'a value is NaN or infinite, which kubectl cannot write as JSON';
  }
  return value;
};

/** what `PLAIN.resolve` found, for the `construct` js-yaml calls next on the same text */
let lastResolved: Resolved = ['str', ''];

const PLAIN = new jsyaml.Type(`${TAG}go-plain`, {
  kind: 'scalar',
  resolve: (data: string) => {
    // only what may resolve to something else than the string itself
    const hint = data.length === 0 ? undefined : HINT[data[0]];
    if (hint === undefined || (hint === 'M' && !RESOLVE_MAP.has(data))) {
      return false;
    }
    lastResolved = resolveScalar(data);
    return lastResolved[0] !== 'str';
  },
  construct: () => {
    const [kind, value] = lastResolved;
    if (kind === 'float' && String(value) !== goFloat32(value as number)) {
      floatKeyDiffers = true;
    }
    return numberOrRefuse(value);
  },
});

const TAGGED = ['str', 'binary', 'bool', 'int', 'float', 'null', 'timestamp'].map(name => new jsyaml.Type(`${TAG}${name}`, {
  kind: 'scalar',
  resolve: () => true,
  construct: (data: string | null) => numberOrRefuse(resolveTagged(`${TAG}${name}`, data ?? '')),
}));

/** any other tag: go-yaml decodes the node as if it had none, and leaves a scalar a string */
const OTHER_TAGS = (['scalar', 'sequence', 'mapping'] as const).map(kind => new jsyaml.Type('', {
  kind,
  multi: true,
  resolve: () => true,
  construct: (data: unknown) => data ?? (kind === 'scalar' ? '' : data),
}));

const GO_YAML_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [PLAIN], explicit: [...TAGGED, ...OTHER_TAGS] });

interface JsYamlState {
  readonly line: number;
  readonly result: unknown;
}

function readWithJsYaml(text: string): ReadDocument | ReadError {
  const lines = new Map<object, number>();
  // a collection's line is where its content starts: its first child's, or its own when empty
  const open: number[] = [];
  const first: number[] = [];
  let depth = 0;
  unmarshalable = undefined;
  floatKeyDiffers = false;
  let value: unknown;
  try {
    value = jsyaml.load(text, {
      schema: GO_YAML_SCHEMA,
      json: true,
      maxDepth: MAX_DEPTH,
      listener: (event: 'open' | 'close', state: JsYamlState) => {
        if (event === 'open') {
          if (depth > 0 && first[depth - 1] < 0) {
            first[depth - 1] = state.line;
          }
          open[depth] = state.line;
          first[depth++] = -1;
        } else {
          depth--;
          const result = state.result;
          if (typeof result === 'object' && result !== null && !lines.has(result)) {
            lines.set(result, (first[depth] < 0 ? open[depth] : first[depth]) + 1);
          }
        }
      },
    } as jsyaml.LoadOptions);
  } catch (e: any) {
    if (e instanceof Refused) {
      return { line: 1, reason: e.message };
    }
    const mark = e?.mark;
    return {
      line: typeof mark?.line === 'number' ? mark.line + 1 : 1,
      column: typeof mark?.column === 'number' ? mark.column + 1 : undefined,
      reason: jsYamlReason(e),
    };
  }
  if (unmarshalable !== undefined) {
    return { line: 1, reason: unmarshalable };
  }
  if (floatKeyDiffers) {
    // rare: js-yaml has no way to tell a key from a value
    return readWithYaml(text);
  }
  // js-yaml shares an aliased node instead of copying it: a "billion laughs" would not end
  if (text.includes('*') && !withinNodes(value, Math.max(text.length, MAX_ALIAS_NODES))) {
    return { line: 1, reason: aliasReason() };
  }
  return { value, line: path => lineAt(value, path, lines), lineOf: node => lines.get(node) };
}

/** js-yaml's reason without what it quotes of the text (a name, a tag), which may be a password */
function jsYamlReason(e: any): string {
  const reason: string = typeof e?.reason === 'string' ? e.reason : '';
  if (reason.startsWith('nesting exceeded maxDepth')) {
    return `the document nests deeper than ${MAX_DEPTH} levels`;
  }
  if (reason.startsWith('the stream contains non-printable') || reason.startsWith('null byte')) {
    return 'the document holds a control character, which go-yaml refuses';
  }
  const fixed = reason.split(/["!(]|: /)[0].trim();
  if (fixed === '') {
    return 'the document is not valid YAML';
  }
  const hint = fixed.startsWith('end of the stream or a document separator') ? ' (often a line indented less than its mapping)' : '';
  return `the document is not valid YAML: ${fixed}${hint}`;
}

function aliasReason(): string {
  return `the alias expansion is too large: aliases would expand to more than ${MAX_ALIAS_NODES} nodes; write the repeated parts out, or anchor fewer of them`;
}

/** whether `value`, with aliases expanded, has at most `limit` nodes */
function withinNodes(value: unknown, limit: number): boolean {
  const stack = [value];
  for (let count = 0; stack.length > 0; count++) {
    if (count > limit) {
      return false;
    }
    const node = stack.pop();
    if (typeof node === 'object' && node !== null) {
      for (const child of Array.isArray(node) ? node : Object.values(node)) {
        stack.push(child);
      }
    }
  }
  return true;
}

/** the line of the deepest object along `path` that has one */
function lineAt(value: unknown, path: ReadonlyArray<string | number>, lines: ReadonlyMap<object, number>): number {
  // the objects along the path, then the line of the deepest that has one
  const nodes: unknown[] = [value];
  for (let i = 0; i < path.length; i++) {
    const node = nodes[i];
    if (typeof node !== 'object' || node === null) {
      break;
    }
    nodes.push((node as any)[path[i]]);
  }
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    const line = typeof node === 'object' && node !== null ? lines.get(node) : undefined;
    if (line !== undefined) {
      return line;
    }
  }
  return 1;
}

// ---------------------------------------------------------------------------------------------
// yaml, for documents with a merge key: it keeps a mapping's pairs in order, duplicates included

function readWithYaml(text: string): ReadDocument | ReadError {
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter, merge: false, uniqueKeys: false, schema: 'failsafe', logLevel: 'silent', prettyErrors: false });
  } catch {
    return { line: 1, reason: 'the document cannot be read as data' };
  }
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { line, column: col, reason: `the document is not valid YAML (YAML error ${error.code})` };
  }
  const lines = new Map<object, number>();
  let nodes = 0;
  const expanding = new Set<YamlNode>();
  const convert = (node: unknown, depth: number): unknown => {
    if (++nodes > Math.max(text.length, MAX_ALIAS_NODES)) {
      throw new Refused(aliasReason());
    }
    if (depth > MAX_DEPTH) {
      throw new Refused(`the document nests deeper than ${MAX_DEPTH} levels`);
    }
    if (node === null || node === undefined) {
      return null;
    }
    if (isAlias(node)) {
      const target = (node as Alias).resolve(doc);
      if (!target) {
        throw new Refused('an alias names an anchor that is not defined before it');
      }
      if (expanding.has(target)) {
        throw new Refused('an anchor\'s value contains an alias of itself');
      }
      expanding.add(target);
      try {
        return convert(target, depth + 1);
      } finally {
        expanding.delete(target);
      }
    }
    if (isScalar(node)) {
      return scalarValue(node);
    }
    const line = (node as YamlNode).range ? lineCounter.linePos((node as YamlNode).range![0]).line : 1;
    if (isSeq(node)) {
      const out: unknown[] = node.items.map(item => convert(item, depth + 1));
      lines.set(out, line);
      return out;
    }
    if (isMap(node)) {
      const out: { [key: string]: unknown } = {};
      lines.set(out, line);
      fill(out, node, depth);
      return out;
    }
    throw new Refused('the document cannot be read as data');
  };
  const keyOf = (node: unknown): string => {
    const target = isAlias(node) ? (node as Alias).resolve(doc) : node;
    if (target === null || target === undefined) {
      return jsonKey(['null', null]);
    }
    if (!isScalar(target)) {
      throw new Refused('a mapping has a mapping or a sequence as a key, which kubectl refuses');
    }
    return jsonKey(scalarResolved(target));
  };
  /** the pairs of `map` into `out`, in order: a merge key overwrites what came before it */
  const fill = (out: { [key: string]: unknown }, map: YamlNode, depth: number): void => {
    for (const pair of (map as any).items as Array<{ key: unknown; value: unknown }>) {
      if (isScalar(pair.key) && pair.key.source === '<<' && (pair.key.type === 'PLAIN' ? !pair.key.tag || pair.key.tag === '!' : pair.key.tag === `${TAG}merge`)) {
        merge(out, pair.value, depth);
        continue;
      }
      setOwn(out, keyOf(pair.key), convert(pair.value, depth + 1));
    }
  };
  const merge = (out: { [key: string]: unknown }, value: unknown, depth: number): void => {
    const target = isAlias(value) ? (value as Alias).resolve(doc) : value;
    if (isMap(target)) {
      if (isAlias(value)) {
        // an alias is decoded again where it is used, as go-yaml does
        if (++nodes > Math.max(text.length, MAX_ALIAS_NODES)) {
          throw new Refused(aliasReason());
        }
      }
      fill(out, target, depth + 1);
    } else if (isSeq(value)) {
      // earlier mappings take precedence: go-yaml applies them from the last
      for (let i = value.items.length - 1; i >= 0; i--) {
        const item = value.items[i];
        const mapping = isAlias(item) ? (item as Alias).resolve(doc) : item;
        if (!isMap(mapping)) {
          throw new Refused('a merge key (<<) is given something else than a mapping or a list of mappings');
        }
        fill(out, mapping, depth + 1);
      }
    } else {
      throw new Refused('a merge key (<<) is given something else than a mapping or a list of mappings');
    }
  };
  let value: unknown;
  try {
    value = convert(doc.contents, 0);
  } catch (e) {
    if (e instanceof Refused) {
      return { line: 1, reason: e.message };
    }
    return { line: 1, reason: 'the document cannot be read as data' };
  }
  return { value, line: path => lineAt(value, path, lines), lineOf: node => lines.get(node) };
}

function scalarResolved(node: Scalar): Resolved {
  const text = String(node.source ?? node.value ?? '');
  if (node.tag && node.tag !== '!') {
    const value = resolveTagged(node.tag, text);
    const kind = value === null ? 'null' : typeof value === 'boolean' ? 'bool' : typeof value === 'number'
      ? (node.tag === `${TAG}float` ? 'float' : 'int') : 'str';
    return [kind, value];
  }
  return node.type === 'PLAIN' && node.tag !== '!' ? resolveScalar(text) : ['str', text];
}

function scalarValue(node: Scalar): unknown {
  const value = scalarResolved(node)[1];
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Refused('a value is NaN or infinite, which kubectl cannot write as JSON');
  }
  return value;
}

function setOwn(out: { [key: string]: unknown }, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  } else {
    out[key] = value;
  }
}

/**
 * The first document of `text`, as go-yaml v2 and sigs.k8s.io/yaml decode it: what follows a `...`
 * line is never read. A document that starts with a directive is refused, as kubectl refuses it:
 * its `---` has already split the stream (apimachinery's YAMLReader).
 * @internal
 */
export function readYamlDocument(text: string): ReadDocument | ReadError {
  const directive = leadingDirective(text);
  if (directive !== undefined) {
    return {
      line: directive,
      reason: 'a %YAML or %TAG directive: kubectl splits documents at "---" before go-yaml reads them, so a directive is '
        + 'always refused ("did not find expected <document start>", or "incompatible YAML document" for %YAML 1.2); remove it',
    };
  }
  const end = documentEnd(text);
  const body = end < 0 ? text : text.slice(0, end);
  return body.includes('<<') ? readWithYaml(body) : readWithJsYaml(body);
}

/** the 1-based line of a directive before any content, if there is one */
function leadingDirective(text: string): number | undefined {
  let line = 1;
  for (let i = 0; i < text.length; line++) {
    const eol = text.indexOf('\n', i);
    const end = eol < 0 ? text.length : eol;
    const trimmed = text.slice(i, end).trim();
    if (text[i] === '%') {
      return line;
    }
    if (trimmed !== '' && !trimmed.startsWith('#')) {
      return undefined;
    }
    i = end + 1;
  }
  return undefined;
}

/** where the first `...` line starts, or -1 */
function documentEnd(text: string): number {
  for (let at = text.startsWith('...') ? 0 : text.indexOf('\n...'); at >= 0; at = text.indexOf('\n...', at + 1)) {
    const start = text[at] === '\n' ? at + 1 : at;
    const next = text[start + 3];
    if (next === undefined || next === ' ' || next === '\t' || next === '\n' || next === '\r' || next === '\u0085' || next === '\u2028' || next === '\u2029') {
      return start;
    }
  }
  return -1;
}
