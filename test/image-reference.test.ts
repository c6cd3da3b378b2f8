import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { ImageReference as PublicImageReference, PrivateImagePod, RegistrySecret } from '../src';
import { propertyRuns } from './support/property-runs';
import { ParsedImage } from '../src/rules/parsed-image';
import { redactUserinfo } from '../src/rules/server-key';

// Test data transcribed from upstream test vectors (inputs and expected results only):
// - github.com/distribution/reference: reference_test.go, normalize_test.go, regexp_test.go
// - kubernetes/kubernetes: pkg/util/parsers/parsers_test.go, pkg/apis/core/v1/defaults_test.go
// Upstream's Parse() keeps names un-normalized; the expectations below are those of
// ParseNormalizedNamed(), which is what the kubelet uses.

const HEX_F64 = 'f'.repeat(64);
const SHA256_F = `sha256:${HEX_F64}`;
const SHA512_F = `sha512:${'f'.repeat(128)}`;
const SHA256_BE17 = 'sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912';
const SHA256_DBCC = 'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const SHA256_E3B0 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SHA256_86E0 = 'sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
const SHA256_1234 = 'sha256:1234567890098765432112345667890098765432112345667890098765432112';
const HEX_1A3F = '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a';
const HEX_DA30 = 'da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821';

/** Kinds of error, matched against the message. */
const ERR = {
  empty: /: must not be empty/,
  whitespace: /must not have leading or trailing whitespace/,
  identifier: /cannot specify 64-byte hexadecimal strings/,
  scheme: /must not contain a URL scheme/,
  emptyName: /repository name must not be empty/,
  lowercase: /repository name ".*" must be lowercase/,
  component: /repository name ".*" has an invalid component/,
  registry: /registry ".*" must be a DNS name or IPv4 address/,
  tooLong: /repository name must not be more than 255 characters/,
  tag: /tag ".*" must match \[A-Za-z0-9_\]\[A-Za-z0-9_.-\]\{0,127\}/,
  digest: /invalid digest ".*"/,
  unsupportedDigest: /unsupported digest algorithm ".*": expected sha256, sha384 or sha512/,
};

interface Valid {
  readonly input: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** expected toFamiliarString(), when known */
  readonly familiar?: string;
}

interface Invalid {
  readonly input: string;
  readonly error: RegExp;
}

function fields(ref: ParsedImage) {
  return {
    registry: ref.registry,
    repository: ref.repository,
    tag: ref.tag,
    digest: ref.digest,
    name: ref.name,
    defaultPullPolicy: ref.defaultPullPolicy,
  };
}

function parseError(input: string): string {
  try {
    ParsedImage.parse(input);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

function expectValid(c: Valid) {
  // WHEN
  const ref = ParsedImage.parse(c.input);

  // THEN
  expect(ref.registry).toBe(c.registry);
  expect(ref.repository).toBe(c.repository);
  expect(ref.tag).toBe(c.tag);
  expect(ref.digest).toBe(c.digest);
  expect(ref.name).toBe(`${c.registry}/${c.repository}`);
  if (c.familiar !== undefined) {
    expect(ref.toFamiliarString()).toBe(c.familiar);
  }
  // and both printed forms read back as the same reference
  expect(fields(ParsedImage.parse(ref.toString()))).toEqual(fields(ref));
  expect(fields(ParsedImage.parse(ref.toFamiliarString()))).toEqual(fields(ref));
}

function expectInvalid(c: Invalid) {
  // WHEN
  const message = parseError(c.input);

  // THEN
  expect(message.startsWith(`invalid image reference ${JSON.stringify(c.input)}: `)).toBe(true);
  expect(message).toMatch(c.error);
}

describe('reference_test.go TestReferenceParse', () => {
  // GIVEN upstream's valid inputs; upstream checks String() == input, which is our familiar form
  const valid: Valid[] = [
    { input: 'test_com', registry: 'docker.io', repository: 'library/test_com' },
    { input: 'test.com:tag', registry: 'docker.io', repository: 'library/test.com', tag: 'tag' },
    { input: 'test.com:5000', registry: 'docker.io', repository: 'library/test.com', tag: '5000' },
    { input: 'test.com/repo:tag', registry: 'test.com', repository: 'repo', tag: 'tag' },
    { input: 'test:5000/repo', registry: 'test:5000', repository: 'repo' },
    { input: 'test:5000/repo:tag', registry: 'test:5000', repository: 'repo', tag: 'tag' },
    { input: `test:5000/repo@${SHA256_F}`, registry: 'test:5000', repository: 'repo', digest: SHA256_F },
    { input: `test:5000/repo:tag@${SHA256_F}`, registry: 'test:5000', repository: 'repo', tag: 'tag', digest: SHA256_F },
    { input: 'lowercase:Uppercase', registry: 'docker.io', repository: 'library/lowercase', tag: 'Uppercase' },
    // 255-character path: the limit does not count the tag
    { input: 'a/'.repeat(127) + 'a:tag-puts-this-over-max', registry: 'docker.io', repository: 'a/'.repeat(127) + 'a', tag: 'tag-puts-this-over-max' },
    { input: 'sub-dom1.foo.com/bar/baz/quux', registry: 'sub-dom1.foo.com', repository: 'bar/baz/quux' },
    { input: 'sub-dom1.foo.com/bar/baz/quux:some-long-tag', registry: 'sub-dom1.foo.com', repository: 'bar/baz/quux', tag: 'some-long-tag' },
    { input: 'b.gcr.io/test.example.com/my-app:test.example.com', registry: 'b.gcr.io', repository: 'test.example.com/my-app', tag: 'test.example.com' },
    { input: 'xn--n3h.com/myimage:xn--n3h.com', registry: 'xn--n3h.com', repository: 'myimage', tag: 'xn--n3h.com' },
    { input: `xn--7o8h.com/myimage:xn--7o8h.com@${SHA512_F}`, registry: 'xn--7o8h.com', repository: 'myimage', tag: 'xn--7o8h.com', digest: SHA512_F },
    { input: 'foo_bar.com:8080', registry: 'docker.io', repository: 'library/foo_bar.com', tag: '8080' },
    { input: 'foo/foo_bar.com:8080', registry: 'docker.io', repository: 'foo/foo_bar.com', tag: '8080' },
    { input: '192.168.1.1', registry: 'docker.io', repository: 'library/192.168.1.1' },
    { input: '192.168.1.1:tag', registry: 'docker.io', repository: 'library/192.168.1.1', tag: 'tag' },
    { input: '192.168.1.1:5000', registry: 'docker.io', repository: 'library/192.168.1.1', tag: '5000' },
    { input: '192.168.1.1/repo', registry: '192.168.1.1', repository: 'repo' },
    { input: '192.168.1.1:5000/repo', registry: '192.168.1.1:5000', repository: 'repo' },
    { input: '192.168.1.1:5000/repo:5050', registry: '192.168.1.1:5000', repository: 'repo', tag: '5050' },
    { input: '[2001:db8::1]/repo', registry: '[2001:db8::1]', repository: 'repo' },
    { input: '[2001:db8:1:2:3:4:5:6]/repo:tag', registry: '[2001:db8:1:2:3:4:5:6]', repository: 'repo', tag: 'tag' },
    { input: '[2001:db8::1]:5000/repo', registry: '[2001:db8::1]:5000', repository: 'repo' },
    { input: '[2001:db8::1]:5000/repo:tag', registry: '[2001:db8::1]:5000', repository: 'repo', tag: 'tag' },
    { input: `[2001:db8::1]:5000/repo@${SHA256_F}`, registry: '[2001:db8::1]:5000', repository: 'repo', digest: SHA256_F },
    { input: `[2001:db8::1]:5000/repo:tag@${SHA256_F}`, registry: '[2001:db8::1]:5000', repository: 'repo', tag: 'tag', digest: SHA256_F },
    { input: '[2001:db8::]:5000/repo', registry: '[2001:db8::]:5000', repository: 'repo' },
    { input: '[::1]:5000/repo', registry: '[::1]:5000', repository: 'repo' },
  ].map((c) => ({ ...c, familiar: c.input }));
  test.each(valid)('parses $input', expectValid);

  // GIVEN upstream's invalid inputs
  const invalid: Invalid[] = [
    { input: '', error: ERR.empty },
    { input: ':justtag', error: ERR.emptyName },
    { input: `@${SHA256_F}`, error: ERR.emptyName },
    { input: 'repo@sha256:ffffffffffffffffffffffffffffffffff', error: /invalid digest ".*": expected 64 hex digits after "sha256:", got 34/ },
    { input: `validname@invaliddigest:${HEX_F64}`, error: ERR.unsupportedDigest },
    { input: 'Uppercase:tag', error: ERR.lowercase },
    { input: 'test:5000/Uppercase/lowercase:tag', error: ERR.lowercase },
    { input: 'a/'.repeat(128) + 'a:tag', error: ERR.tooLong },
    { input: 'aa/asdf$$^/aa', error: ERR.component },
    // bare IPv6 literals are read as a Docker Hub name, which they are not
    { input: '[2001:db8::1]', error: ERR.component },
    { input: '[2001:db8::1]:5000', error: ERR.component },
    { input: '[2001:db8::1]:tag', error: ERR.component },
    { input: '[fe80::1%eth0]:5000/repo', error: ERR.registry },
    { input: '[fe80::1%@invalidzone]:5000/repo', error: ERR.registry },
  ];
  test.each(invalid)('refuses $input', expectInvalid);

  test('an uppercase first segment is a registry (upstream FIXME case)', () => {
    expectValid({ input: 'Uppercase/lowercase:tag', registry: 'Uppercase', repository: 'lowercase', tag: 'tag', familiar: 'Uppercase/lowercase:tag' });
  });
});

describe('reference_test.go TestSerialization / TestDomainAndPath', () => {
  // GIVEN
  const valid: Valid[] = [
    { input: 'example.com:8000/named', registry: 'example.com:8000', repository: 'named' },
    { input: 'example.com:8000/named:tagged', registry: 'example.com:8000', repository: 'named', tag: 'tagged' },
    { input: `other.com/named@${SHA256_1234}`, registry: 'other.com', repository: 'named', digest: SHA256_1234 },
    { input: 'test.com/foo', registry: 'test.com', repository: 'foo' },
    { input: 'test_com/foo', registry: 'docker.io', repository: 'test_com/foo' },
    { input: 'test:8080/foo', registry: 'test:8080', repository: 'foo' },
    { input: 'test.com:8080/foo', registry: 'test.com:8080', repository: 'foo' },
    { input: 'test-com:8080/foo', registry: 'test-com:8080', repository: 'foo' },
    { input: 'xn--n3h.com:18080/foo', registry: 'xn--n3h.com:18080', repository: 'foo' },
  ];
  test.each(valid)('parses $input', expectValid);
});

describe('normalize_test.go TestValidateReferenceName', () => {
  // GIVEN
  const valid: Valid[] = [
    { input: 'docker/docker', registry: 'docker.io', repository: 'docker/docker' },
    { input: 'library/debian', registry: 'docker.io', repository: 'library/debian', familiar: 'debian' },
    { input: 'debian', registry: 'docker.io', repository: 'library/debian', familiar: 'debian' },
    { input: 'docker.io/docker/docker', registry: 'docker.io', repository: 'docker/docker', familiar: 'docker/docker' },
    { input: 'docker.io/library/debian', registry: 'docker.io', repository: 'library/debian', familiar: 'debian' },
    { input: 'docker.io/debian', registry: 'docker.io', repository: 'library/debian', familiar: 'debian' },
    { input: 'index.docker.io/docker/docker', registry: 'docker.io', repository: 'docker/docker', familiar: 'docker/docker' },
    { input: 'index.docker.io/library/debian', registry: 'docker.io', repository: 'library/debian', familiar: 'debian' },
    { input: 'index.docker.io/debian', registry: 'docker.io', repository: 'library/debian', familiar: 'debian' },
    { input: '127.0.0.1:5000/docker/docker', registry: '127.0.0.1:5000', repository: 'docker/docker' },
    { input: '127.0.0.1:5000/library/debian', registry: '127.0.0.1:5000', repository: 'library/debian' },
    // no library/ prefix outside Docker Hub
    { input: '127.0.0.1:5000/debian', registry: '127.0.0.1:5000', repository: 'debian' },
    { input: '192.168.0.1', registry: 'docker.io', repository: 'library/192.168.0.1' },
    { input: '192.168.0.1:80', registry: 'docker.io', repository: 'library/192.168.0.1', tag: '80' },
    { input: '192.168.0.1:8/debian', registry: '192.168.0.1:8', repository: 'debian' },
    { input: '192.168.0.2:25000/debian', registry: '192.168.0.2:25000', repository: 'debian' },
    {
      input: 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
      registry: 'docker.io',
      repository: 'library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    },
    { input: '[fc00::1]:5000/docker', registry: '[fc00::1]:5000', repository: 'docker' },
    { input: '[fc00::1]:5000/docker/docker', registry: '[fc00::1]:5000', repository: 'docker/docker' },
    { input: '[fc00:1:2:3:4:5:6:7]:5000/library/debian', registry: '[fc00:1:2:3:4:5:6:7]:5000', repository: 'library/debian' },
    // a 64-hex path is fine once a registry makes it unambiguous
    // (Docker's familiar form would be the bare id; ours keeps library/ so that it reads back)
    { input: `docker.io/${HEX_1A3F}`, registry: 'docker.io', repository: `library/${HEX_1A3F}`, familiar: `library/${HEX_1A3F}` },
    { input: 'Docker/docker', registry: 'Docker', repository: 'docker' },
    { input: 'DOCKER/docker', registry: 'DOCKER', repository: 'docker' },
  ];
  test.each(valid)('parses $input', expectValid);

  // GIVEN
  const invalid: Invalid[] = [
    { input: 'https://github.com/docker/docker', error: ERR.scheme },
    { input: 'docker/Docker', error: ERR.lowercase },
    { input: '-docker', error: ERR.component },
    { input: '-docker/docker', error: ERR.component },
    { input: '-docker.io/docker/docker', error: ERR.registry },
    { input: 'docker///docker', error: ERR.component },
    { input: 'docker.io/docker/Docker', error: ERR.lowercase },
    { input: 'docker.io/docker///docker', error: ERR.component },
    { input: '[fc00::1]', error: ERR.component },
    { input: '[fc00::1]:5000', error: ERR.component },
    { input: 'fc00::1:5000/debian', error: ERR.registry },
    { input: '[fe80::1%eth0]:5000/debian', error: ERR.registry },
    { input: '[2001:db8:3:4::192.0.2.33]:5000/debian', error: ERR.registry },
    { input: HEX_1A3F, error: ERR.identifier },
  ];
  test.each(invalid)('refuses $input', expectInvalid);
});

describe('normalize_test.go TestValidateRemoteName', () => {
  // GIVEN
  const valid: Valid[] = [
    { input: 'docker/docker', registry: 'docker.io', repository: 'docker/docker' },
    {
      input: 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
      registry: 'docker.io',
      repository: 'library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    },
    { input: 'docker-rules/docker', registry: 'docker.io', repository: 'docker-rules/docker' },
    { input: 'docker---rules/docker', registry: 'docker.io', repository: 'docker---rules/docker' },
    { input: 'doc/docker', registry: 'docker.io', repository: 'doc/docker' },
    { input: 'd/docker', registry: 'docker.io', repository: 'd/docker' },
    { input: 'jess/t', registry: 'docker.io', repository: 'jess/t' },
    { input: 'dock__er/docker', registry: 'docker.io', repository: 'dock__er/docker' },
  ];
  test.each(valid)('parses $input', expectValid);

  // GIVEN
  const longNamespace = 'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255'
    + '_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255';
  const invalid: Invalid[] = [
    { input: 'docker/Docker', error: ERR.lowercase },
    { input: 'docker///docker', error: ERR.component },
    { input: HEX_1A3F, error: ERR.identifier },
    { input: '-docker/docker', error: ERR.component },
    { input: 'docker-/docker', error: ERR.component },
    { input: '-docker-/docker', error: ERR.component },
    { input: '____/____', error: ERR.component },
    { input: '_docker/_docker', error: ERR.component },
    { input: 'dock..er/docker', error: ERR.registry },
    { input: 'dock_.er/docker', error: ERR.registry },
    { input: 'dock-.er/docker', error: ERR.registry },
    { input: 'docker/', error: ERR.component },
    { input: `${longNamespace}/docker`, error: ERR.tooLong },
  ];
  test.each(invalid)('refuses $input', expectInvalid);
});

describe('normalize_test.go TestParseRepositoryInfo', () => {
  // GIVEN: every spelling of a repository gives the same domain, path and familiar name
  const repos = [
    { path: 'fooo/bar', familiar: 'fooo/bar', full: 'docker.io/fooo/bar', ambiguous: 'index.docker.io/fooo/bar', registry: 'docker.io' },
    { path: 'library/ubuntu', familiar: 'ubuntu', full: 'docker.io/library/ubuntu', ambiguous: 'library/ubuntu', registry: 'docker.io' },
    { path: 'nonlibrary/ubuntu', familiar: 'nonlibrary/ubuntu', full: 'docker.io/nonlibrary/ubuntu', registry: 'docker.io' },
    { path: 'other/library', familiar: 'other/library', full: 'docker.io/other/library', registry: 'docker.io' },
    { path: 'private/moonbase', familiar: '127.0.0.1:8000/private/moonbase', full: '127.0.0.1:8000/private/moonbase', registry: '127.0.0.1:8000' },
    { path: 'privatebase', familiar: '127.0.0.1:8000/privatebase', full: '127.0.0.1:8000/privatebase', registry: '127.0.0.1:8000' },
    { path: 'private/moonbase', familiar: 'example.com/private/moonbase', full: 'example.com/private/moonbase', registry: 'example.com' },
    { path: 'privatebase', familiar: 'example.com/privatebase', full: 'example.com/privatebase', registry: 'example.com' },
    { path: 'private/moonbase', familiar: 'example.com:8000/private/moonbase', full: 'example.com:8000/private/moonbase', registry: 'example.com:8000' },
    { path: 'privatebasee', familiar: 'example.com:8000/privatebasee', full: 'example.com:8000/privatebasee', registry: 'example.com:8000' },
    {
      path: 'library/ubuntu-12.04-base',
      familiar: 'ubuntu-12.04-base',
      full: 'docker.io/library/ubuntu-12.04-base',
      ambiguous: 'index.docker.io/library/ubuntu-12.04-base',
      registry: 'docker.io',
    },
    { path: 'library/foo', familiar: 'foo', full: 'docker.io/library/foo', ambiguous: 'docker.io/foo', registry: 'docker.io' },
    { path: 'library/foo/bar', familiar: 'library/foo/bar', full: 'docker.io/library/foo/bar', registry: 'docker.io' },
    { path: 'store/foo/bar', familiar: 'store/foo/bar', full: 'docker.io/store/foo/bar', registry: 'docker.io' },
    { path: 'bar', familiar: 'Foo/bar', full: 'Foo/bar', registry: 'Foo' },
    { path: 'bar', familiar: 'FOO/bar', full: 'FOO/bar', registry: 'FOO' },
  ];
  const cases = repos.flatMap((r) => [r.familiar, r.full, ...(r.ambiguous ? [r.ambiguous] : [])].map((input) => ({ input, ...r })));

  test.each(cases)('$input is $full', (c) => {
    // WHEN
    const ref = ParsedImage.parse(c.input);

    // THEN
    expect(ref.registry).toBe(c.registry);
    expect(ref.repository).toBe(c.path);
    expect(ref.toString()).toBe(c.full);
    expect(ref.name).toBe(c.full);
    expect(ref.toFamiliarString()).toBe(c.familiar);
  });
});

describe('normalize_test.go TestParseReferenceWithTagAndDigest', () => {
  test('keeps both tag and digest', () => {
    // GIVEN
    const short = `busybox:latest@${SHA256_86E0}`;

    // WHEN
    const ref = ParsedImage.parse(short);

    // THEN
    expect(ref.toString()).toBe(`docker.io/library/${short}`);
    expect(ref.tag).toBe('latest');
    expect(ref.digest).toBe(SHA256_86E0);
    expect(ref.toFamiliarString()).toBe(short);
  });
});

describe('normalize_test.go TestParseAnyReference (named references) and TestNormalizedSplitHostname', () => {
  // GIVEN
  const valid: Valid[] = [
    { input: 'redis', registry: 'docker.io', repository: 'library/redis' },
    { input: 'redis:latest', registry: 'docker.io', repository: 'library/redis', tag: 'latest' },
    { input: 'docker.io/library/redis:latest', registry: 'docker.io', repository: 'library/redis', tag: 'latest' },
    { input: `redis@${SHA256_DBCC}`, registry: 'docker.io', repository: 'library/redis', digest: SHA256_DBCC },
    { input: `docker.io/library/redis@${SHA256_DBCC}`, registry: 'docker.io', repository: 'library/redis', digest: SHA256_DBCC },
    { input: 'dmcgowan/myapp', registry: 'docker.io', repository: 'dmcgowan/myapp' },
    { input: 'dmcgowan/myapp:latest', registry: 'docker.io', repository: 'dmcgowan/myapp', tag: 'latest' },
    { input: 'docker.io/mcgowan/myapp:latest', registry: 'docker.io', repository: 'mcgowan/myapp', tag: 'latest' },
    { input: `dmcgowan/myapp@${SHA256_DBCC}`, registry: 'docker.io', repository: 'dmcgowan/myapp', digest: SHA256_DBCC },
    { input: `docker.io/dmcgowan/myapp@${SHA256_DBCC}`, registry: 'docker.io', repository: 'dmcgowan/myapp', digest: SHA256_DBCC },
    // 63 hex characters is a name, not an id
    {
      input: 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9',
      registry: 'docker.io',
      repository: 'library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9',
    },
    { input: 'dbcc1', registry: 'docker.io', repository: 'library/dbcc1' },
    // ParseAnyReference reads a bare digest as a digest; ParseNormalizedNamed reads it as name:tag
    { input: SHA256_DBCC, registry: 'docker.io', repository: 'library/sha256', tag: SHA256_DBCC.slice('sha256:'.length) },
    { input: 'test.com/foo', registry: 'test.com', repository: 'foo' },
    { input: 'test_com/foo', registry: 'docker.io', repository: 'test_com/foo' },
    { input: 'docker/migrator', registry: 'docker.io', repository: 'docker/migrator' },
    { input: 'test.com:8080/foo', registry: 'test.com:8080', repository: 'foo' },
    { input: 'test-com:8080/foo', registry: 'test-com:8080', repository: 'foo' },
    { input: 'foo', registry: 'docker.io', repository: 'library/foo' },
    { input: 'xn--n3h.com/foo', registry: 'xn--n3h.com', repository: 'foo' },
    { input: 'xn--n3h.com:18080/foo', registry: 'xn--n3h.com:18080', repository: 'foo' },
    { input: 'docker.io/foo', registry: 'docker.io', repository: 'library/foo' },
    { input: 'docker.io/library/foo', registry: 'docker.io', repository: 'library/foo' },
    { input: 'docker.io/library/foo/bar', registry: 'docker.io', repository: 'library/foo/bar', familiar: 'library/foo/bar' },
  ];
  test.each(valid)('parses $input', expectValid);

  test('refuses a bare 64-hex id (ParseAnyReference would read it as a digest)', () => {
    expectInvalid({ input: SHA256_DBCC.slice('sha256:'.length), error: ERR.identifier });
  });

  test('refuses an invalid first component (TestInvalidReferenceComponents)', () => {
    expectInvalid({ input: '-foo', error: ERR.component });
  });
});

describe('regexp_test.go TestDomainRegexp (as <domain>/repo)', () => {
  // GIVEN domains the domain regexp accepts
  const accepted = [
    'test.com', 'test.com:10304', 'localhost', 'localhost:8080', 'a.b', 'ab.cd.com', 'a-b.com', 'ab.c-om', '0101.com', '001a.com',
    'b.gbc.io:443', 'b.gbc.io', 'xn--n3h.com', 'Asdf.com',
    // ports are not range-checked
    '192.168.1.1:75050', '192.168.1.1:750050',
    '[fd00:1:2::3]:75050',
    // IPv6 contents are not validated beyond hex digits and ':'
    '[fd00123123123]:75050',
    '[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050',
    '[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505',
  ];
  test.each(accepted)('accepts registry %s', (domain) => {
    expectValid({ input: `${domain}/repo`, registry: domain, repository: 'repo', familiar: `${domain}/repo` });
  });

  test('"a" matches the domain regexp but, lacking "." or ":", is a Docker Hub namespace', () => {
    expectValid({ input: 'a/repo', registry: 'docker.io', repository: 'a/repo', familiar: 'a/repo' });
  });

  // GIVEN domains the domain regexp refuses
  const refused = [
    'test.com:http', '-ab.com', 'ab-.com', 'ab.-com', 'ab.com-',
    '[fd00:1:2::3]75050', '[fd00:1:2::3]::75050', '[fd00:1:2::3%eth0]:75050', 'fd00:1:2::3:75050',
  ];
  test.each(refused)('refuses registry %s', (domain) => {
    expectInvalid({ input: `${domain}/repo`, error: ERR.registry });
  });
});

describe('regexp_test.go TestFullNameRegexp', () => {
  // GIVEN
  const valid: Valid[] = [
    { input: 'short', registry: 'docker.io', repository: 'library/short' },
    { input: 'simple/name', registry: 'docker.io', repository: 'simple/name' },
    { input: 'library/ubuntu', registry: 'docker.io', repository: 'library/ubuntu' },
    { input: 'docker/stevvooe/app', registry: 'docker.io', repository: 'docker/stevvooe/app' },
    { input: 'aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb', registry: 'docker.io', repository: 'aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb' },
    { input: 'aa/aa/bb/bb/bb', registry: 'docker.io', repository: 'aa/aa/bb/bb/bb' },
    { input: 'a/a/a/a', registry: 'docker.io', repository: 'a/a/a/a' },
    { input: 'a', registry: 'docker.io', repository: 'library/a' },
    { input: 'a/aa', registry: 'docker.io', repository: 'a/aa' },
    { input: 'a/aa/a', registry: 'docker.io', repository: 'a/aa/a' },
    { input: 'foo.com', registry: 'docker.io', repository: 'library/foo.com' },
    { input: 'foo.com:8080/bar', registry: 'foo.com:8080', repository: 'bar' },
    { input: 'foo.com/bar', registry: 'foo.com', repository: 'bar' },
    { input: 'foo.com/bar/baz', registry: 'foo.com', repository: 'bar/baz' },
    { input: 'localhost:8080/bar', registry: 'localhost:8080', repository: 'bar' },
    { input: 'sub-dom1.foo.com/bar/baz/quux', registry: 'sub-dom1.foo.com', repository: 'bar/baz/quux' },
    { input: 'blog.foo.com/bar/baz', registry: 'blog.foo.com', repository: 'bar/baz' },
    { input: 'aa-a/a', registry: 'docker.io', repository: 'aa-a/a' },
    { input: 'foo_bar', registry: 'docker.io', repository: 'library/foo_bar' },
    { input: 'foo_bar.com', registry: 'docker.io', repository: 'library/foo_bar.com' },
    // the name regexp refuses 'foo_bar.com:8080', but normalization reads it as name:tag
    { input: 'foo_bar.com:8080', registry: 'docker.io', repository: 'library/foo_bar.com', tag: '8080' },
    { input: 'foo.com/foo_bar', registry: 'foo.com', repository: 'foo_bar' },
    { input: 'b.gcr.io/test.example.com/my-app', registry: 'b.gcr.io', repository: 'test.example.com/my-app' },
    { input: 'xn--n3h.com/myimage', registry: 'xn--n3h.com', repository: 'myimage' },
    { input: 'xn--7o8h.com/myimage', registry: 'xn--7o8h.com', repository: 'myimage' },
    { input: 'example.com/xn--7o8h.com/myimage', registry: 'example.com', repository: 'xn--7o8h.com/myimage' },
    { input: 'example.com/some_separator__underscore/myimage', registry: 'example.com', repository: 'some_separator__underscore/myimage' },
    { input: 'do__cker/docker', registry: 'docker.io', repository: 'do__cker/docker' },
    { input: 'registry.io/foo/project--id.module--name.ver---sion--name', registry: 'registry.io', repository: 'foo/project--id.module--name.ver---sion--name' },
    { input: 'Asdf.com/foo/bar', registry: 'Asdf.com', repository: 'foo/bar' },
  ];
  test.each(valid)('parses $input', expectValid);

  // GIVEN
  const invalid: Invalid[] = [
    { input: '', error: ERR.empty },
    { input: 'a/a/a/a/', error: ERR.component },
    { input: 'a//a/a', error: ERR.component },
    { input: 'foo.com/', error: ERR.emptyName },
    { input: 'foo.com:http/bar', error: ERR.registry },
    { input: 'a^a', error: ERR.component },
    { input: 'aa/asdf$$^/aa', error: ERR.component },
    { input: 'asdf$$^/aa', error: ERR.component },
    // with normalization the first 'a' is not a domain, so the path is 257 characters
    { input: 'a/'.repeat(128) + 'a', error: ERR.tooLong },
    { input: 'a-/a/a/a', error: ERR.component },
    { input: 'foo.com/a-/a/a', error: ERR.component },
    { input: '-foo/bar', error: ERR.component },
    { input: 'foo/bar-', error: ERR.component },
    { input: 'foo-/bar', error: ERR.component },
    { input: 'foo/-bar', error: ERR.component },
    { input: '_foo/bar', error: ERR.component },
    { input: 'foo_bar.com:8080/app', error: ERR.registry },
    { input: '____/____', error: ERR.component },
    { input: '_docker/_docker', error: ERR.component },
    { input: 'docker_/docker_', error: ERR.component },
    { input: 'example.com/__underscore/myimage', error: ERR.component },
    { input: 'example.com/..dots/myimage', error: ERR.component },
    { input: 'example.com/.dots/myimage', error: ERR.component },
    { input: 'example.com/nodouble..dots/myimage', error: ERR.component },
    { input: 'docker./docker', error: ERR.registry },
    { input: '.docker/docker', error: ERR.registry },
    { input: 'docker-/docker', error: ERR.component },
    { input: '-docker/docker', error: ERR.component },
    { input: 'do..cker/docker', error: ERR.registry },
    { input: 'do__cker:8080/docker', error: ERR.registry },
    { input: 'Foo/FarB', error: ERR.lowercase },
  ];
  test.each(invalid)('refuses $input', expectInvalid);
});

describe('regexp_test.go TestReferenceRegexp and TestIdentifierRegexp', () => {
  // GIVEN
  const valid: Valid[] = [
    { input: 'registry.com:8080/myapp:tag', registry: 'registry.com:8080', repository: 'myapp', tag: 'tag' },
    { input: `registry.com:8080/myapp@${SHA256_BE17}`, registry: 'registry.com:8080', repository: 'myapp', digest: SHA256_BE17 },
    { input: `registry.com:8080/myapp:tag2@${SHA256_BE17}`, registry: 'registry.com:8080', repository: 'myapp', tag: 'tag2', digest: SHA256_BE17 },
    // localhost without a '/' is a Docker Hub name, and 8080 its tag
    { input: `localhost:8080@${SHA256_BE17}`, registry: 'docker.io', repository: 'library/localhost', tag: '8080', digest: SHA256_BE17 },
    { input: `localhost:8080/name@${SHA256_BE17}`, registry: 'localhost:8080', repository: 'name', digest: SHA256_BE17 },
    { input: `localhost@${SHA256_BE17}`, registry: 'docker.io', repository: 'library/localhost', digest: SHA256_BE17 },
    { input: 'da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf', registry: 'docker.io', repository: 'library/da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf' },
    { input: `sha256:${HEX_DA30}`, registry: 'docker.io', repository: 'library/sha256', tag: HEX_DA30 },
    { input: `${HEX_DA30}8482`, registry: 'docker.io', repository: `library/${HEX_DA30}8482` },
  ];
  test.each(valid)('parses $input', expectValid);

  // GIVEN
  const invalid: Invalid[] = [
    { input: 'registry.com:8080/myapp@sha256:badbadbadbad', error: /invalid digest ".*": expected algorithm:hex with at least 32 hex digits/ },
    { input: 'registry.com:8080/myapp:invalid~tag', error: ERR.tag },
    { input: 'bad_hostname.com:8080/myapp:tag', error: ERR.registry },
    { input: `localhost:http/name@${SHA256_BE17}`, error: ERR.registry },
    { input: 'registry.com:8080/myapp@bad', error: ERR.digest },
    { input: 'registry.com:8080/myapp@2bad', error: ERR.digest },
    { input: HEX_DA30, error: ERR.identifier },
    { input: '7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C', error: ERR.lowercase },
  ];
  test.each(invalid)('refuses $input', expectInvalid);
});

describe('kubernetes pkg/util/parsers/parsers_test.go TestParseImageName', () => {
  // GIVEN
  const valid: Valid[] = [
    { input: 'root', registry: 'docker.io', repository: 'library/root' },
    { input: 'root:tag', registry: 'docker.io', repository: 'library/root', tag: 'tag' },
    { input: `root@${SHA256_E3B0}`, registry: 'docker.io', repository: 'library/root', digest: SHA256_E3B0 },
    { input: 'user/repo', registry: 'docker.io', repository: 'user/repo' },
    { input: 'user/repo:tag', registry: 'docker.io', repository: 'user/repo', tag: 'tag' },
    { input: `user/repo@${SHA256_E3B0}`, registry: 'docker.io', repository: 'user/repo', digest: SHA256_E3B0 },
    { input: 'url:5000/repo', registry: 'url:5000', repository: 'repo' },
    { input: 'url:5000/repo:tag', registry: 'url:5000', repository: 'repo', tag: 'tag' },
    { input: `url:5000/repo@${SHA256_E3B0}`, registry: 'url:5000', repository: 'repo', digest: SHA256_E3B0 },
    { input: `url:5000/repo:latest@${SHA256_E3B0}`, registry: 'url:5000', repository: 'repo', tag: 'latest', digest: SHA256_E3B0 },
  ];
  test.each(valid)('parses $input', expectValid);

  // GIVEN
  const invalid: Invalid[] = [
    { input: 'ROOT', error: /must be lowercase/ },
    // upstream reports "invalid reference format"; we name the problem
    { input: 'http://root', error: ERR.scheme },
    { input: SHA256_E3B0.slice('sha256:'.length), error: /cannot specify 64-byte hexadecimal strings/ },
  ];
  test.each(invalid)('refuses $input', expectInvalid);
});

describe('defaultPullPolicy (SetDefaults_Container, pkg/apis/core/v1/defaults_test.go)', () => {
  // GIVEN
  const cases = [
    { image: 'busybox', policy: 'Always', why: 'no tag and no digest means latest' },
    { image: 'root', policy: 'Always', why: 'no tag and no digest means latest' },
    { image: 'nginx:latest', policy: 'Always', why: 'tag latest' },
    { image: 'localhost:5000/app', policy: 'Always', why: 'no tag on a private registry' },
    { image: 'root:tag', policy: 'IfNotPresent', why: 'another tag' },
    { image: 'nginx:1.25', policy: 'IfNotPresent', why: 'another tag' },
    { image: 'nginx:Latest', policy: 'IfNotPresent', why: 'tags are case-sensitive' },
    { image: 'registry.gitlab.com/onurbolatoglu/images:nginx', policy: 'IfNotPresent', why: 'the seed image has tag nginx' },
    { image: `root@${SHA256_E3B0}`, policy: 'IfNotPresent', why: 'digest only' },
    { image: `url:5000/repo:latest@${SHA256_E3B0}`, policy: 'Always', why: 'tag and digest: the tag decides' },
    { image: `img:v1@${SHA256_E3B0}`, policy: 'IfNotPresent', why: 'tag and digest: the tag decides' },
  ];

  test.each(cases)('$image -> $policy ($why)', ({ image, policy }) => {
    // WHEN
    const ref = ParsedImage.parse(image);

    // THEN
    expect(ref.defaultPullPolicy).toBe(policy);
  });
});

describe('normalization details', () => {
  test('index.docker.io is docker.io', () => {
    // GIVEN / WHEN
    const ref = ParsedImage.parse('index.docker.io/foo');

    // THEN
    expect(ref.name).toBe('docker.io/library/foo');
    expect(ref.toFamiliarString()).toBe('foo');
  });

  test('the registry keeps its case and is not otherwise rewritten', () => {
    // GIVEN / WHEN
    const upper = ParsedImage.parse('Registry.Example.com/app');
    const hubUpper = ParsedImage.parse('DOCKER.IO/app');

    // THEN
    expect(upper.registry).toBe('Registry.Example.com');
    expect(hubUpper.registry).toBe('DOCKER.IO');
    expect(hubUpper.repository).toBe('app');
  });

  test('a registry port is kept, and docker.io with a port is another registry', () => {
    // GIVEN / WHEN
    const ref = ParsedImage.parse('docker.io:443/nginx');

    // THEN
    expect(ref.registry).toBe('docker.io:443');
    expect(ref.repository).toBe('nginx');
  });

  test('localhost is a registry only before a "/"', () => {
    expectValid({ input: 'localhost/app', registry: 'localhost', repository: 'app', familiar: 'localhost/app' });
    expectValid({ input: 'localhost', registry: 'docker.io', repository: 'library/localhost', familiar: 'localhost' });
    expectValid({ input: 'localhost:5000', registry: 'docker.io', repository: 'library/localhost', tag: '5000', familiar: 'localhost:5000' });
  });

  test('IPv6 registries, with and without port, in any hex case', () => {
    expectValid({ input: '[::1]/app:1', registry: '[::1]', repository: 'app', tag: '1', familiar: '[::1]/app:1' });
    expectValid({ input: '[FC00::1]:5000/app', registry: '[FC00::1]:5000', repository: 'app', familiar: '[FC00::1]:5000/app' });
  });

  test('the 255-character limit counts the path only, including the implied library/ prefix', () => {
    // GIVEN
    const path255 = 'a'.repeat(255);
    const name247 = 'b'.repeat(247);

    // WHEN / THEN: the registry does not count
    expect(ParsedImage.parse(`${'r'.repeat(200)}.example.com/${path255}`).repository).toBe(path255);
    // 'library/' + 247 = 255
    expect(ParsedImage.parse(name247).repository).toBe(`library/${name247}`);
    expectInvalid({ input: `${name247}b`, error: /got 256 \(including the implied "library\/" prefix\)/ });
    expectInvalid({ input: `example.com/${path255}a`, error: /must not be more than 255 characters, not counting the registry, got 256$/ });
  });

  test('tags are at most 128 characters', () => {
    // GIVEN
    const tag128 = 'T'.repeat(128);

    // WHEN / THEN
    expect(ParsedImage.parse(`app:${tag128}`).tag).toBe(tag128);
    expectInvalid({ input: `app:${tag128}x`, error: ERR.tag });
  });

  test.each([
    { input: 'nginx:', error: /tag "" must match/ },
    { input: 'nginx:-x', error: /tag "-x" must match/ },
    { input: 'nginx:.x', error: ERR.tag },
    { input: 'nginx:1.0:extra', error: /tag "1.0:extra" must match/ },
    { input: 'nginx:a b', error: ERR.tag },
    { input: 'nginx@', error: ERR.digest },
    { input: `nginx@${SHA256_F}@${SHA256_F}`, error: ERR.digest },
    { input: `nginx@md5:${'f'.repeat(32)}`, error: /unsupported digest algorithm "md5"/ },
    { input: `nginx@sha256+b64:${HEX_F64}`, error: /unsupported digest algorithm "sha256\+b64"/ },
    { input: `nginx@SHA256:${HEX_F64}`, error: /invalid digest "SHA256:f+": algorithm "SHA256" must be lowercase/ },
    { input: `nginx@sha256:${'F'.repeat(64)}`, error: /invalid digest "sha256:F+": hex digits must be lowercase/ },
    { input: `nginx@sha384:${HEX_F64}`, error: /expected 96 hex digits after "sha384:", got 64/ },
    { input: `nginx@sha512:${HEX_F64}`, error: /expected 128 hex digits after "sha512:", got 64/ },
    { input: `nginx@sha256:${'g'.repeat(64)}`, error: ERR.digest },
    { input: ' nginx', error: ERR.whitespace },
    { input: 'nginx\n', error: ERR.whitespace },
    { input: 'my app', error: ERR.component },
    { input: 'registry.example.com/', error: ERR.emptyName },
    { input: 'nginx:1.0/extra', error: ERR.registry },
    { input: 'https://registry.gitlab.com/a/b', error: /must not contain a URL scheme \("https:\/\/"\)/ },
    { input: 'Foo_Bar/app', error: ERR.registry },
  ])('refuses $input', expectInvalid);

  test.each([
    { input: `nginx@sha384:${'a'.repeat(96)}`, registry: 'docker.io', repository: 'library/nginx', digest: `sha384:${'a'.repeat(96)}` },
    { input: `nginx@${SHA512_F}`, registry: 'docker.io', repository: 'library/nginx', digest: SHA512_F },
    { input: 'nginx:_', registry: 'docker.io', repository: 'library/nginx', tag: '_' },
    { input: 'nginx:v1.2.3-rc_1', registry: 'docker.io', repository: 'library/nginx', tag: 'v1.2.3-rc_1' },
  ])('parses $input', expectValid);

  test('upstream quirk: a first segment that is no valid domain but a valid path keeps its name', () => {
    // GIVEN 'foo_bar.com' contains '.', but '_' is not allowed in DNS labels.
    // Upstream then matches the whole name as a path: Name() is 'foo_bar.com/app'.

    // WHEN
    const ref = ParsedImage.parse('foo_bar.com/app:1');

    // THEN
    expect(ref.name).toBe('foo_bar.com/app');
    expect(ref.registry).toBe('foo_bar.com');
    expect(ref.repository).toBe('app');
    expect(ref.toString()).toBe('foo_bar.com/app:1');
  });

  test('the familiar form keeps docker.io/ where the short form would name another registry', () => {
    // GIVEN
    const dotted = ParsedImage.parse('docker.io/foo.bar/app');
    const local = ParsedImage.parse('docker.io/localhost/app');
    const hub = ParsedImage.parse('docker.io/foo/bar.baz');

    // THEN
    expect(dotted.toFamiliarString()).toBe('docker.io/foo.bar/app');
    expect(local.toFamiliarString()).toBe('docker.io/localhost/app');
    expect(hub.toFamiliarString()).toBe('foo/bar.baz');
    expect(ParsedImage.parse(dotted.toFamiliarString()).name).toBe(dotted.name);
    expect(ParsedImage.parse(local.toFamiliarString()).name).toBe(local.name);
  });

  test('refuses a value that is not a string (from a jsii language binding)', () => {
    expect(() => ParsedImage.parse(undefined as unknown as string)).toThrow(/invalid image reference undefined: expected a string/);
  });
});

describe('error messages follow the style card', () => {
  // GIVEN
  const inputs = [
    '', ' x', HEX_DA30, 'http://x', 'a//b', 'Foo/Bar', 'bad_host.com:1/x', 'x:-', `x@md5:${HEX_F64}`, 'x@sha256:abc', 'a/'.repeat(200) + 'a',
  ];

  test.each(inputs)('message for %j', (input) => {
    // WHEN
    const message = parseError(input);

    // THEN: quotes the input, starts lowercase, no trailing period
    expect(message.startsWith(`invalid image reference ${JSON.stringify(input)}: `)).toBe(true);
    const detail = message.slice(`invalid image reference ${JSON.stringify(input)}: `.length);
    expect(detail).toMatch(/^[a-z]/);
    expect(message).not.toMatch(/\.$/);
  });
});

describe('printing', () => {
  test('toString is the fully normalized reference and toFamiliarString the short one', () => {
    // GIVEN
    const cases = [
      { input: 'nginx:1.25', full: 'docker.io/library/nginx:1.25', familiar: 'nginx:1.25' },
      { input: 'user/app', full: 'docker.io/user/app', familiar: 'user/app' },
      { input: 'registry.gitlab.com/a/b:tag', full: 'registry.gitlab.com/a/b:tag', familiar: 'registry.gitlab.com/a/b:tag' },
      { input: `nginx:1.25@${SHA256_F}`, full: `docker.io/library/nginx:1.25@${SHA256_F}`, familiar: `nginx:1.25@${SHA256_F}` },
    ];

    for (const c of cases) {
      // WHEN
      const ref = ParsedImage.parse(c.input);

      // THEN
      expect(ref.toString()).toBe(c.full);
      expect(`${ref}`).toBe(c.full);
      expect(ref.toFamiliarString()).toBe(c.familiar);
    }
  });

  test('snapshot of the seed image', () => {
    // GIVEN / WHEN
    const ref = ParsedImage.parse('registry.gitlab.com/onurbolatoglu/images:nginx');

    // THEN
    expect({ ...fields(ref), string: ref.toString(), familiar: ref.toFamiliarString() }).toMatchSnapshot();
    expect(ref.registry).toBe('registry.gitlab.com');
    expect(ref.repository).toBe('onurbolatoglu/images');
    expect(ref.tag).toBe('nginx');
    expect(ref.digest).toBeUndefined();
    expect(ref.defaultPullPolicy).toBe('IfNotPresent');
  });
});

describe('properties', () => {
  const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
  const ALNUM = [...LOWER_ALNUM, ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')];
  const WORD = [...ALNUM, '_'];
  const HEX = '0123456789abcdef'.split('');

  const chars = (alphabet: string[], minLength: number, maxLength: number) =>
    fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

  // domain := host[:port]
  const label = fc.tuple(chars(ALNUM, 1, 1), fc.option(fc.tuple(chars([...ALNUM, '-'], 0, 6), chars(ALNUM, 1, 1)), { nil: undefined }))
    .map(([first, rest]) => first + (rest ? rest[0] + rest[1] : ''));
  const dnsName = fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.'));
  const ipv4 = fc.array(fc.nat(255), { minLength: 4, maxLength: 4 }).map((parts) => parts.join('.'));
  const ipv6 = fc.tuple(fc.array(chars([...HEX, 'A', 'F'], 1, 4), { minLength: 2, maxLength: 4 }), fc.boolean())
    .map(([groups, compressed]) => `[${compressed ? groups.join(':') + '::1' : groups.join(':')}]`);
  const host = fc.oneof(dnsName, ipv4, ipv6, label, fc.constantFrom('localhost', 'docker.io', 'index.docker.io'));
  const domain = fc.tuple(host, fc.option(fc.nat(99999), { nil: undefined }))
    .map(([h, port]) => (port === undefined ? h : `${h}:${port}`));

  // path := component ('/' component)*; component := [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
  const separator = fc.constantFrom('.', '_', '__', '-', '--', '---');
  const component = fc.tuple(chars(LOWER_ALNUM, 1, 6), fc.array(fc.tuple(separator, chars(LOWER_ALNUM, 1, 6)), { maxLength: 3 }))
    .map(([first, rest]) => first + rest.map(([sep, part]) => sep + part).join(''));
  const path = fc.array(component, { minLength: 1, maxLength: 4 }).map((components) => components.join('/'));

  const tag = fc.tuple(chars(WORD, 1, 1), chars([...WORD, '.', '-'], 0, 127)).map(([first, rest]) => first + rest);
  const digest = fc.constantFrom(256, 384, 512)
    .chain((bits) => chars(HEX, bits / 4, bits / 4).map((hex) => `sha${bits}:${hex}`));

  const reference = fc.record({
    domain: fc.option(domain, { nil: undefined }),
    path,
    tag: fc.option(tag, { nil: undefined }),
    digest: fc.option(digest, { nil: undefined }),
  });
  const format = (r: { domain?: string; path: string; tag?: string; digest?: string }) =>
    (r.domain === undefined ? '' : `${r.domain}/`) + r.path + (r.tag === undefined ? '' : `:${r.tag}`) + (r.digest === undefined ? '' : `@${r.digest}`);

  test('every generated reference parses, and toString and toFamiliarString read back as the same reference', () => {
    fc.assert(fc.property(reference, (r) => {
      // GIVEN
      const image = format(r);

      // WHEN
      const ref = ParsedImage.parse(image);
      const again = ParsedImage.parse(ref.toString());
      const familiar = ParsedImage.parse(ref.toFamiliarString());

      // THEN
      expect(fields(again)).toEqual(fields(ref));
      expect(fields(familiar)).toEqual(fields(ref));
      expect(again.toString()).toBe(ref.toString());
      expect(ref.tag).toBe(r.tag);
      expect(ref.digest).toBe(r.digest);
    }), { numRuns: propertyRuns(500) });
  });

  test('an explicit registry (with ".", ":", localhost or uppercase) is split off and normalized', () => {
    const explicit = fc.record({ domain, path, tag: fc.option(tag, { nil: undefined }) })
      .filter((r) => r.domain === 'localhost' || /[.:A-Z]/.test(r.domain));
    fc.assert(fc.property(explicit, (r) => {
      // GIVEN
      const image = format(r);
      const registry = r.domain === 'index.docker.io' ? 'docker.io' : r.domain;
      const repository = registry === 'docker.io' && !r.path.includes('/') ? `library/${r.path}` : r.path;

      // WHEN
      const ref = ParsedImage.parse(image);

      // THEN
      expect(ref.registry).toBe(registry);
      expect(ref.repository).toBe(repository);
      expect(ref.name).toBe(`${registry}/${repository}`);
      expect(ref.defaultPullPolicy).toBe(r.tag === undefined || r.tag === 'latest' ? 'Always' : 'IfNotPresent');
    }), { numRuns: propertyRuns(500) });
  });

  test('any string either parses and round-trips, or is refused with a quoted message', () => {
    const noisy = fc.oneof(
      fc.string({ maxLength: 40 }),
      chars([...'aZ0_.-:/@[]% '.split(''), 'sha256'], 0, 30),
      reference.map(format).chain((image) => fc.nat(image.length).map((cut) => image.slice(0, cut))),
    );
    fc.assert(fc.property(noisy, (image) => {
      // WHEN
      let ref: ParsedImage | undefined;
      try {
        ref = ParsedImage.parse(image);
      } catch (e) {
        // THEN (refused)
        expect(e).toBeInstanceOf(Error);
        // a user name or password before "@" is not repeated: the message shows it redacted
        const userinfo = (e as Error).message.includes('must not carry a user name or password before "@"');
        const quoted = JSON.stringify(userinfo ? redactUserinfo(image) : image);
        expect((e as Error).message.startsWith(`invalid image reference ${quoted}: `)).toBe(true);
        return;
      }
      // THEN (accepted)
      expect(fields(ParsedImage.parse(ref.toString()))).toEqual(fields(ref));
      expect(fields(ParsedImage.parse(ref.toFamiliarString()))).toEqual(fields(ref));
    }), { numRuns: propertyRuns(500) });
  });
});

// timing belongs to `npm run bench`; these inputs only have to be refused (a catastrophic
// backtrack would show up as a test that never finishes)
describe('adversarial inputs', () => {
  test('long near-miss inputs are refused', () => {
    // GIVEN
    const inputs = [
      'a-'.repeat(50_000) + '!',
      'a'.repeat(100_000) + '-.b/x',
      'a.'.repeat(50_000) + '-/x',
      `example.com/${'a_'.repeat(50_000)}`,
      `x:${'a'.repeat(100_000)}`,
      `x@sha256:${'f'.repeat(100_000)}`,
    ];

    // WHEN / THEN
    for (const input of inputs) {
      expect(() => ParsedImage.parse(input)).toThrow(/invalid image reference/);
    }
  });
});

describe('ParsedImage, the public class', () => {
  test('defaultPullPolicy is cdk8s-plus\'s enum, to pass on without a cast', () => {
    // GIVEN
    const image = 'registry.gitlab.com/team/app:v1.2';

    // WHEN
    const policy: kplus.ImagePullPolicy = PublicImageReference.parse(image).defaultPullPolicy;
    const container = new kplus.Container({ image, imagePullPolicy: policy });

    // THEN
    expect(container.imagePullPolicy).toBe(kplus.ImagePullPolicy.IF_NOT_PRESENT);
    expect(PublicImageReference.parse('nginx').defaultPullPolicy).toBe(kplus.ImagePullPolicy.ALWAYS);
  });

  test('reads as the rules parse it', () => {
    // WHEN
    const ref = PublicImageReference.parse('index.docker.io/nginx@sha256:' + 'a'.repeat(64));

    // THEN
    expect({ ...ref }).toMatchObject({ registry: 'docker.io', repository: 'library/nginx', name: 'docker.io/library/nginx', tag: undefined, digest: `sha256:${'a'.repeat(64)}` });
    expect(ref.toString()).toBe(`docker.io/library/nginx@sha256:${'a'.repeat(64)}`);
    expect(ref.toFamiliarString()).toBe(`nginx@sha256:${'a'.repeat(64)}`);
    expect(() => PublicImageReference.parse('Bad')).toThrow(/must be lowercase/);
  });
});

describe('an image written with a user name or password', () => {
  const PASSWORD = 'Sentinel-Image-Password-81c0';

  test.each([
    [`u:${PASSWORD}@registry.example.com/app:1`, '<redacted>@registry.example.com/app:1'],
    [`u:${PASSWORD}@localhost:5000/app`, '<redacted>@localhost:5000/app'],
    [`https://u:${PASSWORD}@registry.example.com/app:1`, 'https://<redacted>@registry.example.com/app:1'],
    [`u:${PASSWORD}@registry.example.com`, '<redacted>@registry.example.com'],
    [`u:${PASSWORD}@registry:5000/app`, '<redacted>@registry:5000/app'],
  ])('%s is refused, and the message shows it as %s', (image, shown) => {
    // GIVEN an image with userinfo, which the reference grammar cannot read as a name and digest
    // WHEN it is parsed THEN the error says why without repeating the user name or password
    let message = '';
    try {
      ParsedImage.parse(image);
    } catch (e: any) {
      message = e.message;
    }
    expect(message).toBe(`invalid image reference ${JSON.stringify(shown)}: must not carry a user name or password before "@": `
      + 'expected [registry/]repository[:tag][@digest], with credentials only in a pull secret');
    expect(message).not.toContain(PASSWORD);
  });

  test.each([
    'nginx@sha256:' + 'a'.repeat(64),
    'nginx:1.25@sha256:' + 'a'.repeat(64),
    'registry.example.com:5000/team/app@sha256:' + 'a'.repeat(64),
  ])('a digest after "@" is no userinfo: %s parses', image => {
    expect(ParsedImage.parse(image).digest).toBe('sha256:' + 'a'.repeat(64));
  });

  test('a construct refuses it without repeating the password', () => {
    // GIVEN a pod whose container image carries userinfo
    const chart = Testing.chart();
    new PrivateImagePod(chart, 'pod', {
      registrySecrets: [RegistrySecret.fromSecretName(chart, 'regcred', 'regcred', { servers: ['registry.example.com'] })],
      containers: [{ image: `u:${PASSWORD}@registry.example.com/app:1`, imagePullPolicy: kplus.ImagePullPolicy.ALWAYS }],
    });
    // WHEN it is synthesized THEN the error redacts the userinfo
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e: any) {
      message = e.message;
    }
    expect(message).toContain('invalid image reference "<redacted>@registry.example.com/app:1"');
    expect(message).not.toContain(PASSWORD);
  });
});
