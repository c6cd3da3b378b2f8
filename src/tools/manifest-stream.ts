// Reads a multi-document YAML stream in chunks and hands it on one document at a time, so that
// memory depends on the largest document, not on the whole input.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'fs';
import { open } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { StringDecoder } from 'string_decoder';

/**
 * The text of one document (rarely several, see `DocumentSplitter`) and where it is in its stream.
 * @internal
 */
export interface DocumentText {
  readonly text: string;
  /** 1-based line of the text's first line in the stream */
  readonly line: number;
  /** byte offset of the text in the stream */
  readonly offset: number;
  readonly bytes: number;
}

/**
 * A document larger than the limit, skipped without being kept.
 * @internal
 */
export interface DocumentTooLarge {
  readonly tooLarge: true;
  /** 1-based line where the document starts */
  readonly line: number;
}

/** The most one document may hold, in bytes, by default. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/**
 * Splits a YAML stream into documents where a line starts with `---` or `...` followed by a
 * space, a tab or the end of the line. Such a line ends a document everywhere in YAML 1.2, block
 * scalars and quoted strings included, so the split needs no parser. A `---` ends the text before
 * it, a `...` the text up to its own line; directives and comments before a `---` stay with the
 * document they introduce. Each text holds whole documents: usually one, and several only around
 * an empty one.
 * @internal
 */
export class DocumentSplitter {
  private buffer = '';
  /** where the current document starts in `buffer` */
  private start = 0;
  /** where to look for the next marker in `buffer` */
  private scan = 0;
  private line = 1;
  private offset = 0;
  /** inside a document already reported as too large: drop it as it streams past */
  private discarding = false;

  constructor(private readonly maxDocumentBytes: number = MAX_DOCUMENT_BYTES) {}

  /** the documents that `chunk` completes */
  public push(chunk: string): Array<DocumentText | DocumentTooLarge> {
    this.buffer = this.buffer.slice(this.start) + chunk;
    this.scan -= this.start;
    this.start = 0;
    const out = this.split(false);
    if (!this.discarding && this.buffer.length - this.start > this.maxDocumentBytes) {
      out.push({ tooLarge: true, line: this.line });
      this.discarding = true;
    }
    if (this.discarding) {
      // keep only what a marker split over two chunks needs
      this.advance(Math.max(this.start, this.buffer.length - 3));
      this.scan = Math.max(this.scan, this.start);
    }
    return out;
  }

  /** the rest of the stream */
  public end(): Array<DocumentText | DocumentTooLarge> {
    const out = this.split(true);
    if (this.start < this.buffer.length) {
      this.emit(this.buffer.length, out);
    }
    this.buffer = '';
    this.start = 0;
    return out;
  }

  private split(final: boolean): Array<DocumentText | DocumentTooLarge> {
    const out: Array<DocumentText | DocumentTooLarge> = [];
    const buffer = this.buffer;
    // the next of each marker at or after `from`; each is looked for again only once passed
    let dashes = -2;
    let dots = -2;
    while (true) {
      const from = Math.max(this.scan, this.start);
      if (dashes !== -1 && dashes < from) {
        dashes = buffer.indexOf('\n---', from);
      }
      if (dots !== -1 && dots < from) {
        dots = buffer.indexOf('\n...', from);
      }
      const at = dashes < 0 ? dots : dots < 0 ? dashes : Math.min(dashes, dots);
      if (at < 0) {
        this.scan = Math.max(this.start, buffer.length - 3);
        return out;
      }
      const marker = at + 1;
      if (marker + 3 >= buffer.length && !final) {
        // the character after the marker is in the next chunk
        this.scan = at;
        return out;
      }
      const next = buffer.charCodeAt(marker + 3);
      if (!(marker + 3 >= buffer.length || next === SPACE || next === TAB || next === LF || next === CR)) {
        this.scan = marker;
        continue;
      }
      if (at === dashes) {
        this.scan = marker;
        if (this.discarding || !onlyDirectivesAndComments(buffer, this.start, marker)) {
          this.emit(marker, out);
        }
      } else {
        const eol = buffer.indexOf('\n', marker);
        if (eol < 0 && !final) {
          this.scan = at;
          return out;
        }
        this.emit(eol < 0 ? buffer.length : eol + 1, out);
        this.scan = this.start;
      }
    }
  }

  /** ends the current document at `end` */
  private emit(end: number, out: Array<DocumentText | DocumentTooLarge>): void {
    const { line, offset } = this;
    const text = this.advance(end);
    if (this.discarding) {
      this.discarding = false;
    } else if (text.length > this.maxDocumentBytes || Buffer.byteLength(text) > this.maxDocumentBytes) {
      out.push({ tooLarge: true, line });
    } else {
      out.push({ text, line, offset, bytes: this.offset - offset });
    }
  }

  /** moves the start of the current document to `end`, counting what it passes */
  private advance(end: number): string {
    const text = this.buffer.slice(this.start, end);
    this.line += countLines(text);
    this.offset += Buffer.byteLength(text);
    this.start = end;
    return text;
  }
}

/** whether every line in `text[start, end)` is blank, a comment or a directive */
function onlyDirectivesAndComments(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    let j = i;
    while (j < end && (text.charCodeAt(j) === SPACE || text.charCodeAt(j) === TAB)) {
      j++;
    }
    const c = text.charCodeAt(j);
    if (j < end && c !== LF && c !== CR && c !== 35 /* # */ && !(c === 37 /* % */ && j === i)) {
      return false;
    }
    const eol = text.indexOf('\n', j);
    i = eol < 0 ? end : eol + 1;
  }
  return true;
}

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    count++;
  }
  return count;
}

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

/**
 * The documents of a source, one at a time. Standard input is also copied to a temporary file,
 * so that a document, or all of them, can be read again later; the copy is deleted by `close()`.
 * @internal
 */
export class SourceReader {
  private spool?: { dir: string; path: string; fd: number };
  /** the file, open to read documents again */
  private again?: number;

  constructor(public readonly source: ManifestSource, private readonly maxDocumentBytes: number = MAX_DOCUMENT_BYTES) {}

  /** the documents of the source, in order, each time it is called; rejects when the source cannot be read */
  public async *documents(): AsyncGenerator<DocumentText | DocumentTooLarge> {
    const splitter = new DocumentSplitter(this.maxDocumentBytes);
    const decoder = new StringDecoder('utf8');
    for await (const bytes of this.chunks()) {
      yield* splitter.push(decoder.write(bytes));
    }
    yield* splitter.push(decoder.end());
    yield* splitter.end();
  }

  /** the bytes of the source; a file is read into one buffer, used again for every chunk */
  private async *chunks(): AsyncGenerator<Buffer> {
    const path = this.spool?.path ?? this.source.path;
    if (path === undefined) {
      const dir = mkdtempSync(join(tmpdir(), 'cdk8s-private-registry-'));
      const copy = join(dir, 'stdin.yaml');
      this.spool = { dir, path: copy, fd: openSync(copy, 'w') };
      for await (const chunk of process.stdin) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        writeSync(this.spool.fd, bytes);
        yield bytes;
      }
      return;
    }
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(CHUNK_BYTES);
      for (let read = -1; read !== 0;) {
        ({ bytesRead: read } = await file.read(buffer, 0, CHUNK_BYTES, null));
        yield buffer.subarray(0, read);
      }
    } finally {
      await file.close();
    }
  }

  /** the text of a document read before */
  public readDocumentAgain(doc: DocumentText): string {
    this.again ??= openSync(this.spool?.path ?? this.source.path!, 'r');
    const buffer = Buffer.alloc(doc.bytes);
    readSync(this.again, buffer, 0, doc.bytes, doc.offset);
    return buffer.toString('utf8');
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
