/*
 * Go's `url.Parse` and `net.SplitHostPort`, re-derived for the kubelet's keyring
 * (kubelet-keyring.ts), which parses every `auths` key and image name with them.
 *
 * Go strings are bytes, so all parsing below works on "byte strings": JavaScript strings whose
 * char codes are the UTF-8 bytes of the input (one char per byte, 0-255); an ASCII string is its
 * own byte string.
 */

/**
 * A URL as `url.Parse` leaves it, reduced to the two fields the kubelet reads.
 * @internal
 */
export interface GoUrl {
  /** `URL.Host`: the authority without userinfo, unescaped (a byte string). */
  readonly host: string;
  /** `URL.Path`: unescaped (a byte string). */
  readonly path: string;
}

const ASCII_ONLY = /^[\u0000-\u007f]*$/;

/**
 * The UTF-8 bytes of `s` as a byte string (lone surrogates become U+FFFD, as Node encodes them).
 * @internal
 */
export function toBytes(s: string): string {
  return ASCII_ONLY.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

/**
 * A byte string back to a JavaScript string (invalid UTF-8 becomes U+FFFD).
 * @internal
 */
export function fromBytes(b: string): string {
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
 * @internal
 */
export function goParseUrl(raw: string): GoUrl | undefined {
  return parsePlainUrl(raw) ?? parseAnyUrl(raw);
}

/** most servers and names: nothing to unescape, no user info, query or fragment, so Go returns the text */
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

/**
 * Go's `net.SplitHostPort`: [host, port], or undefined on error.
 * @internal
 */
export function splitHostPort(hostport: string): [string, string] | undefined {
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
