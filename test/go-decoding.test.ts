import { goBase64Decode, goFieldName, goUtf8Decode, JsonObject, JsonSyntaxError, parseGoJson } from '../src/rules/go-decoding';

/* Each row was checked against go1.19's encoding/base64 and encoding/json by hand. */
describe('goBase64Decode', () => {
  test.each([
    // [input, StdEncoding (padded), RawStdEncoding (unpadded)]; undefined: Go returns an error
    ['', '', ''],
    ['dTpw', 'u:p', 'u:p'],
    ['dTpwcQ==', 'u:pq', undefined],
    ['dTpwcQ', undefined, 'u:pq'],
    ['dTpwcXE=', 'u:pqq', undefined],
    ['dTpwcXE', undefined, 'u:pqq'],
    ['dTpwcR==', 'u:pq', undefined],
    ['dTpwc', undefined, undefined],
    ['dTpw=', undefined, undefined],
    ['dTpwcQ=', undefined, undefined],
    ['dTpwcQ===', undefined, undefined],
    ['d\r\nTp\nw', 'u:p', 'u:p'],
    ['dTpwcQ=\n=\n', 'u:pq', undefined],
    ['dTpwcQ==\ndTpw', undefined, undefined],
    ['dTpw cQ==', undefined, undefined],
    ['dTp-', undefined, undefined],
    ['dTpé', undefined, undefined],
  ])('%j', (input, padded, unpadded) => {
    expect(goBase64Decode(input, true)?.toString('latin1')).toBe(padded);
    expect(goBase64Decode(input, false)?.toString('latin1')).toBe(unpadded);
  });
});

describe('parseGoJson', () => {
  test('keeps repeated members in order', () => {
    // WHEN
    const value = parseGoJson('{"a":1,"A":2,"a":[true,null,"x"]}');

    // THEN
    expect(value).toEqual(new JsonObject([['a', 1], ['A', 2], ['a', [true, null, 'x']]]));
  });

  test.each([
    ['"\\ud83d\\ude00"', '\ud83d\ude00'],
    ['"\\ud800"', '\ufffd'],
    ['"\\udc00\\ud800"', '\ufffd\ufffd'],
    ['"\\ud800\\u0041"', '\ufffdA'],
    ['"\\u00e9\\/\\b"', 'é/\b'],
  ])('reads the escapes of %s as Go does', (json, expected) => {
    expect(parseGoJson(json)).toBe(expected);
  });

  test.each([
    ['01', 1], ['1.', 1], ['-', 0], ['"a\tb"', 2], ['"\\x"', 1], ['[1,]', 3], ['{"a" 1}', 5], ['{} {}', 3], ['\ufeff{}', 0], ['tru', 0],
  ])('refuses %j at the offset Go stops at', (json, position) => {
    // WHEN
    const result = parseGoJson(json);

    // THEN
    expect(result).toBeInstanceOf(JsonSyntaxError);
    expect((result as JsonSyntaxError).position).toBe(position);
  });

  test('refuses nesting deeper than Go\'s 10,000 levels without a stack overflow, however deep', () => {
    expect(parseGoJson('['.repeat(10_000) + ']'.repeat(10_000))).not.toBeInstanceOf(JsonSyntaxError);
    expect(parseGoJson('['.repeat(10_001) + ']'.repeat(10_001))).toBeInstanceOf(JsonSyntaxError);
    expect(parseGoJson('['.repeat(1_000_000))).toBeInstanceOf(JsonSyntaxError);
  });
});

describe('goFieldName', () => {
  test.each([
    ['auths', 'auths'], ['AUTHS', 'auths'], ['Auth\u017f', 'auths'], ['\u212aey', 'key'], ['auth_s', undefined], ['ɑuths', undefined], ['', undefined],
    // Go 1.21+ folds a rune to the smallest of its SimpleFold orbit: ı (U+0131) and İ (U+0130) are orbits of their own
    ['ema\u0131l', undefined], ['EMA\u0130L', undefined], ['pa\u017f\u017fword', 'password'], ['identityto\u212aen', 'identitytoken'],
  ])('%j fills the field %j', (name, field) => {
    expect(goFieldName(name)).toBe(field);
  });
});

/*
 * Each row is what go1.19's json.Unmarshal makes of the bytes between quotes (its unquote and
 * utf8.DecodeRune are those of Go 1.22 and later): one U+FFFD per byte that starts no valid sequence.
 */
describe('goUtf8Decode', () => {
  test.each([
    ['a truncated 3-byte sequence', [0xe2, 0x82], '\ufffd\ufffd'],
    ['a truncated 4-byte sequence', [0xf0, 0x9f, 0x98], '\ufffd\ufffd\ufffd'],
    ['a lead byte before ASCII', [0xe4, 0x73], '\ufffds'],
    ['a lone continuation byte', [0x80, 0x41], '\ufffdA'],
    ['a surrogate', [0xed, 0xa0, 0x80], '\ufffd\ufffd\ufffd'],
    ['an overlong 2-byte form', [0xc0, 0x80], '\ufffd\ufffd'],
    ['an overlong 3-byte form', [0xe0, 0x80, 0x80], '\ufffd\ufffd\ufffd'],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], '\ufffd\ufffd\ufffd\ufffd'],
    ['0xff', [0xff], '\ufffd'],
    ['a lead byte at the end', [0xc3], '\ufffd'],
    ['valid sequences around an invalid one', [0xe2, 0x82, 0xac, 0xe2, 0x82, 0xf0, 0x9f, 0x98, 0x80], '\u20ac\ufffd\ufffd\u{1f600}'],
  ])('reads %s as Go does, one U+FFFD per invalid byte', (_name, bytes, expected) => {
    // GIVEN bytes that are not all UTF-8 WHEN they are decoded THEN each invalid byte is one U+FFFD
    expect(goUtf8Decode(Buffer.from(bytes))).toBe(expected);
  });

  test('reads valid UTF-8, and a view into a larger buffer, unchanged', () => {
    // GIVEN
    const text = 'auths \u00e9\u20ac\u{1f600} \ufffd';
    const larger = Buffer.concat([Buffer.from([0xff]), Buffer.from(text), Buffer.from([0xff])]);

    // WHEN / THEN
    expect(goUtf8Decode(Buffer.from(text))).toBe(text);
    expect(goUtf8Decode(larger.subarray(1, larger.length - 1))).toBe(text);
  });
});
