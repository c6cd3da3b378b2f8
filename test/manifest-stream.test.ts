import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { DocumentSplitter, DocumentText, DocumentTooLarge, SourceReader } from '../src/tools/manifest-stream';

/** the documents of `text`, pushed in chunks of `size` characters */
function split(text: string, size = text.length, max?: number): Array<DocumentText | DocumentTooLarge> {
  const splitter = new DocumentSplitter(max);
  const out: Array<DocumentText | DocumentTooLarge> = [];
  for (let i = 0; i < text.length; i += size) {
    out.push(...splitter.push(text.slice(i, i + size)));
  }
  return [...out, ...splitter.end()];
}

function texts(docs: Array<DocumentText | DocumentTooLarge>): string[] {
  return docs.map(d => 'tooLarge' in d ? `<too large at ${d.line}>` : d.text);
}

/** the same split, whatever the chunk size: 1 character at a time, 3, 7, or all at once */
function splitAnyChunks(text: string): string[] {
  const whole = texts(split(text));
  for (const size of [1, 3, 7]) {
    expect(texts(split(text, size))).toEqual(whole);
  }
  return whole;
}

describe('DocumentSplitter', () => {
  test('splits before each "---" line and keeps a comment after it with its document', () => {
    // GIVEN
    const text = '---\n# Source: chart/templates/a.yaml\nkind: A\n---\nkind: B\n--- # comment\nkind: C\n';

    // WHEN
    const docs = splitAnyChunks(text);

    // THEN
    expect(docs).toEqual(['---\n# Source: chart/templates/a.yaml\nkind: A\n', '---\nkind: B\n', '--- # comment\nkind: C\n']);
  });

  test('a block scalar\'s indented "---" and "..." lines, and "---" without a space after it, do not split', () => {
    // GIVEN
    const text = 'data:\n  script: |\n    ---\n    ...\n    --- x\n---foo: 1\n...bar: 2\n---\nkind: B\n';

    // WHEN
    const docs = splitAnyChunks(text);

    // THEN
    expect(docs).toEqual(['data:\n  script: |\n    ---\n    ...\n    --- x\n---foo: 1\n...bar: 2\n', '---\nkind: B\n']);
  });

  test('a "---" at column 0 ends a block scalar, as YAML 1.2 says, and "--- |" starts a scalar document', () => {
    // GIVEN
    const text = '--- |\n  text\n---\nkind: B\n';

    // WHEN
    const docs = splitAnyChunks(text);

    // THEN
    expect(docs).toEqual(['--- |\n  text\n', '---\nkind: B\n']);
    expect(parseAllDocuments(text).map(d => (d as any).toJS())).toEqual(['text\n', { kind: 'B' }]);
  });

  test('a "..." line ends its document, and directives stay with the document they introduce', () => {
    // GIVEN
    const text = 'kind: A\n...\n%YAML 1.2\n# next\n---\nkind: B\n... # end\nkind: C\n';

    // WHEN
    const docs = splitAnyChunks(text);

    // THEN
    expect(docs).toEqual(['kind: A\n...\n', '%YAML 1.2\n# next\n---\nkind: B\n... # end\n', 'kind: C\n']);
  });

  test('reads CRLF line ends, and counts lines and bytes as the whole stream does', () => {
    // GIVEN
    const text = 'kind: A\r\nname: é\r\n---\r\nkind: B\r\n...\r\n---\r\nkind: C\r\n';

    // WHEN
    const docs = split(text, 2) as DocumentText[];

    // THEN
    expect(docs.map(d => d.text)).toEqual(['kind: A\r\nname: é\r\n', '---\r\nkind: B\r\n...\r\n', '---\r\nkind: C\r\n']);
    expect(docs.map(d => d.line)).toEqual([1, 3, 6]);
    expect(docs.map(d => d.offset)).toEqual([0, 19, 38]);
    expect(docs.map(d => d.bytes)).toEqual([19, 19, 14]);
    expect(Buffer.from(text).subarray(docs[2].offset, docs[2].offset + docs[2].bytes).toString()).toBe(docs[2].text);
  });

  test('reports a document larger than the limit by its first line, and goes on after it', () => {
    // GIVEN
    const big = `kind: Big\ndata: ${'x'.repeat(100)}\n`;
    const text = `kind: A\n---\n${big}---\nkind: C\n`;

    // WHEN
    const whole = split(text, text.length, 50);
    const streamed = split(text, 10, 50);

    // THEN
    expect(texts(whole)).toEqual(['kind: A\n', '<too large at 2>', '---\nkind: C\n']);
    expect(texts(streamed)).toEqual(texts(whole));
    expect((streamed[2] as DocumentText).line).toBe(5);
  });
});

describe('SourceReader', () => {
  test('reads a file in chunks, and a document again by its place', async () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-stream-'));
    const file = path.join(dir, 'a.yaml');
    const docs = Array.from({ length: 3000 }, (_, i) => `---\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  note: "ünïcode ${i}"\n`);
    fs.writeFileSync(file, docs.join(''));
    const reader = new SourceReader({ name: 'a.yaml', path: file });

    try {
      // WHEN
      const read: DocumentText[] = [];
      for await (const doc of reader.documents()) {
        read.push(doc as DocumentText);
      }

      // THEN
      expect(read.map(d => d.text)).toEqual(docs);
      expect(read[2999].line).toBe(2999 * 6 + 1);
      expect(reader.readDocumentAgain(read[2345])).toBe(docs[2345]);
    } finally {
      reader.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
