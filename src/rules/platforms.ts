// Platforms as containerd reads, normalizes and matches them: github:containerd/platforms
// v1.0.0-rc.4 (09756f5), database.go, platforms.go, compare.go, platform_windows_compat.go.

/**
 * An OCI platform: `os/architecture[/variant]`, and for Windows the `os.version`.
 * @internal
 */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly osVersion?: string;
  readonly osFeatures?: readonly string[];
}

/** `normalizeOS` of database.go; an empty OS stays empty (containerd fills in the node's own) */
export function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

/** `normalizeArch` of database.go: the canonical architecture and variant */
export function normalizeArch(architecture: string, variant: string): [string, string] {
  let arch = architecture.toLowerCase();
  let v = variant.toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      v = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      v = v === 'v1' ? '' : v;
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      v = ['8', 'v8', 'v8.0'].includes(v) ? '' : ['9', '9.0', 'v9.0'].includes(v) ? 'v9' : v;
      break;
    case 'armhf':
      arch = 'arm';
      v = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      v = 'v6';
      break;
    case 'arm':
      v = v === '' || v === '7' ? 'v7' : ['5', '6', '8'].includes(v) ? `v${v}` : v;
      break;
  }
  return [arch, v];
}

/** `Normalize` of platforms.go: OS and architecture canonical, features sorted and unique */
export function normalizePlatform(p: Platform): Platform {
  const [architecture, variant] = normalizeArch(p.architecture ?? '', p.variant ?? '');
  const features = [...new Set(p.osFeatures ?? [])].sort();
  return {
    os: normalizeOs(p.os ?? ''),
    architecture,
    ...(variant !== '' ? { variant } : {}),
    ...(p.osVersion ? { osVersion: p.osVersion } : {}),
    ...(features.length > 0 ? { osFeatures: features } : {}),
  };
}

const COMPONENT = /^[A-Za-z0-9_.-]+$/;
const OS_PART = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$/;

/**
 * `Parse` of platforms.go for `os[(os.version[+feature...])]/arch[/variant]`. The one-part forms
 * (`linux`, `arm64`) mean "this machine's" there, which a check run elsewhere cannot know: refused.
 * @internal
 */
export function parsePlatform(specifier: string): Platform {
  const parts = specifier.split('/');
  const expected = 'expected OS/ARCH[/VARIANT], e.g. linux/amd64, linux/arm64 or linux/arm/v7';
  if (specifier.includes('*') || parts.length < 2 || parts.length > 3) {
    throw new Error(`platform ${JSON.stringify(specifier)} is not a platform; ${expected}`);
  }
  const os = OS_PART.exec(parts[0]);
  if (!os || !parts.slice(1).every(part => COMPONENT.test(part))) {
    throw new Error(`platform ${JSON.stringify(specifier)} is not a platform; ${expected}`);
  }
  const decode = (v: string) => {
    try {
      return decodeURIComponent(v);
    } catch {
      throw new Error(`platform ${JSON.stringify(specifier)} has an invalid escape in its OS version; ${expected}`);
    }
  };
  const features = (os[3] ?? '').split('+').filter(f => f !== '').map(decode);
  let [architecture, variant] = normalizeArch(parts[1], parts[2] ?? '');
  if (parts.length === 2 && architecture === 'arm' && variant === 'v7') {
    variant = '';
  }
  if (parts.length === 3 && architecture === 'arm64' && variant === '') {
    variant = 'v8';
  }
  return {
    os: normalizeOs(os[1]),
    architecture,
    ...(variant !== '' ? { variant } : {}),
    ...(os[2] ? { osVersion: decode(os[2]) } : {}),
    ...(features.length > 0 ? { osFeatures: features } : {}),
  };
}

/**
 * `Format` of platforms.go, `os/arch[/variant]`, with the OS version as `FormatAll` writes it
 * when there is one: `windows(10.0.20348)/amd64`.
 * @internal
 */
export function formatPlatform(p: Platform): string {
  if (!p.os) {
    return 'unknown';
  }
  // FormatAll: `os(version+feature+...)`
  const extra = [p.osVersion ?? '', ...(p.osFeatures ?? [])].join('+');
  const os = extra === '' ? p.os : `${p.os}(${extra})`;
  return [os, p.architecture, p.variant].filter(part => part).join('/');
}

/**
 * arm64 variants and the older ones each runs (compare.go, `arm64variantToVersion`): v8.x runs
 * v8.0..x; v9.x runs v9.0..x and v8.0..x+5 (at most v8.9)
 */
const ARM64_VERSIONS = new Map<string, [number[], number[]]>([
  ['v8', [[8], [0]]],
  ...Array.from({ length: 10 }, (_, minor): [string, [number[], number[]]] => [`v8.${minor}`, [[8], [minor]]]),
  ['v9', [[9, 8], [0, 5]]],
  ...Array.from({ length: 8 }, (_, minor): [string, [number[], number[]]] => [`v9.${minor}`, [[9, 8], [minor, Math.min(minor + 5, 9)]]]),
]);

/** `platformVector` of compare.go: the platform, then each one it also runs, best first */
function platformVector(p: Platform): Platform[] {
  const base = { os: p.os, osVersion: p.osVersion, osFeatures: p.osFeatures };
  const variant = p.variant ?? '';
  const number = /^v?\d+$/.test(variant) ? Number(variant.replace(/^v/, '')) : NaN;
  switch (p.architecture) {
    case 'amd64': {
      const vector: Platform[] = [p];
      for (let v = number - 1; number > 1 && v >= 1; v--) {
        vector.push({ ...base, architecture: 'amd64', variant: `v${v}` });
      }
      return [...vector, { ...base, architecture: '386' }];
    }
    case 'arm': {
      const vector: Platform[] = [p];
      for (let v = number - 1; number > 5 && v >= 5; v--) {
        vector.push({ ...base, architecture: 'arm', variant: `v${v}` });
      }
      return vector;
    }
    case 'arm64': {
      const asked = variant === '' ? 'v8' : variant;
      const versions = ARM64_VERSIONS.get(asked);
      if (!versions) {
        return [];
      }
      const vector: Platform[] = [];
      versions[0].forEach((major, i) => {
        for (let minor = versions[1][i]; minor >= 0; minor--) {
          vector.push({ ...base, architecture: 'arm64', variant: minor === 0 ? `v${major}` : `v${major}.${minor}` });
        }
      });
      // every arm64 runs 32-bit arm up to v8
      return [...vector, ...platformVector({ ...base, architecture: 'arm', variant: /^v[89]/.test(asked) ? 'v8' : asked })];
    }
    default:
      return [p];
  }
}

/** a Windows `os.version` as `major.minor.build` (`getWindowsOSVersion`); zeros when it is not one */
function windowsVersion(version: string | undefined): [number, number, number] {
  const parts = (version ?? '').split('.');
  if (parts.length < 3 || !parts.slice(0, 3).every(p => /^\d+$/.test(p))) {
    return [0, 0, 0];
  }
  const [major, minor, build] = parts.slice(0, 3).map(Number);
  return major > 255 || minor > 255 || build > 65535 ? [0, 0, 0] : [major, minor, build];
}

const LTSC2022 = 20348;
/** the LTSC releases whose containers later hosts run (stable ABI), ascending */
const COMPAT_LTSC = [LTSC2022, 26100];

/** `checkWindowsHostAndContainerCompat`: whether a Windows host runs a container of this version */
export function windowsHostRuns(host: string | undefined, container: string | undefined): boolean {
  const h = windowsVersion(host);
  if ((h[0] === 0 && h[1] === 0 && h[2] === 0) || !container) {
    return true;
  }
  const c = windowsVersion(container);
  if (h[0] !== c[0] || h[1] !== c[1]) {
    return false;
  }
  if (h[2] < LTSC2022) {
    return h[2] === c[2];
  }
  const oldest = [...COMPAT_LTSC].reverse().find(ltsc => h[2] > ltsc) ?? LTSC2022;
  return oldest <= c[2] && c[2] <= h[2];
}

/** `matcher.Match` of platforms.go for one platform of the vector */
function matchOne(want: Platform, offered: Platform, nodeOs: string): boolean {
  let features = offered.osFeatures ?? [];
  if (want.os === 'windows') {
    // windowsStripFeaturesMatcher
    features = features.filter(f => f !== 'win32k');
  }
  const n = normalizePlatform({ ...offered, os: offered.os || nodeOs, osFeatures: features });
  const w = normalizePlatform(want);
  if (w.os !== n.os || w.architecture !== n.architecture || (w.variant ?? '') !== (n.variant ?? '')) {
    return false;
  }
  if (w.os === 'windows' && !windowsHostRuns(want.osVersion, offered.osVersion)) {
    return false;
  }
  const have = new Set(w.osFeatures ?? []);
  return (n.osFeatures ?? []).every(f => have.has(f));
}

/**
 * How a node of platform `want` ranks what an index offers, as containerd's default matcher on
 * that node: `Only(want)` on Linux (the platform, then older arm and amd64 variants, and 386 for
 * amd64), `NewMatcher(want)` on Windows (`defaults_windows.go`: the architecture only, and an
 * `os.version` the host runs). The rank is the place in that order, lower is better; -1 for a
 * platform the node does not run.
 * @internal
 */
export function platformRank(want: Platform, offered: Platform): number {
  const node = normalizePlatform(want);
  const vector = node.os === 'windows' ? [node] : platformVector(node);
  return vector.findIndex(p => matchOne(p, offered, node.os));
}

/**
 * The best of `offered` for a node of platform `want`, by containerd's order; undefined when the
 * node runs none of them (containerd's "no match for platform in manifest").
 * @internal
 */
export function bestPlatform<T extends { readonly platform: Platform }>(want: Platform, offered: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestRank = Infinity;
  for (const entry of offered) {
    const rank = platformRank(want, entry.platform);
    if (rank >= 0 && rank < bestRank) {
      best = entry;
      bestRank = rank;
    }
  }
  return best;
}
