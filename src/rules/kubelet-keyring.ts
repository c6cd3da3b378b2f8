/*
 * The kubelet's rules for picking the pull-secret entries that apply to an image, re-derived from
 * kubernetes `pkg/credentialprovider/keyring.go` (`BasicDockerKeyring.Add`, `Lookup`,
 * `URLsMatch`, `isDefaultRegistryMatch`), on top of Go's `url.Parse` and `net.SplitHostPort`
 * (go-url.ts) and `filepath.Match` (go-glob.ts). Keys and names are byte strings, as there.
 */

import { goGlobMatch } from './go-glob';
import { fromBytes, goParseUrl, splitHostPort, toBytes } from './go-url';

/** A parsed URL as `URLsMatch` splits it. */
interface SplitUrl {
  /** The host split on '.', after `net.SplitHostPort` took the port off (byte strings). */
  readonly labels: readonly string[];
  /** The port, or '' when `net.SplitHostPort` failed. */
  readonly port: string;
  /** `URL.Path`. */
  readonly path: string;
}

/** What `BasicDockerKeyring.Add` makes of one `auths` key. */
interface KeyInfo {
  /** The index key, as a JavaScript string. */
  readonly key: string;
  /** The index key, as a byte string. */
  readonly keyBytes: string;
  /** `ParseSchemelessURL(key)` split for matching, or undefined when it does not parse. */
  readonly split: SplitUrl | undefined;
}

const DEFAULT_REGISTRY_HOST = 'index.docker.io';

/** The caches stop growing at this many entries each (they are then cleared). */
const CACHE_LIMIT = 10_000;

const keyCache = new Map<string, KeyInfo | null>();
const imageCache = new Map<string, SplitUrl | null>();
/** KubeletKeyring.covers by server, then image name; `coverCount` entries in all */
const coverCache = new Map<string, Map<string, boolean>>();
let coverCount = 0;

/** `ParseSchemelessURL` followed by `SplitURL`. */
function parseSchemeless(schemeless: string): SplitUrl | undefined {
  const parsed = goParseUrl('https://' + schemeless);
  if (parsed === undefined) {
    return undefined;
  }
  const hostPort = splitHostPort(parsed.host);
  const [host, port] = hostPort ?? [parsed.host, ''];
  return { labels: host.split('.'), port, path: parsed.path };
}

function limitCache<V>(cache: Map<string, V>): void {
  if (cache.size >= CACHE_LIMIT) {
    cache.clear();
  }
}

/** `BasicDockerKeyring.Add` for one `auths` key, cached. */
function keyInfo(server: string): KeyInfo | undefined {
  const cached = keyCache.get(server);
  if (cached !== undefined) {
    return cached ?? undefined;
  }
  let value = toBytes(server);
  if (!value.startsWith('https://') && !value.startsWith('http://')) {
    value = 'https://' + value;
  }
  const parsed = goParseUrl(value);
  let info: KeyInfo | null = null;
  if (parsed !== undefined) {
    let effectivePath = parsed.path;
    if (effectivePath.startsWith('/v2/') || effectivePath.startsWith('/v1/')) {
      effectivePath = effectivePath.slice(3);
    }
    const keyBytes = effectivePath.length > 0 && effectivePath !== '/' ? parsed.host + effectivePath : parsed.host;
    info = { key: fromBytes(keyBytes), keyBytes, split: parseSchemeless(keyBytes) };
  }
  limitCache(keyCache);
  keyCache.set(server, info);
  return info ?? undefined;
}

/** `ParseSchemelessURL(image)` split for matching, cached. */
function imageSplit(imageName: string): SplitUrl | undefined {
  const cached = imageCache.get(imageName);
  if (cached !== undefined) {
    return cached ?? undefined;
  }
  const split = parseSchemeless(toBytes(imageName)) ?? null;
  limitCache(imageCache);
  imageCache.set(imageName, split);
  return split ?? undefined;
}

/** `URLsMatch` on split URLs. */
function urlsMatch(glob: SplitUrl, target: SplitUrl): boolean {
  if (glob.port !== target.port || glob.labels.length !== target.labels.length) {
    return false;
  }
  if (!target.path.startsWith(glob.path)) {
    return false;
  }
  for (let i = 0; i < glob.labels.length; i++) {
    if (!goGlobMatch(glob.labels[i], target.labels[i])) {
      return false;
    }
  }
  return true;
}

/**
 * Go's `ParseSchemelessURL` accepts `value`: `url.Parse("https://" + value)` returns no error.
 * @internal
 */
export function parsesSchemeless(value: string): boolean {
  return parseSchemeless(toBytes(value)) !== undefined;
}

/**
 * The kubelet's `URLsMatchStr(glob, target)` (keyring.go, kubernetes v1.35.0), with which a
 * credential provider's `matchImages` entry is matched against an image name (plugin.go
 * `isImageAllowed`). Unlike a pull-secret key, the glob is parsed as it is: no scheme is cut and
 * no `/v1/` or `/v2/` path is dropped. A glob or name Go cannot parse, or a malformed label
 * pattern, matches nothing.
 * @internal
 */
export function urlsMatchStr(glob: string, target: string): boolean {
  const globSplit = parseSchemeless(toBytes(glob));
  const targetSplit = imageSplit(target);
  return globSplit !== undefined && targetSplit !== undefined && urlsMatch(globSplit, targetSplit);
}

/** `KubeletKeyring.covers`, uncached */
function matches(server: string, imageName: string): boolean {
  const info = keyInfo(server);
  if (info === undefined) {
    return false;
  }
  const target = imageSplit(imageName);
  if (info.split !== undefined && target !== undefined && urlsMatch(info.split, target)) {
    return true;
  }
  return info.keyBytes === DEFAULT_REGISTRY_HOST && isDefaultRegistryMatch(imageName);
}

/** Go's `isDefaultRegistryMatch`: whether the image name pulls from Docker Hub. */
function isDefaultRegistryMatch(imageName: string): boolean {
  const slash = imageName.indexOf('/');
  const first = slash < 0 ? imageName : imageName.slice(0, slash);
  if (first.length === 0) {
    return false;
  }
  if (slash < 0 || first === 'docker.io' || first === 'index.docker.io') {
    return true;
  }
  return !first.includes('.') && !first.includes(':');
}

/**
 * The kubelet's rule for whether an entry of a pull secret's `auths` map applies to an image.
 *
 * The kubelet indexes each `auths` key under a normalized key (see `keyOf`). It then matches the
 * image's name against each key: the ports must be equal (a missing port is not 443), the hosts
 * must have the same number of dot-separated labels, each label of the key is a glob
 * (`*.example.com` matches `a.example.com` but neither `example.com` nor `a.b.example.com`),
 * and the key's path must be a string prefix of the image's path. When no key matches a Docker
 * Hub image, the key `index.docker.io` is used for it.
 *
 * @see https://kubernetes.io/docs/concepts/containers/images/#specifying-imagepullsecrets-on-a-pod
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/credentialprovider/keyring.go
 */
export class KubeletKeyring {
  /**
   * Whether the kubelet would use a pull-secret entry whose `auths` key is `server` for the
   * image `imageName`.
   *
   * The Docker Hub fallback (key `index.docker.io`) is counted as a match here. The kubelet uses
   * it only when no other entry of the pod's pull secrets matched, so an image is covered by a
   * set of entries exactly when `covers` is true for at least one of them.
   *
   * @param server the `auths` key, as given to `kubectl create secret docker-registry --docker-server`
   * @param imageName the image's normalized name: registry and repository, without tag or
   * digest (for example `docker.io/library/nginx`)
   */
  public static covers(server: string, imageName: string): boolean {
    // asked for every container of every pod, mostly of a few servers and names
    let byName = coverCache.get(server);
    let covered = byName?.get(imageName);
    if (covered === undefined) {
      if (++coverCount > CACHE_LIMIT) {
        coverCache.clear();
        coverCount = 1;
        byName = undefined;
      }
      if (byName === undefined) {
        coverCache.set(server, byName = new Map());
      }
      byName.set(imageName, covered = matches(server, imageName));
    }
    return covered;
  }

  /**
   * The key the kubelet indexes an `auths` key under.
   *
   * `https://` is put in front unless the server starts with `http://` or `https://`, and the
   * result is parsed as a URL. The key is the URL's host (with port, without user info) followed
   * by its unescaped path, where a leading `/v1/` or `/v2/` is cut to `/` and a path of `/`
   * counts as none. For example `https://index.docker.io/v1/` gives `index.docker.io`.
   *
   * @param server the `auths` key
   * @returns the key, or undefined when the kubelet ignores the entry because Go's
   * `url.Parse` refuses it (for example a port that is not a number)
   */
  public static keyOf(server: string): string | undefined {
    return keyInfo(server)?.key;
  }
}

/**
 * The entries the kubelet tries for `imageName`, in its order (`BasicDockerKeyring.Lookup`): the
 * entries of every key that matches, keys in reverse byte order so that a longer path comes
 * before its prefix, and the entries of one key in the order they were added; only when no key
 * matches a Docker Hub image, those under `index.docker.io`. The kubelet tries each until a
 * pull succeeds.
 *
 * @param entries every `auths` entry of the pod's pull secrets, in the order of its
 * `imagePullSecrets` and then of each config's keys
 * @internal
 */
export function kubeletLookup<T extends { readonly server: string }>(entries: readonly T[], imageName: string): T[] {
  const byKey = new Map<string, T[]>();
  for (const entry of entries) {
    const info = keyInfo(entry.server);
    if (info !== undefined) {
      const same = byKey.get(info.keyBytes);
      same ? same.push(entry) : byKey.set(info.keyBytes, [entry]);
    }
  }
  // Go sorts the keys as byte strings; keyBytes holds one byte per char, so this order is theirs
  const keys = [...byKey.keys()].sort((a, b) => a < b ? 1 : a > b ? -1 : 0);
  const target = imageSplit(imageName);
  const found = target === undefined ? [] : keys.filter(key => {
    const split = keyInfo(byKey.get(key)![0].server)!.split;
    return split !== undefined && urlsMatch(split, target);
  }).flatMap(key => byKey.get(key)!);
  if (found.length > 0 || !isDefaultRegistryMatch(imageName)) {
    return found;
  }
  return byKey.get(DEFAULT_REGISTRY_HOST) ?? [];
}
