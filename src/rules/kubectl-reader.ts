/*
 * Which objects a manifest stream holds, as `kubectl apply -f` finds them (cli-runtime's
 * StreamVisitor and FlattenListVisitor over apimachinery's YAMLOrJSONDecoder, v0.33 to v0.36):
 * - A stream whose first non-space character within 4,096 bytes is `{` is read as JSON values, one
 *   after another; when the first or second value is not JSON, the rest is read as YAML.
 * - YAML is split at lines that start with `---`; such a line with more than a comment after it
 *   ends the stream with an error. `...` does not split: go-yaml reads the first document of each
 *   part and ignores the rest (go-yaml.ts).
 * - The objects of each value: kubectl-objects.ts.
 */
import { readYamlDocument, ReadDocument, ReadError } from './go-yaml';

export type { ReadDocument, ReadError };

/**
 * The text of one document and where it is in its stream.
 * @internal
 */
export interface DocumentText {
  readonly text: string;
  /** 1-based line of the text's first line in the stream */
  readonly line: number;
  /** byte offset of the text in the stream */
  readonly offset: number;
  readonly bytes: number;
  /** a JSON value of a JSON stream, rather than a YAML document */
  readonly json: boolean;
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

/**
 * Where kubectl stops reading a stream: nothing after it is read.
 * @internal
 */
export interface StreamError {
  readonly streamError: string;
  readonly line: number;
}

/** @internal */
export type StreamPart = DocumentText | DocumentTooLarge | StreamError;

/** The most one document may hold, in bytes, by default. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** how long a document must be before the splitter holds its text apart (see `KubectlSplitter.held`) */
const HOLD_CHARS = 64 * 1024;

/** How far kubectl looks for the `{` of a JSON stream (cli-runtime's StreamVisitor). */
const JSON_SNIFF_BYTES = 4096;

const LF = 10;
const CR = 13;

/** Go's `unicode.IsSpace` */
function isGoSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0 || c === 0x1680
    || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

function utf8Length(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 4 : c >= 0xdc00 && c < 0xe000 ? 0 : 3;
}

/**
 * Splits a stream into the documents kubectl decodes, chunk by chunk, so that memory depends on
 * the largest document, not on the whole stream.
 * @internal
 */
export class KubectlSplitter {
  private buffer = '';
  /** where the current document starts in `buffer` */
  private start = 0;
  /** where to look on in `buffer` */
  private scan = 0;
  private line = 1;
  private offset = 0;
  private mode: 'sniff' | 'json' | 'yaml' | 'stopped' = 'sniff';
  /** JSON values read so far: after two, a value that is not JSON ends the stream */
  private jsonValues = 0;
  /** how far the JSON value being read was scanned, relative to its start */
  private jsonScan: JsonScan = { after: 0, depth: 0 };
  /** inside a document already reported as too large: drop it as it streams past */
  private discarding = false;
  /** whether `buffer` is ASCII, so that its UTF-8 length is its length */
  private ascii = false;
  /**
   * the text of a long document so far, before `buffer`: held apart, not copied into a new buffer
   * with each chunk (a 10 MB document in 1 MB chunks was copied 55 MB); searched once each
   */
  private held: string[] = [];
  private heldLength = 0;

  constructor(private readonly maxDocumentBytes: number = MAX_DOCUMENT_BYTES) {}

  /**
   * the parts that `chunk` completes
   * @param ascii the caller knows that `chunk` is ASCII: no UTF-8 length is measured then
   */
  public push(chunk: string, ascii = false): StreamPart[] {
    this.ascii = ((this.held.length === 0 && this.start >= this.buffer.length) || this.ascii) && ascii;
    if (this.holds(chunk)) {
      if (this.held.length === 0) {
        this.held.push(this.buffer.slice(this.start));
        this.heldLength = this.buffer.length - this.start;
        this.buffer = '';
        this.start = 0;
        this.scan = 0;
      }
      this.held.push(chunk);
      this.heldLength += chunk.length;
      return [];
    }
    this.unhold();
    this.buffer = this.buffer.slice(this.start) + chunk;
    this.scan -= this.start;
    this.start = 0;
    return this.split(false);
  }

  /** the rest of the stream */
  public end(): StreamPart[] {
    this.unhold();
    const out = this.split(true);
    this.buffer = '';
    this.start = 0;
    this.scan = 0;
    return out;
  }

  /**
   * whether `chunk` goes on a long YAML document without ending it: no separator in it, nor across
   * its start, and the document stays within the most it may hold
   */
  private holds(chunk: string): boolean {
    const pending = this.heldLength + this.buffer.length - this.start;
    if (this.mode !== 'yaml' || this.discarding || pending < HOLD_CHARS || pending + chunk.length > this.maxDocumentBytes) {
      return false;
    }
    if (this.held.length === 0 && this.scan < this.buffer.length - 3) {
      // a separator was found whose line goes on in this chunk
      return false;
    }
    // the last three characters held, over as many parts as it takes: a pipe may hand them one by one
    let last = this.held.length > 0 ? '' : this.buffer;
    for (let p = this.held.length - 1; p >= 0 && last.length < 3; p--) {
      last = this.held[p] + last;
    }
    const seam = last.slice(-3) + chunk.slice(0, 3);
    return chunk.indexOf('\n---') < 0 && seam.indexOf('\n---') < 0;
  }

  /** puts the text held back in front of `buffer`, whose separators are then looked for after it */
  private unhold(): void {
    if (this.held.length === 0) {
      return;
    }
    this.held.push(this.buffer.slice(this.start));
    this.buffer = this.held.join('');
    this.start = 0;
    // no separator in what was held, but one may start in its last three characters
    this.scan = Math.max(0, this.heldLength - 3);
    this.held = [];
    this.heldLength = 0;
  }

  private split(final: boolean): StreamPart[] {
    const out: StreamPart[] = [];
    if (this.mode === 'sniff') {
      this.sniff(final);
    }
    if (this.mode === 'json') {
      this.splitJson(final, out);
    }
    if (this.mode === 'yaml') {
      this.splitYaml(final, out);
    }
    if (this.mode === 'stopped') {
      this.advance(this.buffer.length);
      return out;
    }
    if (!this.discarding && this.buffer.length - this.start > this.maxDocumentBytes) {
      out.push({ tooLarge: true, line: this.line });
      this.discarding = true;
    }
    if (this.discarding) {
      // keep only what a separator split over two chunks needs
      const keep = Math.max(this.start, this.buffer.length - 4);
      if (this.mode === 'yaml') {
        this.advance(keep);
        this.scan = Math.max(this.scan, this.start);
      } else {
        // a JSON value has no separator to find again: the stream cannot go on
        this.mode = 'stopped';
        this.advance(this.buffer.length);
      }
    }
    return out;
  }

  /** JSON when the first character that is not a space, within 4,096 bytes, is `{` */
  private sniff(final: boolean): void {
    let bytes = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (!isGoSpace(c)) {
        this.mode = c === 0x7b /* { */ ? 'json' : 'yaml';
        return;
      }
      bytes += utf8Length(c);
      if (bytes >= JSON_SNIFF_BYTES) {
        this.mode = 'yaml';
        return;
      }
    }
    if (final) {
      this.mode = 'yaml';
    }
  }

  /** JSON values as Go's json.Decoder reads them one after another */
  private splitJson(final: boolean, out: StreamPart[]): void {
    const buffer = this.buffer;
    for (;;) {
      let i = this.start;
      while (i < buffer.length && (buffer[i] === ' ' || buffer[i] === '\t' || buffer[i] === '\n' || buffer[i] === '\r')) {
        i++;
      }
      if (i === buffer.length) {
        if (final) {
          this.advance(i);
        }
        return;
      }
      const end = jsonValueEnd(buffer, i, final, this.jsonScan);
      if (end === undefined) {
        return; // the value goes on in the next chunk
      }
      this.jsonScan = { after: 0, depth: 0 };
      const text = buffer.slice(i, end);
      if (end > 0 && isJson(text)) {
        this.advance(i);
        this.jsonValues++;
        this.emit(end, out, true);
        continue;
      }
      if (this.jsonValues > 1) {
        this.advance(i);
        out.push({ streamError: 'kubectl reads this file as a stream of JSON values, and what starts here is not JSON', line: this.line });
        this.mode = 'stopped';
        return;
      }
      // what follows the last value is YAML: after the spaces up to the end of their line
      let j = this.start;
      while (j < buffer.length && isGoSpace(buffer.charCodeAt(j)) && buffer[j] !== '\n') {
        j++;
      }
      if (buffer[j] === '\n') {
        j++;
      }
      this.advance(j);
      this.scan = this.start;
      this.mode = 'yaml';
      return;
    }
  }

  /** YAML documents as apimachinery's YAMLReader splits them: at lines that start with `---` */
  private splitYaml(final: boolean, out: StreamPart[]): void {
    const buffer = this.buffer;
    for (;;) {
      let at: number;
      if (this.scan <= this.start && buffer.startsWith('---', this.start)) {
        at = this.start;
      } else {
        const newline = buffer.indexOf('\n---', Math.max(this.scan, this.start));
        if (newline < 0) {
          // a separator may begin in the last three characters
          this.scan = Math.max(this.start, buffer.length - 3);
          break;
        }
        at = newline + 1;
      }
      const eol = buffer.indexOf('\n', at);
      const rest = buffer.slice(at + 3, eol < 0 ? buffer.length : eol);
      let k = 0;
      while (k < rest.length && isGoSpace(rest.charCodeAt(k))) {
        k++;
      }
      // more than a comment after `---` stops the stream wherever its line ends: known now, while
      // the line may go on past the document limit
      const invalid = k < rest.length && rest[k] !== '#';
      if (eol < 0 && !final && !invalid) {
        // what follows `---` on its line is in the next chunk
        this.scan = at - 1;
        return;
      }
      this.emit(at, out, false);
      if (invalid) {
        out.push({
          streamError: 'a line that starts with "---" has more than a comment after it: kubectl stops reading the file here '
            + '("invalid Yaml document separator"); put what follows "---" on the next line',
          line: this.line,
        });
        this.mode = 'stopped';
        return;
      }
      this.advance(eol < 0 ? buffer.length : eol + 1);
      this.discarding = false;
      this.scan = this.start;
    }
    if (final && this.start < buffer.length) {
      this.emit(buffer.length, out, false);
    }
  }

  /** ends the current document at `end` */
  private emit(end: number, out: StreamPart[], json: boolean): void {
    const { line, offset } = this;
    let text = this.advance(end);
    if (this.discarding) {
      return;
    }
    if (text.length > this.maxDocumentBytes || (!this.ascii && Buffer.byteLength(text) > this.maxDocumentBytes)) {
      out.push({ tooLarge: true, line });
      return;
    }
    const bytes = this.offset - offset;
    if (text.length === 0) {
      return;
    }
    if (!json && text.includes('\r')) {
      text = normalizeLineEnds(text);
    }
    out.push({ text, line, offset, bytes, json });
  }

  /** moves the start of the current document to `end`, counting what it passes */
  private advance(end: number): string {
    const text = this.buffer.slice(this.start, end);
    this.line += countLines(text);
    this.offset += this.ascii ? text.length : Buffer.byteLength(text);
    this.start = end;
    return text;
  }
}

/**
 * A document's text as kubectl hands it to go-yaml: bufio's ReadLine drops the "\r" of "\r\n".
 * @internal
 */
export function normalizeLineEnds(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

/** where the scan of a JSON object or array that goes on in the next chunk stopped: the place after its start, and the depth there */
interface JsonScan {
  after: number;
  depth: number;
}

/**
 * where the JSON value at `start` ends, as far as brackets and strings tell; undefined when the text
 * may go on, with `scan` telling where an object or array was left (never inside a string), to go
 * on from there with the next chunk rather than read the value again from its start
 */
function jsonValueEnd(text: string, start: number, final: boolean, scan: JsonScan = { after: 0, depth: 0 }): number | undefined {
  const first = text[start];
  if (first !== '{' && first !== '[') {
    if (first === '"') {
      for (let i = start + 1; i < text.length; i++) {
        if (text[i] === '\\') {
          i++;
        } else if (text[i] === '"') {
          return i + 1;
        } else if (text.charCodeAt(i) === LF || text.charCodeAt(i) === CR) {
          return i;
        }
      }
      return final ? text.length : undefined;
    }
    // a number or a literal: up to the next delimiter
    let i = start;
    while (i < text.length && /[^\s{}[\]",:]/.test(text[i])) {
      i++;
    }
    return i < text.length || final ? Math.max(i, start + 1) : undefined;
  }
  let depth = scan.depth;
  for (let i = start + scan.after; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const open = i;
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\') {
          i++;
        }
      }
      if (i >= text.length) {
        // the string goes on in the next chunk: read it again from its quote
        scan.after = open - start;
        scan.depth = depth;
        return final ? text.length : undefined;
      }
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) {
        return i + 1;
      }
    }
  }
  scan.after = text.length - start;
  scan.depth = depth;
  return final ? text.length : undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    count++;
  }
  return count;
}

/**
 * One document's value with its lines, or why kubectl cannot read it.
 * @internal
 */
export function readDocument(doc: Pick<DocumentText, 'text' | 'json'>): ReadDocument | ReadError {
  if (!doc.json) {
    return readYamlDocument(doc.text);
  }
  let value: unknown;
  try {
    value = JSON.parse(doc.text);
  } catch {
    return { line: 1, reason: 'the value is not JSON' };
  }
  return { value, line: path => jsonLine(doc.text, path) };
}

/**
 * The 1-based line where the value at `path` starts in a JSON text (the last of equal names, as
 * Go keeps it), or of the nearest value above it.
 */
function jsonLine(text: string, path: ReadonlyArray<string | number>): number {
  let at = skipJsonSpace(text, 0);
  for (const step of path) {
    const inner = jsonChild(text, at, step);
    if (inner === undefined) {
      break;
    }
    at = inner;
  }
  return countLines(text.slice(0, at)) + 1;
}

function skipJsonSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) {
    i++;
  }
  return i;
}

/** where the member `step` of the object (or the item of the array) at `at` starts */
function jsonChild(text: string, at: number, step: string | number): number | undefined {
  const open = text[at];
  if (open !== '{' && open !== '[') {
    return undefined;
  }
  let found: number | undefined;
  let i = skipJsonSpace(text, at + 1);
  for (let index = 0; i < text.length && text[i] !== '}' && text[i] !== ']'; index++) {
    let matches = open === '[' && index === step;
    if (open === '{') {
      const keyEnd = jsonValueEnd(text, i, true)!;
      matches = JSON.parse(text.slice(i, keyEnd)) === step;
      i = skipJsonSpace(text, skipJsonSpace(text, keyEnd) + 1);
    }
    if (matches) {
      found = i;
    }
    i = skipJsonSpace(text, jsonValueEnd(text, i, true)!);
    if (text[i] === ',') {
      i = skipJsonSpace(text, i + 1);
    }
  }
  return found;
}
