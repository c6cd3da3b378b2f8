import { kubeletCredential, readKubeletDockerConfig, UnreadableDockerConfig } from '../src/rules/kubelet-docker-config';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** what the kubelet makes of a `.dockerconfigjson`: each server with user:password, or the error */
function kubelet(json: string, format: 'dockerconfigjson' | 'dockercfg' = 'dockerconfigjson'): { [server: string]: string } | string {
  try {
    const entries = readKubeletDockerConfig(Buffer.from(json), format);
    return Object.fromEntries([...entries].map(([server, e]) => [server, e.auth ? e.decoded.toString('utf8') : `${e.username}:${e.password}`]));
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

  test('auth decodes to bytes, not to UTF-8 text: "dTpw5HNz" is "u" and the bytes p, 0xe4, s, s', () => {
    // GIVEN an entry whose auth is base64 of bytes that are not UTF-8 (Latin-1 "u:päss")
    const json = '{"auths":{"ghcr.io":{"auth":"dTpw5HNz"}}}';

    // WHEN the kubelet reads it
    const entry = readKubeletDockerConfig(Buffer.from(json), 'dockerconfigjson').get('ghcr.io')!;

    // THEN the decoded auth is the bytes themselves, and the credential the kubelet pulls with is
    // those bytes split at the ":", not U+FFFD in place of 0xe4
    expect(entry.decoded).toEqual(Buffer.from([0x75, 0x3a, 0x70, 0xe4, 0x73, 0x73]));
    expect(kubeletCredential(entry)).toEqual({ username: Buffer.from('u'), password: Buffer.from([0x70, 0xe4, 0x73, 0x73]) });
  });

  test('without auth, the credential is the UTF-8 bytes of username and password', () => {
    // GIVEN
    const json = '{"auths":{"ghcr.io":{"username":"\u00fc","password":"p:\u20ac"}}}';

    // WHEN
    const entry = readKubeletDockerConfig(Buffer.from(json), 'dockerconfigjson').get('ghcr.io')!;

    // THEN
    expect(kubeletCredential(entry)).toEqual({ username: Buffer.from([0xc3, 0xbc]), password: Buffer.from([0x70, 0x3a, 0xe2, 0x82, 0xac]) });
  });

  test('each invalid UTF-8 byte in a string is one U+FFFD, as Go\'s unquote reads it, not one per sequence', () => {
    // GIVEN a server key with a truncated 3-byte sequence, and a password with a truncated 4-byte
    // sequence, a surrogate, an overlong form and a code point above U+10FFFF (go1.19's
    // json.Unmarshal into the kubelet's DockerConfigJSON gives "a\ufffd\ufffd" and the password below)
    const bytes = Buffer.concat([
      Buffer.from('{"auths":{"a'), Buffer.from([0xe2, 0x82]), Buffer.from('":{"username":"u","password":"'),
      Buffer.from([0xf0, 0x9f, 0x98, 0x78, 0xed, 0xa0, 0x80, 0xc0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xe2, 0x82, 0xac]),
      Buffer.from('"}}}'),
    ]);

    // WHEN the kubelet reads it
    const entries = readKubeletDockerConfig(bytes, 'dockerconfigjson');

    // THEN
    expect([...entries.keys()]).toEqual(['a\ufffd\ufffd']);
    expect(entries.get('a\ufffd\ufffd')!.password).toBe('\ufffd'.repeat(3) + 'x' + '\ufffd'.repeat(9) + '\u20ac');
  });

  test('an invalid UTF-8 byte outside a string is a syntax error, as Go\'s scanner reads it', () => {
    // GIVEN
    const bytes = Buffer.concat([Buffer.from('{"auths":{"a":{"auth":"dTpw"}},'), Buffer.from([0xff]), Buffer.from('"x":1}')]);

    // WHEN / THEN (go1.19: invalid character 'ÿ' looking for beginning of object key string)
    expect(() => readKubeletDockerConfig(bytes, 'dockerconfigjson'))
      .toThrow(new UnreadableDockerConfig('not valid JSON at line 1, column 32 (a member name in double quotes is expected)'));
  });

  test('a member named with a dotless ı or a dotted İ fills no field (Go 1.21+ folds them to themselves), so a number there is skipped', () => {
    // GIVEN "emaıl" and "EMAİL" holding numbers: were either the email field, Go would fail on the type
    const json = '{"auths":{"ghcr.io":{"auth":"dTpw","ema\u0131l":5,"EMA\u0130L":[true]}},"auth\u017f":null}';

    // WHEN / THEN the kubelet reads the entry; "authſ" is the auths field (null forgets it)
    expect(kubelet(json)).toEqual({});
    expect(kubelet('{"auths":{"ghcr.io":{"auth":"dTpw","ema\u0131l":5,"EMA\u0130L":[true]}}}')).toEqual({ 'ghcr.io': 'u:p' });
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
