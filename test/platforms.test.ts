import { bestPlatform, formatPlatform, normalizePlatform, parsePlatform, platformRank, windowsHostRuns } from '../src/rules/platforms';

/*
 * Vectors taken from github:containerd/platforms v1.0.0-rc.4 (09756f5): compare_test.go TestOnly,
 * platforms_test.go TestParseSelector (the two- and three-part forms; the one-part forms mean "this
 * machine" there and are refused here), platform_windows_compat_test.go Test_PlatformCompat.
 */

describe('platformRank: upstream TestOnly (a node matches an offered platform)', () => {
  const table: Array<[string, string[], string[]]> = [
    ['linux/amd64', ['linux/amd64', 'linux/386'], ['linux/amd64/v2', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/amd64/v2', ['linux/amd64', 'linux/amd64/v1', 'linux/amd64/v2', 'linux/386'],
      ['linux/amd64/v3', 'linux/amd64/v4', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/386', ['linux/386'], ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['windows/amd64', ['windows/amd64', 'windows(10.0.17763)/amd64'], ['linux/amd64', 'linux/arm/v7', 'linux/arm64', 'windows/arm']],
    ['linux/arm/v8', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8'],
      ['linux/amd64', 'linux/arm/v4', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/arm/v7', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7'],
      ['linux/amd64', 'linux/arm/v4', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/arm/v6', ['linux/arm/v5', 'linux/arm/v6'],
      ['linux/amd64', 'linux/arm', 'linux/arm/v4', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/arm/v5', ['linux/arm/v5'],
      ['linux/amd64', 'linux/arm', 'linux/arm/v4', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/arm/v4', ['linux/arm/v4'],
      ['linux/amd64', 'linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'windows/amd64', 'windows/arm']],
    ['linux/arm64/v9.6', [
      'linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8',
      'linux/arm64/v8.1', 'linux/arm64/v8.2', 'linux/arm64/v8.3', 'linux/arm64/v8.4', 'linux/arm64/v8.5', 'linux/arm64/v8.6',
      'linux/arm64/v8.7', 'linux/arm64/v8.8', 'linux/arm64/v8.9', 'linux/arm64/v9', 'linux/arm64/v9.0', 'linux/arm64/v9.1',
      'linux/arm64/v9.2', 'linux/arm64/v9.3', 'linux/arm64/v9.4', 'linux/arm64/v9.5', 'linux/arm64/v9.6',
    ],
    ['linux/amd64', 'linux/arm/v4', 'windows/amd64', 'windows/arm', 'linux/arm64/v8.10']],
    ['linux/arm64/v9', [
      'linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8',
      'linux/arm64/v8.1', 'linux/arm64/v8.2', 'linux/arm64/v8.3', 'linux/arm64/v8.4', 'linux/arm64/v8.5', 'linux/arm64/v9', 'linux/arm64/v9.0',
    ],
    ['linux/amd64', 'linux/arm/v4', 'windows/amd64', 'windows/arm', 'linux/arm64/v8.6']],
    ['linux/arm64/v8.1', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8', 'linux/arm64/v8.1'],
      ['linux/amd64', 'linux/arm/v4', 'linux/arm/v9', 'linux/arm64/v9', 'windows/amd64', 'windows/arm']],
    ['linux/arm64', ['linux/arm', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm/v8', 'linux/arm64', 'linux/arm64/v8'],
      ['linux/amd64', 'linux/arm/v4', 'linux/arm/v9', 'linux/arm64/v9', 'windows/amd64', 'windows/arm']],
  ];
  for (const [node, matches, misses] of table) {
    test(`a ${node} node`, () => {
      // GIVEN a node of the platform, as Only(Parse(node)) matches
      const want = parsePlatform(node);
      // THEN it runs each platform of the first list, and none of the second
      expect(matches.filter(p => platformRank(want, parsePlatform(p)) < 0)).toEqual([]);
      expect(misses.filter(p => platformRank(want, parsePlatform(p)) >= 0)).toEqual([]);
    });
  }
});

describe('bestPlatform: the entry containerd picks', () => {
  const entries = (...platforms: string[]) => platforms.map(p => ({ platform: parsePlatform(p), name: p }));

  test('an arm/v7 node takes arm/v7 over arm/v6, and arm/v6 alone', () => {
    // GIVEN an index with arm/v6 and arm/v7 entries, and one with arm/v6 only
    const want = parsePlatform('linux/arm/v7');
    // THEN the node takes arm/v7 from the first, and falls back to arm/v6 in the second
    expect(bestPlatform(want, entries('linux/arm/v6', 'linux/arm/v7'))?.name).toBe('linux/arm/v7');
    expect(bestPlatform(want, entries('linux/arm/v6'))?.name).toBe('linux/arm/v6');
    // AND an arm/v6 node runs neither arm/v7 nor arm64
    expect(bestPlatform(parsePlatform('linux/arm/v6'), entries('linux/arm/v7', 'linux/arm64'))).toBeUndefined();
  });

  test('an arm64 node prefers arm64 to 32-bit arm, and an amd64 node amd64 to 386', () => {
    expect(bestPlatform(parsePlatform('linux/arm64'), entries('linux/arm/v7', 'linux/arm64/v8'))?.name).toBe('linux/arm64/v8');
    expect(bestPlatform(parsePlatform('linux/amd64'), entries('linux/386', 'linux/amd64'))?.name).toBe('linux/amd64');
    expect(bestPlatform(parsePlatform('linux/amd64'), entries('linux/arm64', 'windows/amd64'))).toBeUndefined();
  });

  test('a Windows node matches os.version as its host runs it, with no 386 fallback', () => {
    // GIVEN a Windows Server 2022 node
    const want = parsePlatform('windows(10.0.20348)/amd64');
    // THEN an ltsc2022 image matches, an ltsc2019 one does not, and one with no os.version does
    expect(platformRank(want, { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.2340' })).toBe(0);
    expect(platformRank(want, { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.5576' })).toBe(-1);
    expect(platformRank(want, { os: 'windows', architecture: 'amd64' })).toBe(0);
    expect(platformRank(want, { os: 'windows', architecture: '386' })).toBe(-1);
    // AND the win32k feature is stripped before matching (windowsStripFeaturesMatcher)
    expect(platformRank(want, { os: 'windows', architecture: 'amd64', osFeatures: ['win32k'] })).toBe(0);
  });

  test('an entry with no OS is read as the node\'s own, as containerd normalizes it on that node', () => {
    expect(platformRank(parsePlatform('linux/amd64'), { os: '', architecture: 'x86_64' })).toBe(0);
  });
});

describe('windowsHostRuns: upstream Test_PlatformCompat', () => {
  const [ltsc2019, ltsc2022, win11, v23h2, ltsc2025] = [17763, 20348, 22621, 25398, 26100];
  const cases: Array<[number, number, boolean]> = [
    [ltsc2019, ltsc2019, true], [ltsc2019, ltsc2022, false], [ltsc2022, ltsc2019, false], [ltsc2022, ltsc2022, true],
    [win11, ltsc2019, false], [win11, ltsc2022, true], [v23h2, ltsc2019, false], [v23h2, ltsc2022, true],
    [ltsc2025, ltsc2022, true], [ltsc2022, ltsc2025, false], [ltsc2022, win11, false], [ltsc2025, win11, true],
  ];
  test.each(cases)('host %d, container %d: %s', (host, container, runs) => {
    expect(windowsHostRuns(`10.0.${host}`, `10.0.${container}`)).toBe(runs);
  });
});

describe('parsePlatform and normalizePlatform: upstream TestParseSelector and database.go', () => {
  const vectors: Array<[string, object, string]> = [
    ['linux/arm64', { os: 'linux', architecture: 'arm64' }, 'linux/arm64'],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }, 'linux/arm64/v8'],
    ['linux/arm64/v9', { os: 'linux', architecture: 'arm64', variant: 'v9' }, 'linux/arm64/v9'],
    ['linux/aarch64', { os: 'linux', architecture: 'arm64' }, 'linux/arm64'],
    ['linux/aarch64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }, 'linux/arm64/v8'],
    ['linux/arm', { os: 'linux', architecture: 'arm' }, 'linux/arm'],
    ['linux/arm/v6', { os: 'linux', architecture: 'arm', variant: 'v6' }, 'linux/arm/v6'],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
    ['linux/armhf', { os: 'linux', architecture: 'arm' }, 'linux/arm'],
    ['linux/armel', { os: 'linux', architecture: 'arm', variant: 'v6' }, 'linux/arm/v6'],
    ['linux/x86_64', { os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    ['linux/i386', { os: 'linux', architecture: '386' }, 'linux/386'],
    ['darwin/arm64', { os: 'darwin', architecture: 'arm64' }, 'darwin/arm64'],
    ['macOS/arm64', { os: 'darwin', architecture: 'arm64' }, 'darwin/arm64'],
    ['windows(10.0.17763)/amd64', { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763' }, 'windows(10.0.17763)/amd64'],
    ['windows(10.0.17763+win32k)/amd64', { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763', osFeatures: ['win32k'] },
      'windows(10.0.17763+win32k)/amd64'],
  ];
  test.each(vectors)('%s', (input, expected, formatted) => {
    const parsed = parsePlatform(input);
    expect(parsed).toEqual(expected);
    expect(formatPlatform(parsed)).toBe(formatted);
  });

  test('normalize: canonical names, v1 and v8 dropped, arm v7 made explicit', () => {
    expect(normalizePlatform({ os: 'Linux', architecture: 'x86_64', variant: 'v1' })).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(normalizePlatform({ os: 'linux', architecture: 'aarch64', variant: '8' })).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(normalizePlatform({ os: 'linux', architecture: 'arm' })).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
  });

  test.each(['linux', 'arm64', '*', 'linux/*', 'linux/arm/v7/x', 'lin ux/amd64', ''])('refuses %j, naming the form expected', (input) => {
    expect(() => parsePlatform(input)).toThrow(/is not a platform; expected OS\/ARCH\[\/VARIANT\], e.g. linux\/amd64/);
  });
});
