import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { KubectlDockerRegistryArgs, kubectlDockerConfigJson, kubectlDockerConfigJsonBase64, kubectlDockerConfigSecretFromFile } from './support/kubectl';
import { DockerConfigJson, parseDockerConfigFile } from '../src/rules/docker-config';

/** kubectl's default `--docker-server`. */
const DOCKER_HUB = 'https://index.docker.io/v1/';

/** What this library writes for the same flags as `kubectl create secret docker-registry`. */
function ours(args: KubectlDockerRegistryArgs): string {
  return DockerConfigJson.encode({
    [args.server ?? DOCKER_HUB]: DockerConfigJson.entry(args.username, args.password, args.email),
  });
}

describe('DockerConfigJson.entry', () => {
  test('auth is base64 of the UTF-8 bytes of username:password', () => {
    // GIVEN
    const username = 'test-user';
    const password = 'pässwörd✓';

    // WHEN
    const entry = DockerConfigJson.entry(username, password, 'test@example.com');

    // THEN
    expect(entry.username).toBe('test-user');
    expect(entry.password).toBe('pässwörd✓');
    expect(entry.email).toBe('test@example.com');
    expect(entry.auth).toBe(Buffer.from('test-user:pässwörd✓', 'utf8').toString('base64'));
    expect(Buffer.from(entry.auth!, 'base64').toString('utf8')).toBe('test-user:pässwörd✓');
  });

  test.each([
    ['undefined', undefined],
    ['empty', ''],
  ])('email is left out when %s', (_name, email) => {
    // GIVEN / WHEN
    const entry = DockerConfigJson.entry('test-user', 'test-password', email);

    // THEN
    expect(Object.keys(entry)).toEqual(['username', 'password', 'auth']);
    expect(entry.auth).toBe('dGVzdC11c2VyOnRlc3QtcGFzc3dvcmQ=');
  });
});

describe('DockerConfigJson.goJsonString', () => {
  test.each([
    ['plain ASCII', 'test-password', '"test-password"'],
    ['empty string', '', '""'],
    ['double quote', 'a"b', '"a\\"b"'],
    ['backslash', 'a\\b', '"a\\\\b"'],
    ['newline', 'a\nb', '"a\\nb"'],
    ['carriage return', 'a\rb', '"a\\rb"'],
    ['tab', 'a\tb', '"a\\tb"'],
    ['backspace (short escape since Go 1.22)', 'a\bb', '"a\\bb"'],
    ['form feed (short escape since Go 1.22)', 'a\fb', '"a\\fb"'],
    ['NUL', 'a\u0000b', '"a\\u0000b"'],
    ['other control characters, lowercase hex', '\u0001\u000b\u001b\u001f', '"\\u0001\\u000b\\u001b\\u001f"'],
    ['less than', '<', '"\\u003c"'],
    ['greater than', '>', '"\\u003e"'],
    ['ampersand', '&', '"\\u0026"'],
    ['line separator U+2028', 'a\u2028b', '"a\\u2028b"'],
    ['paragraph separator U+2029', 'a\u2029b', '"a\\u2029b"'],
    ['DEL stays raw', 'a\u007fb', '"a\u007fb"'],
    ['space, equals sign, slash and @ stay raw', 'a b=c/d@e', '"a b=c/d@e"'],
    ['non-ASCII stays raw', 'pässwörd✓', '"pässwörd✓"'],
    ['U+0080..U+009F stay raw', '\u0080\u009f', '"\u0080\u009f"'],
    ['astral characters stay raw', 'key🔑', '"key🔑"'],
    ['U+FFFD stays raw', '\ufffd', '"\ufffd"'],
    ['lone high surrogate becomes raw U+FFFD', 'a\ud800b', '"a\ufffdb"'],
    ['lone low surrogate becomes raw U+FFFD', 'a\udc00b', '"a\ufffdb"'],
    ['reversed surrogate pair becomes two U+FFFD', '\ude00\ud83d', '"\ufffd\ufffd"'],
    ['mixed', 'p@ss<w>rd&"\\', '"p@ss\\u003cw\\u003erd\\u0026\\"\\\\"'],
  ])('%s', (_name, value, expected) => {
    // GIVEN / WHEN
    const quoted = DockerConfigJson.goJsonString(value);

    // THEN
    expect(quoted).toBe(expected);
  });

  test('JSON.parse reads back the string, lone surrogates as U+FFFD', () => {
    // GIVEN
    const unit = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      fc.constantFrom('"', '\\', '<', '>', '&', '\u2028', '\u2029', '\u007f', '\b', '\f', '\n'),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    );

    // WHEN / THEN
    fc.assert(fc.property(fc.string({ unit, maxLength: 40 }), (value) => {
      const expected = Buffer.from(value, 'utf8').toString('utf8');
      expect(JSON.parse(DockerConfigJson.goJsonString(value))).toBe(expected);
    }), { seed: 20261101, numRuns: 500 });
  });
});

describe('DockerConfigJson.encode', () => {
  test('one entry, no whitespace, fields in Go struct order', () => {
    // GIVEN
    const entry = { auth: 'dTpw', email: 'test@example.com', password: 'p', username: 'u' };

    // WHEN
    const json = DockerConfigJson.encode({ 'registry.example.com': entry });

    // THEN
    expect(json).toBe(
      '{"auths":{"registry.example.com":{"username":"u","password":"p","email":"test@example.com","auth":"dTpw"}}}',
    );
  });

  test('empty and undefined fields are omitted', () => {
    // GIVEN
    const auths = {
      'a.example.com': { username: '', password: 'p' },
      'b.example.com': {},
      'c.example.com': { email: '', auth: 'dTpw' },
    };

    // WHEN
    const json = DockerConfigJson.encode(auths);

    // THEN
    expect(json).toBe('{"auths":{"a.example.com":{"password":"p"},"b.example.com":{},"c.example.com":{"auth":"dTpw"}}}');
  });

  test('no entries gives an empty auths object', () => {
    // GIVEN / WHEN
    const json = DockerConfigJson.encode({});

    // THEN
    expect(json).toBe('{"auths":{}}');
  });

  test('servers are sorted by their UTF-8 bytes, not UTF-16 code units', () => {
    // GIVEN: in UTF-16 '🔑' (D83D DD11) sorts before 'Ａ' (FF21); in UTF-8 (F0.. vs EF..) after it
    const names = ['🔑.example.com', 'Ａ.example.com', 'b.example.com', 'B.example.com', 'b.example.co', 'https://b.example.com'];
    const auths: { [server: string]: { username: string } } = {};
    for (const name of names) {
      auths[name] = { username: 'u' };
    }

    // WHEN
    const json = DockerConfigJson.encode(auths);

    // THEN
    expect(Object.keys(JSON.parse(json).auths)).toEqual([
      'B.example.com',
      'b.example.co',
      'b.example.com',
      'https://b.example.com',
      'Ａ.example.com',
      '🔑.example.com',
    ]);
  });

  test('server keys are escaped like values', () => {
    // GIVEN / WHEN
    const json = DockerConfigJson.encode({ 'a<b>&"c\\': { username: 'u' } });

    // THEN
    expect(json).toBe('{"auths":{"a\\u003cb\\u003e\\u0026\\"c\\\\":{"username":"u"}}}');
  });
});

describe('byte-for-byte against kubectl create secret docker-registry', () => {
  // \b and \f are left out here: Go 1.22 changed them from \u0008 and \u000c to short escapes,
  // and Debian's kubernetes-client (kubectl 1.20, which CI may install) is built with an older Go.
  // kubectl 1.32 (go1.23.8) was checked by hand to write \b and \f, as the unit tests above expect.
  const cases: Array<[string, KubectlDockerRegistryArgs]> = [
    ['default server', { username: 'test-user', password: 'test-password' }],
    ['server with a port', { server: 'registry.example.com:5000', username: 'test-user', password: 'test-password' }],
    ['URL-style server', { server: 'https://registry.example.com:5000/v2/', username: 'test-user', password: 'test-password' }],
    ['server with a path', { server: 'registry.gitlab.com/test-group', username: 'test-user', password: 'test-password' }],
    ['with email', { server: 'registry.example.com', username: 'test-user', password: 'test-password', email: 'test@example.com' }],
    ['with empty email', { server: 'registry.example.com', username: 'test-user', password: 'test-password', email: '' }],
    ['unicode password', { username: 'test-user', password: 'pässwörd✓' }],
    ['emoji', { username: 'tëst-üser🔑', password: '😀-password' }],
    ['quotes, backslashes, <, >, &', { username: 'test-user', password: 'p@ss<w>rd&"\\' }],
    ['<, >, & in server and email', { server: 'a<b>&c.example.com', username: 'u', password: 'p', email: '<test>&@example.com' }],
    ['U+2028 and U+2029', { username: 'test\u2028user', password: 'test\u2029password' }],
    ['spaces and equals signs', { server: 'registry example', username: ' test user ', password: 'a=b==c', email: 'x = y' }],
    ['tab, newline, carriage return', { username: 'test\tuser', password: 'line1\nline2\r\n' }],
    ['other control characters and DEL', { username: 'a\u0001b\u001fc', password: 'd\u007fe\u001bf' }],
    ['colon in username', { username: 'test:user', password: 'test:password' }],
    ['leading dashes', { username: '--test-user', password: '-p' }],
    ['non-ASCII server', { server: 'registry.exämple.com', username: 'test-user', password: 'test-password' }],
    ['lone surrogates', { username: 'test\ud800user', password: '\udc00test-password' }],
  ];

  test.each(cases)('%s', (_name, args) => {
    // GIVEN
    const expectedBase64 = kubectlDockerConfigJsonBase64(args);

    // WHEN
    const json = ours(args);

    // THEN
    expect(json).toBe(Buffer.from(expectedBase64, 'base64').toString('utf8'));
    expect(Buffer.from(json, 'utf8').toString('base64')).toBe(expectedBase64);
  });

  test('generated values', () => {
    // GIVEN: any character kubectl accepts in an argument (no NUL), tricky ones more often
    const unit = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\u0000'),
      fc.constantFrom('"', '\\', '<', '>', '&', '\u2028', '\u2029', '\u007f', '\t', '\n', '=', ' ', '\u0001'),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    );
    const value = fc.string({ unit, minLength: 1, maxLength: 12 });
    const args = fc.record(
      { server: value, username: value, password: value, email: value },
      { requiredKeys: ['username', 'password'] },
    );

    // WHEN / THEN
    fc.assert(fc.property(args, (a) => {
      expect(ours(a)).toBe(kubectlDockerConfigJson(a));
    }), { seed: 20261101, numRuns: 40 });
  }, 60_000);
});

describe('DockerConfigJson.parse', () => {
  test('returns the auths entries and encodes back to the same JSON', () => {
    // GIVEN
    const text = '{"auths":{"ghcr.io":{"auth":"dTpw"},"registry.gitlab.com":{"username":"u","password":"p","email":"e@example.com","auth":"dTpw"}}}';

    // WHEN
    const entries = DockerConfigJson.parse(text);

    // THEN
    expect(Object.keys(entries)).toEqual(['ghcr.io', 'registry.gitlab.com']);
    expect(entries['ghcr.io']).toEqual({ auth: 'dTpw', username: undefined, password: undefined, email: undefined });
    expect(DockerConfigJson.encode(entries)).toBe(text);
  });

  test('names its source and the line of a syntax error, never the text', () => {
    // GIVEN
    const text = '{\n  "auths": {\n    "ghcr.io": {"password": "secret-value" ]\n  }\n}';

    // WHEN / THEN
    expect(() => DockerConfigJson.parse(text, '/home/ci/.docker/config.json')).toThrow(/^\/home\/ci\/\.docker\/config\.json is not valid JSON at line 3, column 44 \("," or "}" is expected\); check it with "jq \. FILE"$/);
  });
});

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('DockerConfigJson.parse: the library\'s rules on top of the kubelet\'s', () => {
  test.each([
    ['a bad auth', '{"auths":{"ghcr.io":{"auth":"dTpwcQ="}}}', 'docker config: entry "ghcr.io" has an "auth" that is not base64 of "user:password" (it ends in "=" but is not padded base64); run "docker login" again, or write auth as base64 of "user:password"'],
    ['a number where a string is read', '{"auths":{"ghcr.io":{"auth":"dTpw","email":5}}}', 'docker config: entry "ghcr.io" has a number as "email", not a string; run "docker login" again or recreate the secret'],
    ['null', 'null', 'docker config is not a JSON object but null; expected {"auths": {...}}'],
    ['an entry without credentials', '{"auths":{"ghcr.io":null}}', 'docker config: entry "ghcr.io" has no credentials; expected "auth", or "username" and "password"'],
    ['an auth that disagrees with username and password', `{"auths":{"ghcr.io":{"username":"u","password":"q","auth":"${b64('u:p')}"}}}`,
      'docker config: entry "ghcr.io" has a "username" and "password" that differ from its "auth", which the kubelet uses instead; remove them or write auth as base64 of "username:password"'],
    // the kubelet pulls with the bytes p, 0xe4, s, s: the password field's U+FFFD is not them
    ['an auth that is not UTF-8, with U+FFFD in its place in the password', '{"auths":{"ghcr.io":{"username":"u","password":"p\ufffdss","auth":"dTpw5HNz"}}}',
      'docker config: entry "ghcr.io" has a "username" and "password" that differ from its "auth", which the kubelet uses instead; remove them or write auth as base64 of "username:password"'],
    ['a server the kubelet cannot use', '{"auths":{"ghcr.io:port":{"auth":"dTpw"}}}', 'docker config: server "ghcr.io:port" is not a host[:port][/path] the kubelet can use; give a registry host such as "registry.gitlab.com"'],
    ['two keys the kubelet reads as one', '{"auths":{"ghcr.io":{"auth":"dTpw"},"https://ghcr.io/v2/":{"auth":"dTpw"}}}',
      'docker config: entry "https://ghcr.io/v2/" and entry "ghcr.io" are the same registry for the kubelet (key "ghcr.io"); keep one of them'],
    ['a byte order mark', '\ufeff{"auths":{"ghcr.io":{"auth":"dTpw"}}}', 'docker config starts with a byte order mark, which the kubelet\'s JSON decoder refuses; save it as UTF-8 without a BOM'],
    ['a lone surrogate', '{"auths":{"ghcr.io":{"username":"u","password":"\ud800"}}}', 'docker config holds a lone UTF-16 surrogate at line 1, column 49, which has no UTF-8 form; fix the text'],
  ])('refuses %s', (_name, json, message) => {
    expect(() => DockerConfigJson.parse(json)).toThrow(new Error(message));
  });

  test.each(['"desktop"', '""', '5', 'true', 'null', '{}', '[]', '{"ghcr.io":"gcloud"}'])('refuses credsStore and credHelpers of any value: %s', (value) => {
    for (const name of ['credsStore', 'credHelpers', 'CREDSSTORE']) {
      expect(() => DockerConfigJson.parse(`{"auths":{"ghcr.io":{"auth":"dTpw"}},${JSON.stringify(name)}:${value}}`))
        .toThrow(/^docker config uses cred(sStore|Helpers): its credentials live in an external credential helper/);
    }
  });

  test('keeps keys such as __proto__ and constructor as servers, and encodes them back', () => {
    // GIVEN
    const text = '{"auths":{"__proto__":{"auth":"dTpw"},"constructor":{"auth":"dTpx"},"hasOwnProperty":{"auth":"dTpy"}}}';

    // WHEN
    const entries = DockerConfigJson.parse(text);

    // THEN
    expect(Object.getPrototypeOf(entries)).toBeNull();
    expect(Object.keys(entries)).toEqual(['__proto__', 'constructor', 'hasOwnProperty']);
    expect(entries.__proto__.auth).toBe('dTpw');
    expect(({} as any).auth).toBeUndefined();
    expect(DockerConfigJson.encode(entries)).toBe(text);
  });

  test('reads field names whatever their case, as Go does', () => {
    // GIVEN
    const text = '{"Auths":{"ghcr.io":{"Username":"u","PASSWORD":"p"}}}';

    // WHEN
    const entries = DockerConfigJson.parse(text);

    // THEN
    expect(entries['ghcr.io']).toEqual({ username: 'u', password: 'p', email: undefined, auth: undefined });
  });

  test.each([
    ['https://u5er:s3cr3t@ghcr.io', 'https://<redacted>@ghcr.io'],
    ['u5er:s3cr3t@ghcr.io/v2/', '<redacted>@ghcr.io/v2/'],
    ['http://u5er@s3cr3t@ghcr.io:5000', 'http://<redacted>@ghcr.io:5000'],
  ])('refuses a server key that carries a user name or password, without repeating them: %s', (server, shown) => {
    // WHEN
    let message = '';
    try {
      DockerConfigJson.parse(JSON.stringify({ auths: { [server]: { auth: 'dTpw' } } }));
    } catch (e: any) {
      message = e.message;
    }

    // THEN
    expect(message).toBe(`docker config: server ${JSON.stringify(shown)} carries a user name or password before "@"; `
      + 'give the credentials as username and password, and the server as host[:port][/path]');
    expect(message).not.toMatch(/u5er|s3cr3t/);
  });

  test('reads many entries in one pass', () => {
    // GIVEN: 8,000 entries took 1.3 s in a RegistrySecret when each server was compared with every other
    const auths: { [server: string]: { auth: string } } = {};
    for (let i = 0; i < 8000; i++) {
      auths[`r${i}.example.com`] = { auth: 'dTpw' };
    }
    auths['https://r7999.example.com/v1/'] = { auth: 'dTpw' };

    // WHEN / THEN: the duplicate is found through an index of kubelet keys
    expect(() => DockerConfigJson.parse(JSON.stringify({ auths }))).toThrow(/are the same registry for the kubelet \(key "r7999\.example\.com"\)/);
  });
});

describe('parseDockerConfigFile', () => {
  const login = JSON.stringify({ auths: { 'registry.gitlab.com': { auth: b64('test-user:pässwörd') } } }, null, '\t') + '\n';

  test('returns the entries and the exact text of the bytes', () => {
    // GIVEN
    const bytes = Buffer.from(login, 'utf8');

    // WHEN
    const { entries, text } = parseDockerConfigFile(bytes, 'config.json');

    // THEN
    expect(Object.keys(entries)).toEqual(['registry.gitlab.com']);
    expect(Buffer.from(text, 'utf8').equals(bytes)).toBe(true);
  });

  test('refuses a byte order mark', () => {
    // GIVEN
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(login)]);

    // WHEN / THEN
    expect(() => parseDockerConfigFile(bytes, 'config.json'))
      .toThrow(new Error('config.json starts with a UTF-8 byte order mark, which the kubelet\'s JSON decoder refuses; save it as UTF-8 without a BOM'));
  });

  test.each([
    ['a stray continuation byte', [0x80]],
    ['a truncated sequence', [0xc3]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['Latin-1', [0xe4]],
  ])('refuses invalid UTF-8 and says where: %s', (_name, bad) => {
    // GIVEN: the bad bytes inside the password, on line 2
    const bytes = Buffer.concat([Buffer.from('{\n"auths":{"ghcr.io":{"username":"u","password":"p'), Buffer.from(bad), Buffer.from('"}}}')]);

    // WHEN / THEN
    expect(() => parseDockerConfigFile(bytes, 'config.json')).toThrow(new Error('config.json is not valid UTF-8 (byte 51, line 2); save it as UTF-8'));
  });

  test('the text is what kubectl create secret generic --from-file stores, with and without --append-hash', () => {
    // GIVEN
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'docker-config-')), 'config.json');
    fs.writeFileSync(file, login);

    // WHEN
    const { text } = parseDockerConfigFile(fs.readFileSync(file), file);
    const plain = kubectlDockerConfigSecretFromFile('login', file);
    const hashed = kubectlDockerConfigSecretFromFile('login', file, { appendHash: true });

    // THEN
    expect(plain.data['.dockerconfigjson']).toBe(Buffer.from(text, 'utf8').toString('base64'));
    expect(hashed.data).toEqual(plain.data);
    expect(hashed.metadata.name).toMatch(/^login-[a-z0-9]{10}$/);
  });
});
