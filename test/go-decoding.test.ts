import { goBase64Decode, goFieldName, JsonObject, JsonSyntaxError, parseGoJson } from '../src/rules/go-decoding';

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
  ])('%j fills the field %j', (name, field) => {
    expect(goFieldName(name)).toBe(field);
  });
});
