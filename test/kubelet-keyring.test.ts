import { kubeletLookup, KubeletKeyring } from '../src/rules/kubelet-keyring';

/*
 * The vectors below are data taken from kubernetes pkg/credentialprovider/keyring_test.go
 * (TestURLsMatch, TestDockerKeyringForGlob, TestKeyringMiss, TestKeyringMissWithDockerHubCredentials,
 * TestKeyringHit*DockerHub, TestIsDefaultRegistryMatch, TestDockerKeyringLookup, TestIssue3797),
 * plus the cases from our README and edge cases of Go's url.Parse, net.SplitHostPort and
 * filepath.Match.
 */

/** `defaultRegistryKey` in keyring_test.go, which the tests write as `https://index.docker.io/v1/`. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

describe('KubeletKeyring.covers: upstream TestURLsMatch', () => {
  // [key, image, match]
  const vectors: Array<[string, string, boolean]> = [
    // match when there is no path component
    ['*.kubernetes.io', 'prefix.kubernetes.io', true],
    ['prefix.*.io', 'prefix.kubernetes.io', true],
    ['prefix.kubernetes.*', 'prefix.kubernetes.io', true],
    ['*-good.kubernetes.io', 'prefix-good.kubernetes.io', true],
    // match with path components
    ['*.kubernetes.io/blah', 'prefix.kubernetes.io/blah', true],
    ['prefix.*.io/foo', 'prefix.kubernetes.io/foo/bar', true],
    // match with path components and ports
    ['*.kubernetes.io:1111/blah', 'prefix.kubernetes.io:1111/blah', true],
    ['prefix.*.io:1111/foo', 'prefix.kubernetes.io:1111/foo/bar', true],
    // no match when number of parts mismatch
    ['*.kubernetes.io', 'kubernetes.io', false],
    ['*.*.kubernetes.io', 'prefix.kubernetes.io', false],
    ['*.*.kubernetes.io', 'kubernetes.io', false],
    ['*kubernetes.io', 'a.kubernetes.io', false],
    // match when number of parts match
    ['*kubernetes.io', 'kubernetes.io', true],
    ['*.*.*.kubernetes.io', 'a.b.c.kubernetes.io', true],
    // no match when some parts mismatch
    ['kubernetes.io', 'kubernetes.com', false],
    ['k*.io', 'quay.io', false],
    // no match when ports mismatch
    ['*.kubernetes.io:1234/blah', 'prefix.kubernetes.io:1111/blah', false],
    ['prefix.*.io/foo', 'prefix.kubernetes.io:1111/foo/bar', false],
  ];

  test.each(vectors)('%s against %s is %s', (key, image, match) => {
    // GIVEN / WHEN
    const covered = KubeletKeyring.covers(key, image);

    // THEN
    expect(covered).toBe(match);
  });
});

describe('KubeletKeyring.covers: upstream TestDockerKeyringForGlob (hits)', () => {
  // [server, image prefix]; upstream looks up `${image}/foo/bar`
  const vectors: Array<[string, string]> = [
    ['https://hello.kubernetes.io', 'hello.kubernetes.io'],
    ['https://*.docker.io', 'prefix.docker.io'],
    ['https://prefix.*.io', 'prefix.docker.io'],
    ['https://prefix.docker.*', 'prefix.docker.io'],
    ['https://*.docker.io/path', 'prefix.docker.io/path'],
    ['https://prefix.*.io/path', 'prefix.docker.io/path/subpath'],
    ['https://prefix.docker.*/path', 'prefix.docker.io/path'],
    ['https://*.docker.io:8888', 'prefix.docker.io:8888'],
    ['https://prefix.*.io:8888', 'prefix.docker.io:8888'],
    ['https://prefix.docker.*:8888', 'prefix.docker.io:8888'],
    ['https://*.docker.io/path:1111', 'prefix.docker.io/path:1111'],
    ['https://*.docker.io/v1/', 'prefix.docker.io/path:1111'],
    ['https://*.docker.io/v2/', 'prefix.docker.io/path:1111'],
    ['https://prefix.docker.*/path:1111', 'prefix.docker.io/path:1111'],
    ['prefix.docker.io:1111', 'prefix.docker.io:1111/path'],
    ['*.docker.io:1111', 'prefix.docker.io:1111/path'],
  ];

  test.each(vectors)('%s covers %s/foo/bar', (server, image) => {
    // GIVEN
    const imageName = `${image}/foo/bar`;

    // WHEN
    const covered = KubeletKeyring.covers(server, imageName);

    // THEN
    expect(covered).toBe(true);
  });
});

describe('KubeletKeyring.covers: upstream TestKeyringMiss (misses)', () => {
  // [server, image prefix]; upstream looks up `${image}/foo/bar`
  const vectors: Array<[string, string]> = [
    ['https://hello.kubernetes.io', 'world.mesos.org/foo/bar'],
    ['https://*.docker.com', 'prefix.docker.io'],
    ['https://suffix.*.io', 'prefix.docker.io'],
    ['https://prefix.docker.c*', 'prefix.docker.io'],
    ['https://prefix.*.io/path:1111', 'prefix.docker.io/path/subpath:1111'],
    ['suffix.*.io', 'prefix.docker.io'],
  ];

  test.each(vectors)('%s does not cover %s/foo/bar', (server, image) => {
    // GIVEN
    const imageName = `${image}/foo/bar`;

    // WHEN
    const covered = KubeletKeyring.covers(server, imageName);

    // THEN
    expect(covered).toBe(false);
  });
});

describe('KubeletKeyring.covers: Docker Hub (upstream TestKeyring*DockerHub*)', () => {
  // [server, image, match]
  const vectors: Array<[string, string, boolean]> = [
    // TestKeyringMissWithDockerHubCredentials
    [DOCKER_HUB_KEY, 'world.mesos.org/foo/bar', false],
    // TestKeyringHitWithUnqualifiedDockerHub and ...LibraryDockerHub
    [DOCKER_HUB_KEY, 'google/docker-registry', true],
    [DOCKER_HUB_KEY, 'jenkins', true],
    // TestKeyringHitWithQualifiedDockerHub
    [DOCKER_HUB_KEY, 'index.docker.io/v1//google/docker-registry', true],
    // our README: normalized Hub names
    [DOCKER_HUB_KEY, 'docker.io/library/nginx', true],
    ['https://index.docker.io/v2/', 'docker.io/library/nginx', true],
    ['index.docker.io', 'docker.io/library/nginx', true],
    ['http://index.docker.io', 'docker.io/library/nginx', true],
    ['docker.io', 'docker.io/library/nginx', true],
    ['https://docker.io/v1/', 'docker.io/library/nginx', true],
    ['registry-1.docker.io', 'docker.io/library/nginx', false],
    // without the trailing slash the path /v1 stays in the key, which then matches nothing
    ['https://index.docker.io/v1', 'docker.io/library/nginx', false],
    // the fallback is for Docker Hub images only
    [DOCKER_HUB_KEY, 'registry.example.com/test/app', false],
    [DOCKER_HUB_KEY, 'localhost:5000/test/app', false],
    ['docker.io', 'registry.example.com/test/app', false],
    // upstream quirk: a first component with neither '.' nor ':' counts as Docker Hub
    [DOCKER_HUB_KEY, 'localhost/test/app', true],
  ];

  test.each(vectors)('%s against %s is %s', (server, image, match) => {
    // GIVEN / WHEN
    const covered = KubeletKeyring.covers(server, image);

    // THEN
    expect(covered).toBe(match);
  });

  // TestIsDefaultRegistryMatch, observed through the index.docker.io fallback: none of these
  // names matches the key index.docker.io directly, so the fallback alone decides.
  const defaultRegistryVectors: Array<[string, boolean]> = [
    ['foo/bar', true],
    ['docker.io/foo/bar', true],
    ['foo', true],
    ['', false],
    ['registry.tld/foo/bar', false],
    ['registry:5000/foo/bar', false],
    ['myhostdocker.io/foo/bar', false],
  ];

  test.each(defaultRegistryVectors)('isDefaultRegistryMatch(%j) is %s', (image, match) => {
    // GIVEN / WHEN
    const covered = KubeletKeyring.covers(DOCKER_HUB_KEY, image);

    // THEN
    expect(covered).toBe(match);
  });

  test('index.docker.io/foo/bar is a Hub image, and also matches the key directly', () => {
    // GIVEN / WHEN
    const viaKey = KubeletKeyring.covers('index.docker.io', 'index.docker.io/foo/bar');
    const viaOtherHubKey = KubeletKeyring.covers('docker.io', 'index.docker.io/foo/bar');

    // THEN
    expect(viaKey).toBe(true);
    expect(viaOtherHubKey).toBe(false);
  });
});

describe('KubeletKeyring.covers: paths (upstream TestDockerKeyringLookup, TestIssue3797)', () => {
  // [server, image, match]
  const vectors: Array<[string, string, boolean]> = [
    // TestDockerKeyringLookup, key bar.example.com/pong
    ['bar.example.com/pong', 'bar.example.com', false],
    ['bar.example.com/pong', 'bar.example.com/pong', true],
    ['bar.example.com/pong', 'bar.example.com/ping', false],
    ['bar.example.com/pong', 'bar.example.com/pongz', true],
    ['bar.example.com/pong', 'bar.example.com/pong/pang', true],
    ['bar.example.com/pong', 'example.com', false],
    ['bar.example.com/pong', 'foo.example.com', false],
    // TestDockerKeyringLookup, key bar.example.com
    ['bar.example.com', 'bar.example.com', true],
    ['bar.example.com', 'bar.example.com/pong', true],
    ['bar.example.com', 'bar.example.com/ping', true],
    ['bar.example.com', 'bar.example.com/pongz', true],
    ['bar.example.com', 'bar.example.com/pong/pang', true],
    ['bar.example.com', 'example.com', false],
    ['bar.example.com', 'foo.example.com', false],
    // TestIssue3797
    ['https://quay.io/v1/', 'quay.io', true],
    ['https://quay.io/v1/', 'quay.io/foo', true],
    ['https://quay.io/v1/', 'quay.io/foo/bar', true],
    // our README: the seed's GitLab registry
    ['registry.gitlab.com', 'registry.gitlab.com/onurbolatoglu/images', true],
    ['registry.gitlab.com/onurbolatoglu', 'registry.gitlab.com/onurbolatoglu/images', true],
    ['https://registry.gitlab.com/v2/onurbolatoglu', 'registry.gitlab.com/onurbolatoglu/images', true],
    ['registry.gitlab.com/onurbolatoglu', 'registry.gitlab.com/other/images', false],
    // a string prefix, not a path-segment prefix
    ['registry.gitlab.com/onurbolatoglu', 'registry.gitlab.com/onurbolatoglu-other/images', true],
    ['registry.gitlab.com/onurbolatoglu/', 'registry.gitlab.com/onurbolatoglu', false],
    // paths are compared unescaped
    ['registry.example.com/a%62c', 'registry.example.com/abc/app', true],
  ];

  test.each(vectors)('%s against %s is %s', (server, image, match) => {
    // GIVEN / WHEN
    const covered = KubeletKeyring.covers(server, image);

    // THEN
    expect(covered).toBe(match);
  });
});

describe('KubeletKeyring.covers: hosts and ports (our README)', () => {
  // [server, image, match]
  const vectors: Array<[string, string, boolean]> = [
    ['*.example.com', 'a.example.com/test/app', true],
    ['*.example.com', 'example.com/test/app', false],
    ['*.example.com', 'a.b.example.com/test/app', false],
    ['registry.example.com:443', 'registry.example.com/test/app', false],
    ['registry.example.com', 'registry.example.com:443/test/app', false],
    ['registry.example.com:5000', 'registry.example.com:5000/test/app', true],
    ['https://registry.example.com:5000/v2/', 'registry.example.com:5000/test/app', true],
    ['registry.example.com:5000', 'registry.example.com:5001/test/app', false],
    // ports are compared as strings
    ['registry.example.com:05000', 'registry.example.com:5000/test/app', false],
    ['localhost:5000', 'localhost:5000/test/app', true],
    ['127.0.0.1:5000', '127.0.0.1:5000/test/app', true],
    ['[::1]:5000', '[::1]:5000/test/app', true],
    ['[::1]:5000', '[::1]:5001/test/app', false],
    // without a port net.SplitHostPort fails, and the label '[::1]' is a glob class that cannot match itself
    ['[::1]', '[::1]/test/app', false],
    ['[::1]:5000', '[::1]:5000:5000/test/app', false],
    // a zoned IPv6 key is unescaped to '%en0', which no longer parses: it matches nothing
    ['[fe80::1%25en0]:5000', '[fe80::1%25en0]:5000/test/app', false],
    // hosts are case-sensitive globs
    ['Registry.example.com', 'registry.example.com/test/app', false],
    // user info is not part of the key
    ['https://test-user@registry.example.com', 'registry.example.com/test/app', true],
  ];

  test.each(vectors)('%s against %s is %s', (server, image, match) => {
    // GIVEN / WHEN
    const covered = KubeletKeyring.covers(server, image);

    // THEN
    expect(covered).toBe(match);
  });
});

describe('KubeletKeyring.covers: host labels are Go filepath.Match globs', () => {
  // [server, image, match]
  const vectors: Array<[string, string, boolean]> = [
    ['*', 'localhost/test/app', true],
    ['*', 'registry.example.com/test/app', false],
    ['*.*.*', 'registry.example.com/test/app', true],
    ['*-*.example.com', 'a-b.example.com/test/app', true],
    ['*-*.example.com', 'ab.example.com/test/app', false],
    ['r*y.example.com', 'registry.example.com/test/app', true],
    ['r*y.example.com', 'registry-x.example.com/test/app', false],
    ['r[0-9].example.com', 'r7.example.com/test/app', true],
    ['r[0-9].example.com', 'ra.example.com/test/app', false],
    ['r[a-c][xy].example.com', 'rby.example.com/test/app', true],
    ['r[a-c][xy].example.com', 'rbz.example.com/test/app', false],
    ['r[ä-ü].example.com', 'rö.example.com/test/app', true],
    ['r[🔑-🔒].example.com', 'r🔒.example.com/test/app', true],
    ['r[🔑-🔒].example.com', 'r🔓.example.com/test/app', false],
    ['r*.example.com', 'r🔑.example.com/test/app', true],
    // the image's host is unescaped too
    ['r[ä].example.com', 'r%C3%A4.example.com/test/app', true],
    ['r[%C3%A4].example.com', 'r%C3%A4.example.com/test/app', true],
    // a byte that is not UTF-8 matches itself and '*', but is a bad pattern inside a class
    ['r%FF.example.com', 'r%FF.example.com/test/app', true],
    ['r*.example.com', 'r%FF.example.com/test/app', true],
    ['r[%FF].example.com', 'r%FF.example.com/test/app', false],
    // '*' backtracks
    ['a*b*c.example.com', 'aXbYbZc.example.com/test/app', true],
    ['a*b.example.com', 'abab.example.com/test/app', true],
    ['*b.example.com', 'abbc.example.com/test/app', false],
    ['*.exämple.com', 'a.exämple.com/test/app', true],
    // a malformed pattern matches nothing, not even itself
    ['r[.example.com', 'r[.example.com/test/app', false],
    ['r[a-].example.com', 'rb.example.com/test/app', false],
    ['r[]].example.com', 'r].example.com/test/app', false],
    // a '[' makes net.SplitHostPort fail, so the key keeps ":5000" in its last label and has no port
    ['r[0-9].example.com:5000', 'r1.example.com:5000/test/app', false],
  ];

  test.each(vectors)('%s against %s is %s', (server, image, match) => {
    // GIVEN / WHEN
    const covered = KubeletKeyring.covers(server, image);

    // THEN
    expect(covered).toBe(match);
  });
});

describe('KubeletKeyring.keyOf', () => {
  // [server, key]
  const vectors: Array<[string, string | undefined]> = [
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['https://index.docker.io/v2/', 'index.docker.io'],
    ['https://index.docker.io/v1', 'index.docker.io/v1'],
    ['index.docker.io', 'index.docker.io'],
    ['docker.io', 'docker.io'],
    ['http://registry.example.com:5000/v2/', 'registry.example.com:5000'],
    ['registry.example.com/', 'registry.example.com'],
    ['registry.example.com/v2/test/app', 'registry.example.com/test/app'],
    ['registry.example.com/v3/test/app', 'registry.example.com/v3/test/app'],
    ['registry.example.com//v1/', 'registry.example.com//v1/'],
    ['registry.gitlab.com/onurbolatoglu', 'registry.gitlab.com/onurbolatoglu'],
    ['https://test-user:test-password@registry.example.com/', 'registry.example.com'],
    // query and fragment are cut off
    ['registry.example.com/test?x=1', 'registry.example.com/test'],
    ['registry.example.com#test', 'registry.example.com'],
    // so a '?' glob can never reach a host
    ['r?.example.com', 'r'],
    // the path is unescaped; a non-ASCII host may be %-encoded
    ['registry.example.com/a%20b', 'registry.example.com/a b'],
    ['r%C3%A4.example.com', 'rä.example.com'],
    ['rä.example.com', 'rä.example.com'],
    // the key is Go bytes; one that is not UTF-8 reads back with U+FFFD
    ['r%FF.example.com', 'r\ufffd.example.com'],
    // the scheme test is case-sensitive: this parses as host "HTTPS:" and path "//..."
    ['HTTPS://registry.example.com', 'HTTPS://registry.example.com'],
    // an empty port is valid in Go
    ['registry.example.com:', 'registry.example.com:'],
    ['[::1]:5000', '[::1]:5000'],
    ['[fe80::1%25en0]:5000', '[fe80::1%en0]:5000'],
    ['[fe80::1%25en%20]', '[fe80::1%en ]'],
    ['[fe80::1%25en%41]', '[fe80::1%enA]'],
    ['[fe80::1%25en%0A]', undefined],
    ['[fe80::1%25en%2F]', undefined],
    ['', ''],
    // ignored: url.Parse fails
    ['registry.example.com:abc', undefined],
    ['registry.example.com:5000:6000x', undefined],
    ['registry example.com', undefined],
    ['registry.example.com\n', undefined],
    ['registry.example.com/%zz', undefined],
    ['registry.example.com#%zz', undefined],
    ['r%41.example.com', undefined],
    ['r^a.example.com', undefined],
    ['r[^ä].example.com', undefined],
    ['r\\a.example.com', undefined],
    ['[a-c].example.com', undefined],
    ['[::1', undefined],
    ['test user@registry.example.com', undefined],
  ];

  test.each(vectors)('%j gives %j', (server, key) => {
    // GIVEN / WHEN
    const result = KubeletKeyring.keyOf(server);

    // THEN
    expect(result).toBe(key);
  });

  test('an ignored server covers nothing', () => {
    // GIVEN
    const server = 'registry.example.com:abc';

    // WHEN
    const covered = KubeletKeyring.covers(server, 'registry.example.com/test/app');

    // THEN
    expect(KubeletKeyring.keyOf(server)).toBeUndefined();
    expect(covered).toBe(false);
  });

  test('results do not change when served from the cache', () => {
    // GIVEN
    const server = 'https://registry.example.com:5000/v2/';
    const first = [KubeletKeyring.keyOf(server), KubeletKeyring.covers(server, 'registry.example.com:5000/test/app')];

    // WHEN
    const second = [KubeletKeyring.keyOf(server), KubeletKeyring.covers(server, 'registry.example.com:5000/test/app')];

    // THEN
    expect(second).toEqual(first);
    expect(second).toEqual(['registry.example.com:5000', true]);
  });

  test('answers stay right past the size at which the caches are cleared', () => {
    // GIVEN: more distinct questions than a cache holds, then the first ones again
    const names = Array.from({ length: 12_000 }, (_, i) => `registry.example.com/team/app-${i}`);

    // WHEN
    const first = names.map(name => KubeletKeyring.covers('registry.example.com', name));
    const misses = names.map(name => KubeletKeyring.covers('*.example.com', name.replace('registry.example.com', 'example.com')));
    const again = names.slice(0, 100).map(name => KubeletKeyring.covers('registry.example.com', name));

    // THEN
    expect(first.every(Boolean)).toBe(true);
    expect(misses.some(Boolean)).toBe(false);
    expect(again.every(Boolean)).toBe(true);
  });
});

describe('kubeletLookup: the entries the kubelet tries, in its order (BasicDockerKeyring.Lookup)', () => {
  const entry = (server: string, secret: string) => ({ server, secret });

  test('a longer path comes before its prefix, whatever order the secrets name them in', () => {
    // GIVEN the host's entry first and a path entry of another secret after it
    const entries = [entry('bar.example.com', 'a'), entry('bar.example.com/pong', 'b'), entry('bar.example.com/ping', 'c')];

    // WHEN the kubelet looks up an image under the path
    const found = kubeletLookup(entries, 'bar.example.com/pong/app');

    // THEN the path's entry comes first, then the host's; the other path does not match
    expect(found.map(e => e.secret)).toEqual(['b', 'a']);
  });

  test('keys in reverse byte order, and the entries of one key in the order they were added', () => {
    // GIVEN two secrets with the same key (written two ways) and a glob
    const entries = [entry('https://reg.example.com/v2/', 'first'), entry('*.example.com', 'glob'), entry('reg.example.com', 'second')];

    // WHEN an image of that host is looked up
    const found = kubeletLookup(entries, 'reg.example.com/team/app');

    // THEN "reg.example.com" sorts after "*.example.com" in reverse, so it comes first, its entries in order
    expect(found.map(e => e.secret)).toEqual(['first', 'second', 'glob']);
  });

  test('the Docker Hub entry only when no other key matches a Hub image', () => {
    // GIVEN a Hub entry and an entry for docker.io itself
    const hub = entry('https://index.docker.io/v1/', 'hub');

    // WHEN Hub images are looked up with and without a direct match
    // THEN the fallback is used only without one, and never for another registry
    expect(kubeletLookup([hub], 'docker.io/library/nginx').map(e => e.secret)).toEqual(['hub']);
    expect(kubeletLookup([hub, entry('docker.io', 'direct')], 'docker.io/library/nginx').map(e => e.secret)).toEqual(['direct']);
    expect(kubeletLookup([hub], 'quay.io/app')).toEqual([]);
  });

  test('an entry the kubelet ignores, or that matches nothing, is left out', () => {
    // GIVEN a key Go's url.Parse refuses, and one of another port
    const entries = [entry('reg.example.com:x', 'bad'), entry('reg.example.com:5000', 'port')];

    // WHEN an image without a port is looked up
    // THEN neither is tried
    expect(kubeletLookup(entries, 'reg.example.com/app')).toEqual([]);
  });
});
