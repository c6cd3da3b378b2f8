/*
 * Go's `filepath.Match` (Unix), re-derived for the kubelet's keyring (kubelet-keyring.ts), which
 * matches each label of an image's host against the same label of an `auths` key with it.
 * Like go-url.ts, it works on byte strings: one char per UTF-8 byte.
 */

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

/**
 * Go's `filepath.Match` (Unix) on byte strings; a malformed pattern never matches.
 * @internal
 */
export function goGlobMatch(pattern: string, name: string): boolean {
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
