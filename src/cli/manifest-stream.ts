// Reads a manifest stream in chunks and hands it on one document at a time, as kubectl splits it
// (rules/kubectl-reader.ts), so that memory depends on the largest document, not on the whole input.
// Only a regular file, a pipe or a terminal is read; a file no further than its size when opened.
import { isAscii, isUtf8 } from 'buffer';
import { closeSync, constants, fstatSync, mkdtempSync, openSync, readSync, rmSync, Stats, writeSync } from 'fs';
import { open } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { isatty } from 'tty';
import { TextDecoder } from 'util';
import { DocumentText, KubectlSplitter, MAX_DOCUMENT_BYTES, normalizeLineEnds, StreamPart } from '../rules/kubectl-reader';

export { MAX_DOCUMENT_BYTES };
export type { DocumentText, StreamPart };

/**
 * How reports name standard input.
 * @internal
 */
export const STDIN_NAME = '<stdin>';

/**
 * One input of a check: a file, or standard input when `path` is undefined.
 * @internal
 */
export interface ManifestSource {
  /** how reports name it */
  readonly name: string;
  readonly path?: string;
}

const CHUNK_BYTES = 1024 * 1024;

/** The most read from standard input: a pipe has no size to stop at. */
export const MAX_STDIN_BYTES = 4 * 1024 * 1024 * 1024;

/**
 * Why an input cannot be read at all: not a regular file, or too large, or the system refused it.
 * @internal
 */
export class UnreadableSource extends Error {}

/**
 * The documents of a source, one at a time, decoded as kubectl decodes a file (cli-runtime's
 * FileVisitor): a UTF-16 byte order mark selects UTF-16, a UTF-8 one is dropped, and each invalid
 * UTF-8 sequence is U+FFFD. Where that text differs from the bytes (and always for standard
 * input), it is also written to a temporary file, so that a document, or all of them, can be read
 * again later by its place in it; the copy is deleted by `close()`.
 * @internal
 */
export class SourceReader {
  private spool?: { dir: string; path: string; fd: number };
  /** the file, open to read documents again */
  private again?: number;

  constructor(public readonly source: ManifestSource, private readonly maxDocumentBytes: number = MAX_DOCUMENT_BYTES) {}

  /** the parts of the source, in order, each time it is called; rejects when the source cannot be read */
  public async *documents(): AsyncGenerator<StreamPart> {
    const splitter = new KubectlSplitter(this.maxDocumentBytes);
    // the second time, the copy (if there is one) is plain UTF-8
    const copying = this.spool === undefined;
    let decoder: InstanceType<typeof TextDecoder> | undefined;
    /** whether the text so far is the bytes so far, and how many of them; `tail` is an unfinished sequence */
    let plain = true;
    let plainBytes = 0;
    let tail = Buffer.alloc(0);
    for await (const bytes of this.chunks()) {
      if (!decoder) {
        const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
        // the copy is the text, a byte order mark kubectl left in it included
        decoder = new TextDecoder(encoding, { ignoreBOM: !copying });
        plain = encoding === 'utf-8' && !(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf);
        if (!plain && copying) {
          this.startCopy(0);
        }
      }
      const text = decoder.decode(bytes, { stream: true });
      if (plain && copying) {
        const joined = tail.length > 0 ? Buffer.concat([tail, bytes]) : bytes;
        const whole = completeUtf8(joined);
        if (isUtf8(joined.subarray(0, whole))) {
          plainBytes += whole;
          tail = Buffer.from(joined.subarray(whole));
        } else {
          // from here on the text is not the bytes: copy those that were, then the text
          plain = false;
          this.startCopy(plainBytes);
        }
      }
      if (copying && this.spool) {
        writeSync(this.spool.fd, text);
      }
      // ASCII bytes of a plain source are their own text (a pending sequence would have made it not
      // plain), so the splitter measures no UTF-8 lengths: most manifests are ASCII
      yield* splitter.push(text, plain && isAscii(bytes));
    }
    const rest = decoder?.decode() ?? '';
    if (copying && plain && tail.length > 0) {
      this.startCopy(plainBytes);
    }
    if (copying && this.spool) {
      writeSync(this.spool.fd, rest);
    }
    yield* splitter.push(rest);
    yield* splitter.end();
  }

  /** starts the copy of the text with the first `bytes` of the file, which are their own text */
  private startCopy(bytes: number): void {
    if (this.spool) {
      // standard input is copied from its first byte, as text: a second copy would leave the first behind
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-private-registry-'));
    const copy = join(dir, 'input.yaml');
    this.spool = { dir, path: copy, fd: openSync(copy, 'w') };
    if (bytes > 0) {
      const head = Buffer.alloc(bytes);
      const fd = openSync(this.source.path!, 'r');
      try {
        readSync(fd, head, 0, bytes, 0);
      } finally {
        closeSync(fd);
      }
      writeSync(this.spool.fd, head);
    }
  }

  /** the bytes of the source; a file is read into one buffer, used again for every chunk */
  private async *chunks(): AsyncGenerator<Buffer> {
    const path = this.spool?.path ?? this.source.path;
    if (path === undefined) {
      this.startCopy(0);
      yield* this.stdin();
      return;
    }
    let file;
    try {
      // eslint-disable-next-line no-bitwise
      file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e: any) {
      throw new UnreadableSource(systemReason(e));
    }
    try {
      const stats = await file.stat();
      if (!stats.isFile()) {
        throw new UnreadableSource(`is not a regular file (it is ${kindOf(stats)}); give a manifest file, a directory of them, or "-" for standard input`);
      }
      // never past the size it had when opened: a file that grows while it is read still ends
      let left = stats.size;
      const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, Math.max(left, 1)));
      while (left > 0) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, left), null);
        if (bytesRead === 0) {
          break;
        }
        left -= bytesRead;
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      await file.close();
    }
  }

  /** standard input */
  private async *stdin(): AsyncGenerator<Buffer> {
    let stats: Stats | undefined;
    try {
      stats = fstatSync(0);
    } catch {
      // nothing to check: reading says what is wrong
    }
    if (stats && (stats.isBlockDevice() || (stats.isCharacterDevice() && !isatty(0)) || stats.isDirectory())) {
      throw new UnreadableSource(`is ${kindOf(stats)}, not a file, a pipe or a terminal; pipe the manifests into it`);
    }
    let total = 0;
    for await (const chunk of process.stdin) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.length;
      if (total > MAX_STDIN_BYTES) {
        throw new UnreadableSource(`holds more than ${MAX_STDIN_BYTES / 1024 / 1024 / 1024} GiB, the most read from standard input; give the manifests as files`);
      }
      yield bytes;
    }
  }

  /** the text of a document read before, as the splitter gave it */
  public readDocumentAgain(doc: Pick<DocumentText, 'offset' | 'bytes' | 'json'>): string {
    this.again ??= openSync(this.spool?.path ?? this.source.path!, 'r');
    const buffer = Buffer.alloc(doc.bytes);
    readSync(this.again, buffer, 0, doc.bytes, doc.offset);
    const text = buffer.toString('utf8');
    return doc.json ? text : normalizeLineEnds(text);
  }

  /** closes the file and deletes the copy of standard input */
  public close(): void {
    if (this.again !== undefined) {
      closeSync(this.again);
      this.again = undefined;
    }
    if (this.spool) {
      closeSync(this.spool.fd);
      rmSync(this.spool.dir, { recursive: true, force: true });
      this.spool = undefined;
    }
  }
}

/**
 * how many of `bytes` end whole UTF-8 sequences: up to 3 bytes of an unfinished one go on in the next
 * chunk, as the decoder keeps them; bytes no sequence starts with (0xFF, 0xE0 0x80) it has already
 * made U+FFFD, so they end here
 */
function completeUtf8(bytes: Buffer): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const b = bytes[bytes.length - back];
    if (b < 0x80) {
      return bytes.length;
    }
    if (b >= 0xc0) {
      return unfinishedUtf8(bytes, bytes.length - back) ? bytes.length - back : bytes.length;
    }
  }
  return bytes.length;
}

/** whether the bytes from `at` to the end start a UTF-8 sequence, as the WHATWG decoder reads one (Encoding Standard, UTF-8 decoder) */
function unfinishedUtf8(bytes: Buffer, at: number): boolean {
  const lead = bytes[at];
  const size = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (bytes.length - at >= size) {
    return false;
  }
  for (let i = at + 1; i < bytes.length; i++) {
    // the second byte's range depends on the lead: no overlong form, surrogate or code point over U+10FFFF
    const low = i > at + 1 ? 0x80 : lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = i > at + 1 ? 0xbf : lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    if (bytes[i] < low || bytes[i] > high) {
      return false;
    }
  }
  return true;
}

/** why the system refused to open an input */
function systemReason(e: any): string {
  switch (e?.code) {
    case 'ENOENT': return 'no such file';
    case 'ENOTDIR': return 'no such file';
    case 'EISDIR': return 'is a directory';
    case 'EACCES': return 'permission denied';
    case 'ENXIO': return 'is not a regular file (it is a socket or a device with nothing behind it)';
    default: return typeof e?.code === 'string' ? `error ${e.code}` : 'read error';
  }
}

/**
 * What a path is, for messages.
 * @internal
 */
export function kindOf(stats: Stats): string {
  return stats.isDirectory() ? 'a directory' : stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket'
    : stats.isCharacterDevice() ? 'a character device' : stats.isBlockDevice() ? 'a block device' : 'not a regular file';
}
