/*
 * The two Go decoders a docker config meets on its way to the kubelet, re-derived from Go's
 * `encoding/json` and `encoding/base64`: the API server decodes a Secret's `data` with the
 * second, and the kubelet reads `.dockerconfigjson` with the first and its `auth` fields with
 * the second. Where JavaScript's `JSON.parse` or Node's lenient base64 disagree with Go, Go wins.
 */

/**
 * A JSON object with its members in document order, duplicates kept: Go assigns each member to
 * its field in turn, so the last of two equal (or case-folded equal) names wins.
 * @internal
 */
export class JsonObject {
  constructor(public readonly members: ReadonlyArray<readonly [string, JsonValue]>) {}
}

/** @internal */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/**
 * Where Go's scanner stops on text that is not JSON.
 * @internal
 */
export class JsonSyntaxError {
  /** @param position the offset (in UTF-16 code units) of the first character Go refuses */
  constructor(public readonly position: number, public readonly reason: string) {}
}

/** Go's `maxNestingDepth`: deeper arrays and objects are an error, not a stack overflow. */
const MAX_DEPTH = 10_000;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const PLAIN_CHARS = /[^"\\\u0000-\u001f]*/y;
const SHORT_ESCAPES: { readonly [c: string]: string } = { '"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t' };

/**
 * Parses JSON text as Go's `json.Unmarshal` reads it: the same grammar as `JSON.parse`, with
 * duplicate members kept, nesting limited to 10,000 levels, and an invalid `\u` surrogate
 * escape read as U+FFFD. Iterative, so no input overflows the stack.
 * @internal
 */
export function parseGoJson(text: string): JsonValue | JsonSyntaxError {
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
        return;
      }
      i++;
    }
  };
  const readString = (): string | JsonSyntaxError => {
    i++; // the opening quote
    let out = '';
    for (;;) {
      PLAIN_CHARS.lastIndex = i;
      PLAIN_CHARS.test(text);
      out += text.slice(i, PLAIN_CHARS.lastIndex);
      i = PLAIN_CHARS.lastIndex;
      if (i >= n) {
        return new JsonSyntaxError(i, 'a string is not closed');
      }
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c !== '\\') {
        return new JsonSyntaxError(i, 'a control character in a string');
      }
      const e = text[i + 1];
      if (e !== undefined && SHORT_ESCAPES[e] !== undefined) {
        out += SHORT_ESCAPES[e];
        i += 2;
        continue;
      }
      const unit = e === 'u' ? hex4(text, i + 2) : -1;
      if (unit < 0) {
        return new JsonSyntaxError(i, 'an invalid escape in a string');
      }
      i += 6;
      if (unit < 0xd800 || unit > 0xdfff) {
        out += String.fromCharCode(unit);
        continue;
      }
      // Go's unquote: a valid pair is one rune; any other surrogate escape becomes U+FFFD
      const low = unit <= 0xdbff && text[i] === '\\' && text[i + 1] === 'u' ? hex4(text, i + 2) : -1;
      if (low >= 0xdc00 && low <= 0xdfff) {
        out += String.fromCharCode(unit, low);
        i += 6;
      } else {
        out += '\ufffd';
      }
    }
  };

  // containers being filled, innermost last; for an object, the member name waiting for its value
  const stack: Array<{ array?: JsonValue[]; members?: Array<[string, JsonValue]>; key?: string }> = [];
  skipSpace();
  for (;;) {
    // a value starts at i
    let value: JsonValue;
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      if (stack.length >= MAX_DEPTH) {
        return new JsonSyntaxError(i - 1, `nested deeper than Go's limit of ${MAX_DEPTH} levels`);
      }
      skipSpace();
      if (c === '[') {
        if (text[i] !== ']') {
          stack.push({ array: [] });
          continue;
        }
        i++;
        value = [];
      } else {
        if (text[i] !== '}') {
          const key = memberName();
          if (key instanceof JsonSyntaxError) {
            return key;
          }
          stack.push({ members: [], key });
          continue;
        }
        i++;
        value = new JsonObject([]);
      }
    } else if (c === '"') {
      const s = readString();
      if (s instanceof JsonSyntaxError) {
        return s;
      }
      value = s;
    } else if (text.startsWith('true', i)) {
      i += 4;
      value = true;
    } else if (text.startsWith('false', i)) {
      i += 5;
      value = false;
    } else if (text.startsWith('null', i)) {
      i += 4;
      value = null;
    } else {
      NUMBER.lastIndex = i;
      const number = NUMBER.exec(text);
      if (number === null) {
        return new JsonSyntaxError(i, i >= n ? 'the text ends where a value is expected' : 'a value is expected');
      }
      i += number[0].length;
      value = Number(number[0]);
    }

    // the value is complete: put it in its container, closing every container that ends here
    for (;;) {
      const top = stack[stack.length - 1];
      skipSpace();
      if (top === undefined) {
        return i === n ? value : new JsonSyntaxError(i, 'text after the end of the JSON value');
      }
      if (top.array) {
        top.array.push(value);
      } else {
        top.members!.push([top.key!, value]);
      }
      const close = top.array ? ']' : '}';
      if (text[i] === ',') {
        i++;
        skipSpace();
        if (top.members) {
          const key = memberName();
          if (key instanceof JsonSyntaxError) {
            return key;
          }
          top.key = key;
        }
        break;
      }
      if (text[i] !== close) {
        return new JsonSyntaxError(i, `"," or "${close}" is expected`);
      }
      i++;
      stack.pop();
      value = top.array ?? new JsonObject(top.members!);
    }
  }

  /** a member's name and its colon, leaving i at the value */
  function memberName(): string | JsonSyntaxError {
    if (text[i] !== '"') {
      return new JsonSyntaxError(i, 'a member name in double quotes is expected');
    }
    const key = readString();
    if (key instanceof JsonSyntaxError) {
      return key;
    }
    skipSpace();
    if (text[i] !== ':') {
      return new JsonSyntaxError(i, '":" is expected after a member name');
    }
    i++;
    skipSpace();
    return key;
  }
}

/**
 * `line L, column C` of an offset in a text, for messages that must not quote the text.
 * @internal
 */
export function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `${before.length}, column ${before[before.length - 1].length + 1}`;
}

function hex4(text: string, at: number): number {
  const digits = text.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(digits) ? parseInt(digits, 16) : -1;
}

/**
 * The field a member name fills, for struct fields spelled with ASCII letters (all of the kubelet's
 * and docker's are), in lower case; undefined for a name that no such field matches.
 *
 * Go 1.21 and later (`encoding/json` fold.go) match a name that is not exactly a field's by
 * `foldName`: ASCII letters to upper case, any other rune to the smallest rune of its
 * `unicode.SimpleFold` orbit. Only two orbits outside ASCII hold an ASCII letter: the long s
 * (U+017F) folds with "s" and the Kelvin sign (U+212A) with "k". The dotless ı (U+0131) and the
 * dotted İ (U+0130) are orbits of their own, so they fill no field ("emaıl" is not "email").
 * Go 1.19's unicode tables with that fold, run over every rune, give exactly these.
 * @internal
 */
export function goFieldName(name: string): string | undefined {
  if (!/^[A-Za-z\u017f\u212a]+$/.test(name)) {
    return undefined;
  }
  return name.replace(/\u017f/g, 's').replace(/\u212a/g, 'k').toLowerCase();
}

/**
 * Bytes as Go reads them into a string (`utf8.DecodeRune`, as `encoding/json`'s `unquote` does):
 * each valid UTF-8 sequence is its character and every other byte one U+FFFD. Node's decoder
 * gives one U+FFFD for a truncated sequence (`E2 82`) where Go gives one per byte.
 *
 * A JSON document may be decoded whole: outside its strings, Go refuses any byte above 0x7F, as
 * `parseGoJson` refuses any character above U+007F, and an invalid byte never swallows the ASCII
 * quote or backslash after it.
 * @internal
 */
export function goUtf8Decode(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return STRICT_UTF8.decode(buffer);
  } catch {
    // some byte is not UTF-8: decoded below
  }
  let out = '';
  let start = 0;
  let i = 0;
  while (i < buffer.length) {
    if (buffer[i] < 0x80) {
      i++;
      continue;
    }
    const length = utf8SequenceLength(buffer, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += buffer.toString('utf8', start, i) + '\ufffd';
    start = ++i;
  }
  return out + buffer.toString('utf8', start);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** the length of the valid UTF-8 sequence that starts at `i`, 0 for none (Go's `acceptRanges`) */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i];
  const continuation = (at: number, low = 0x80, high = 0xbf) => at < bytes.length && bytes[at] >= low && bytes[at] <= high;
  if (lead >= 0xc2 && lead <= 0xdf) {
    return continuation(i + 1) ? 2 : 0;
  }
  if (lead >= 0xe0 && lead <= 0xef) {
    // no overlong form (E0 80..9F) and no surrogate (ED A0..BF)
    const second = lead === 0xe0 ? continuation(i + 1, 0xa0) : lead === 0xed ? continuation(i + 1, 0x80, 0x9f) : continuation(i + 1);
    return second && continuation(i + 2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    // no overlong form (F0 80..8F) and nothing above U+10FFFF (F4 90..BF)
    const second = lead === 0xf0 ? continuation(i + 1, 0x90) : lead === 0xf4 ? continuation(i + 1, 0x80, 0x8f) : continuation(i + 1);
    return second && continuation(i + 2) && continuation(i + 3) ? 4 : 0;
  }
  return 0;
}

/**
 * How messages name the kind of a JSON value, never its content.
 * @internal
 */
export function jsonKind(value: JsonValue): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (value instanceof JsonObject) {
    return 'an object';
  }
  return typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : 'a string';
}

/** The value of each base64 character, -1 for others. */
const BASE64_VALUE = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let v = 0; v < 64; v++) {
    table[alphabet.charCodeAt(v)] = v;
  }
  return table;
})();

function isNewline(c: number): boolean {
  return c === 0x0a || c === 0x0d;
}

/**
 * Go's `base64.StdEncoding.DecodeString` (padded) or `base64.RawStdEncoding.DecodeString`
 * (unpadded). Neither is strict: '\r' and '\n' are skipped anywhere, and the bits left over in
 * the last character may be set. Padding must be exactly what the length asks for, or absent
 * without it. Undefined where Go returns an error.
 * @internal
 */
export function goBase64Decode(text: string, padded: boolean): Buffer | undefined {
  const out = Buffer.alloc(Math.ceil(text.length * 3 / 4));
  let length = 0;
  let i = 0;
  const n = text.length;
  for (;;) {
    // one quantum of up to four characters, as Go's decodeQuantum reads it
    const values = [0, 0, 0, 0];
    let count = 0;
    let last = false;
    while (count < 4) {
      if (i === n) {
        if (count === 0) {
          return out.subarray(0, length);
        }
        if (count === 1 || padded) {
          return undefined;
        }
        last = true;
        break;
      }
      const c = text.charCodeAt(i++);
      const value = c < 128 ? BASE64_VALUE[c] : -1;
      if (value >= 0) {
        values[count++] = value;
        continue;
      }
      if (isNewline(c)) {
        continue;
      }
      if (!padded || c !== 0x3d /* = */ || count < 2) {
        return undefined;
      }
      if (count === 2) {
        // "==" is due: the second "=" may come after newlines
        while (i < n && isNewline(text.charCodeAt(i))) {
          i++;
        }
        if (i === n || text.charCodeAt(i) !== 0x3d) {
          return undefined;
        }
        i++;
      }
      while (i < n && isNewline(text.charCodeAt(i))) {
        i++;
      }
      if (i < n) {
        return undefined; // anything after the padding
      }
      last = true;
      break;
    }
    // 4 x 6 bits into 3 bytes; the bits past the last whole byte are dropped, whatever they are
    const bits = ((values[0] * 64 + values[1]) * 64 + values[2]) * 64 + values[3];
    out[length++] = Math.floor(bits / 0x10000);
    if (count >= 3) {
      out[length++] = Math.floor(bits / 0x100) % 0x100;
    }
    if (count === 4) {
      out[length++] = bits % 0x100;
    }
    if (last) {
      return out.subarray(0, length);
    }
  }
}
