import * as fc from 'fast-check';
import { KubectlDockerRegistryArgs, kubectlDockerConfigJson, kubectlDockerConfigJsonBase64 } from './support/kubectl';
import { DockerConfigJson } from '../src/rules/docker-config';

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
    expect(() => DockerConfigJson.parse(text, '/home/ci/.docker/config.json')).toThrow(/^\/home\/ci\/\.docker\/config\.json is not valid JSON at line 3, column \d+; check it with "jq \. FILE"$/);
  });
});
