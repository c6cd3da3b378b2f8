/*
 * The kubelet's rules for picking the pull-secret entries that apply to an image, re-derived from
 * kubernetes `pkg/credentialprovider/keyring.go` (`BasicDockerKeyring.Add`, `Lookup`,
 * `URLsMatch`, `isDefaultRegistryMatch`) and the Go library functions it relies on: `url.Parse`,
 * `net.SplitHostPort` and `filepath.Match`.
 *
 * Go strings are bytes, so all parsing below works on "byte strings": JavaScript strings whose
 * char codes are the UTF-8 bytes of the input (one char per byte, 0-255). Pure ASCII strings are
 * their own byte strings, which keeps the common case free of conversions.
 */

/** A URL as `url.Parse` leaves it, reduced to the two fields the kubelet reads. */
interface GoUrl {
  /** `URL.Host`: the authority without userinfo, unescaped (a byte string). */
  readonly host: string;
  /** `URL.Path`: unescaped (a byte string). */
  readonly path: string;
}

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
/** RegistryMatch.covers by server, then image name; `coverCount` entries in all */
const coverCache = new Map<string, Map<string, boolean>>();
let coverCount = 0;

const ASCII_ONLY = /^[\u0000-\u007f]*$/;

/** The UTF-8 bytes of `s` as a byte string (lone surrogates become U+FFFD, as Node encodes them). */
function toBytes(s: string): string {
  return ASCII_ONLY.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

/** A byte string back to a JavaScript string (invalid UTF-8 becomes U+FFFD). */
function fromBytes(b: string): string {
  return ASCII_ONLY.test(b) ? b : Buffer.from(b, 'latin1').toString('utf8');
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function unhex(c: number): number {
  if (c <= 0x39) {
    return c - 0x30;
  }
  if (c <= 0x46) {
    return c - 0x41 + 10;
  }
  return c - 0x61 + 10;
}

/** ASCII characters that Go's `shouldEscape(c, encodeHost)` accepts besides letters and digits. */
const HOST_PUNCTUATION = '!$&\'()*+,;=:[]<>"-_.~';

/** `shouldEscape(c, encodeHost)` (and `encodeZone`, which is the same) for a byte. */
function hostByteNeedsEscape(c: number): boolean {
  if (c >= 0x80) {
    return true;
  }
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) {
    return false;
  }
  return !HOST_PUNCTUATION.includes(String.fromCharCode(c));
}

/** `encodePath`, `encodeUserPassword`, `encodeFragment`: only '%' escapes are checked. */
const PLAIN = 0;
/** `encodeHost`. */
const HOST = 1;
/** `encodeZone`. */
const ZONE = 2;

/** Go's `url.unescape`: the unescaped byte string, or undefined on error. */
function unescape(s: string, mode: number): string | undefined {
  let hasPercent = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */) {
      hasPercent = true;
      if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) {
        return undefined;
      }
      const isPercent25 = s.charCodeAt(i + 1) === 0x32 && s.charCodeAt(i + 2) === 0x35;
      if (mode === HOST && unhex(s.charCodeAt(i + 1)) < 8 && !isPercent25) {
        // in a host, %-encoding is only for non-ASCII bytes (and %25)
        return undefined;
      }
      if (mode === ZONE) {
        const v = unhex(s.charCodeAt(i + 1)) * 16 + unhex(s.charCodeAt(i + 2));
        if (!isPercent25 && v !== 0x20 && hostByteNeedsEscape(v)) {
          return undefined;
        }
      }
      i += 2;
    } else if ((mode === HOST || mode === ZONE) && c < 0x80 && hostByteNeedsEscape(c)) {
      return undefined;
    }
  }
  if (!hasPercent) {
    return s;
  }
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) === 0x25) {
      out += String.fromCharCode(unhex(s.charCodeAt(i + 1)) * 16 + unhex(s.charCodeAt(i + 2)));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/** Go's `validOptionalPort`. */
function validOptionalPort(port: string): boolean {
  if (port === '') {
    return true;
  }
  if (port.charCodeAt(0) !== 0x3a /* : */) {
    return false;
  }
  for (let i = 1; i < port.length; i++) {
    const c = port.charCodeAt(i);
    if (c < 0x30 || c > 0x39) {
      return false;
    }
  }
  return true;
}

/** Go's `url.parseHost`. */
function parseHost(host: string): string | undefined {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0 || !validOptionalPort(host.slice(i + 1))) {
      return undefined;
    }
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) {
      const host1 = unescape(host.slice(0, zone), HOST);
      const host2 = unescape(host.slice(zone, i), ZONE);
      const host3 = unescape(host.slice(i), HOST);
      if (host1 === undefined || host2 === undefined || host3 === undefined) {
        return undefined;
      }
      return host1 + host2 + host3;
    }
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1 && !validOptionalPort(host.slice(i))) {
      return undefined;
    }
  }
  return unescape(host, HOST);
}

/** Go's `validUserinfo`, on bytes (every non-ASCII rune is refused, as is every byte >= 0x80). */
function validUserinfo(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) {
      continue;
    }
    if (!'-._:~!$&\'()*+,;=%@'.includes(s[i])) {
      return false;
    }
  }
  return true;
}

const PLAIN_URL = /^https?:\/\/([A-Za-z0-9.-]+(?::[0-9]*)?)((?:\/[A-Za-z0-9._~-]*)*)$/;

/**
 * Go's `url.Parse` for a byte string that starts with `http://` or `https://` (the only kind
 * the kubelet parses here). Undefined when Go returns an error.
 */
function goParseUrl(raw: string): GoUrl | undefined {
  return parsePlainUrl(raw) ?? parseAnyUrl(raw);
}

/**
 * Nearly every server and image name is plain: nothing to unescape, no user info, query or
 * fragment, a numeric port or none. For those Go's result is the text itself, and the general
 * parser below need not even be compiled.
 */
function parsePlainUrl(raw: string): GoUrl | undefined {
  const plain = PLAIN_URL.exec(raw);
  return plain ? { host: plain[1], path: plain[2] } : undefined;
}

function parseAnyUrl(raw: string): GoUrl | undefined {
  let u = raw;
  let fragment: string | undefined;
  const hash = raw.indexOf('#');
  if (hash >= 0) {
    u = raw.slice(0, hash);
    fragment = raw.slice(hash + 1);
  }
  for (let i = 0; i < u.length; i++) {
    const c = u.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      return undefined; // invalid control character in URL
    }
  }
  // the scheme is known; what follows it starts with "//"
  let rest = u.slice(u.indexOf(':') + 1);
  const query = rest.indexOf('?');
  if (query >= 0) {
    rest = rest.slice(0, query);
  }
  let authority = rest.slice(2);
  let pathPart = '';
  const slash = authority.indexOf('/');
  if (slash >= 0) {
    pathPart = authority.slice(slash);
    authority = authority.slice(0, slash);
  }

  const at = authority.lastIndexOf('@');
  const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (host === undefined) {
    return undefined;
  }
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!validUserinfo(userinfo) || unescape(userinfo, PLAIN) === undefined) {
      return undefined;
    }
  }
  const path = unescape(pathPart, PLAIN);
  if (path === undefined) {
    return undefined;
  }
  if (fragment !== undefined && unescape(fragment, PLAIN) === undefined) {
    return undefined;
  }
  return { host, path };
}

/** Go's `net.SplitHostPort`: [host, port], or undefined on error. */
function splitHostPort(hostport: string): [string, string] | undefined {
  const i = hostport.lastIndexOf(':');
  if (i < 0) {
    return undefined; // missing port
  }
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport.charCodeAt(0) === 0x5b /* [ */) {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 !== i) {
      return undefined;
    }
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) {
      return undefined; // too many colons
    }
  }
  if (hostport.indexOf('[', j) >= 0 || hostport.indexOf(']', k) >= 0) {
    return undefined;
  }
  return [host, hostport.slice(i + 1)];
}

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

/** Go's `utf8.DecodeRuneInString` on a byte string: [rune, size]; invalid input is [0xfffd, 1]. */
function decodeRune(s: string, i: number): [number, number] {
  const b0 = s.charCodeAt(i);
  if (b0 < 0x80) {
    return [b0, 1];
  }
  const cont = (at: number, lo = 0x80, hi = 0xbf): number => {
    const b = at < s.length ? s.charCodeAt(at) : -1;
    return b >= lo && b <= hi ? b - 0x80 : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const b1 = cont(i + 1);
    return b1 < 0 ? [0xfffd, 1] : [(b0 - 0xc0) * 0x40 + b1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const b1 = cont(i + 1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf);
    const b2 = b1 < 0 ? -1 : cont(i + 2);
    return b2 < 0 ? [0xfffd, 1] : [(b0 - 0xe0) * 0x1000 + b1 * 0x40 + b2, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const b1 = cont(i + 1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf);
    const b2 = b1 < 0 ? -1 : cont(i + 2);
    const b3 = b2 < 0 ? -1 : cont(i + 3);
    return b3 < 0 ? [0xfffd, 1] : [(b0 - 0xf0) * 0x40000 + b1 * 0x1000 + b2 * 0x40 + b3, 4];
  }
  return [0xfffd, 1];
}

/** Go's `filepath.getEsc` (Unix): [rune, chunk position after it], or undefined (ErrBadPattern). */
function getEsc(chunk: string, pos: number): [number, number] | undefined {
  if (pos >= chunk.length || chunk[pos] === '-' || chunk[pos] === ']') {
    return undefined;
  }
  if (chunk[pos] === '\\') {
    pos++;
    if (pos >= chunk.length) {
      return undefined;
    }
  }
  const [r, n] = decodeRune(chunk, pos);
  if (r === 0xfffd && n === 1) {
    return undefined;
  }
  pos += n;
  if (pos >= chunk.length) {
    return undefined;
  }
  return [r, pos];
}

/**
 * Go's `filepath.matchChunk` (Unix): the rest of `s` after the chunk matched its start, null when
 * it did not match, or undefined when the chunk is malformed (ErrBadPattern).
 */
function matchChunk(chunk: string, s: string): string | null | undefined {
  let failed = false;
  let c = 0; // position in chunk
  let p = 0; // position in s
  while (c < chunk.length) {
    if (!failed && p >= s.length) {
      failed = true;
    }
    const ch = chunk[c];
    if (ch === '[') {
      let r = -1;
      if (!failed) {
        const [rune, n] = decodeRune(s, p);
        r = rune;
        p += n;
      }
      c++;
      let negated = false;
      if (c < chunk.length && chunk[c] === '^') {
        negated = true;
        c++;
      }
      let match = false;
      let nrange = 0;
      for (;;) {
        if (c < chunk.length && chunk[c] === ']' && nrange > 0) {
          c++;
          break;
        }
        const lo = getEsc(chunk, c);
        if (lo === undefined) {
          return undefined;
        }
        c = lo[1];
        let hi = lo;
        if (chunk[c] === '-') {
          const h = getEsc(chunk, c + 1);
          if (h === undefined) {
            return undefined;
          }
          hi = h;
          c = h[1];
        }
        if (lo[0] <= r && r <= hi[0]) {
          match = true;
        }
        nrange++;
      }
      if (match === negated) {
        failed = true;
      }
    } else if (ch === '?') {
      if (!failed) {
        if (s[p] === '/') {
          failed = true;
        }
        p += decodeRune(s, p)[1];
      }
      c++;
    } else {
      if (ch === '\\') {
        c++;
        if (c >= chunk.length) {
          return undefined;
        }
      }
      if (!failed) {
        if (chunk[c] !== s[p]) {
          failed = true;
        }
        p++;
      }
      c++;
    }
  }
  return failed ? null : s.slice(p);
}

/** Go's `filepath.scanChunk` (Unix): [star, chunk, rest]. */
function scanChunk(pattern: string): [boolean, string, string] {
  let star = false;
  let start = 0;
  while (start < pattern.length && pattern[start] === '*') {
    start++;
    star = true;
  }
  let inRange = false;
  let i = start;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case '\\':
        if (i + 1 < pattern.length) {
          i++;
        }
        break;
      case '[':
        inRange = true;
        break;
      case ']':
        inRange = false;
        break;
      case '*':
        if (!inRange) {
          break scan;
        }
        break;
    }
  }
  return [star, pattern.slice(start, i), pattern.slice(i)];
}

/** Go's `filepath.Match` (Unix) on byte strings; a malformed pattern never matches. */
function globMatch(pattern: string, name: string): boolean {
  if (!/[*?[\\]/.test(pattern)) {
    return pattern === name;
  }
  pattern: while (pattern.length > 0) {
    const [star, chunk, rest] = scanChunk(pattern);
    pattern = rest;
    if (star && chunk === '') {
      return !name.includes('/');
    }
    const t = matchChunk(chunk, name);
    if (typeof t === 'string' && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (t === undefined) {
      return false;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const t2 = matchChunk(chunk, name.slice(i + 1));
        if (typeof t2 === 'string') {
          if (pattern.length === 0 && t2.length > 0) {
            continue;
          }
          name = t2;
          continue pattern;
        }
        if (t2 === undefined) {
          return false;
        }
      }
    }
    return false;
  }
  return name.length === 0;
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
    if (!globMatch(glob.labels[i], target.labels[i])) {
      return false;
    }
  }
  return true;
}

/** `RegistryMatch.covers`, uncached */
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
 * Where the user name and password of a server key would be, if it had them: the part of the
 * authority before its last "@", with the authority cut as Go's `url.Parse` cuts it. Any scheme
 * counts, in any case: the kubelet reads `HTTPS://u@host` as a host "HTTPS:", but a reader sees a
 * user name there.
 */
function userinfoRange(server: string): [number, number] | undefined {
  const start = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(server)?.[0].length ?? 0;
  let end = server.length;
  for (const delimiter of ['#', '?', '/']) {
    const at = server.indexOf(delimiter, start);
    if (at >= 0 && at < end) {
      end = at;
    }
  }
  const at = server.lastIndexOf('@', end - 1);
  return at >= start ? [start, at] : undefined;
}

/**
 * Whether a server key carries a user name or password before "@" (see `redactUserinfo`).
 * @internal
 */
export function hasUserinfo(server: string): boolean {
  return userinfoRange(server) !== undefined;
}

/**
 * A server key for messages: any user name or password before "@" is replaced by `<redacted>`.
 * @internal
 */
export function redactUserinfo(server: string): string {
  const range = userinfoRange(server);
  return range ? server.slice(0, range[0]) + '<redacted>' + server.slice(range[1]) : server;
}

/**
 * What is wrong with a server key given to this library, as a clause that names it (never its
 * user name or password), or undefined when the key is fine. A key is refused when it is not a
 * string, is empty or has surrounding whitespace, carries a user name or password before "@"
 * (the kubelet would drop them, and every message would repeat them), or is one the kubelet
 * ignores because Go's `url.Parse` refuses it.
 * @internal
 */
export function serverKeyProblem(server: unknown): string | undefined {
  if (typeof server !== 'string') {
    return `server is ${server === null ? 'null' : Array.isArray(server) ? 'an array' : typeof server}, not a string; give a registry host such as "registry.gitlab.com"`;
  }
  const shown = JSON.stringify(redactUserinfo(server));
  if (server.trim() === '' || server.trim() !== server) {
    return `server ${shown} is empty or has surrounding whitespace; give a registry host such as "registry.gitlab.com"`;
  }
  if (userinfoRange(server)) {
    return `server ${shown} carries a user name or password before "@"; give the credentials as username and password, and the server as host[:port][/path]`;
  }
  if (RegistryMatch.keyOf(server) === undefined) {
    return `server ${shown} is not a host[:port][/path] the kubelet can use; give a registry host such as "registry.gitlab.com"`;
  }
  return undefined;
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
export class RegistryMatch {
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
