import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DocumentText, SourceReader, StreamPart } from '../src/cli/manifest-stream';

async function readAll(reader: SourceReader): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of reader.documents()) {
    parts.push(part);
  }
  return parts;
}

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
      const read = await readAll(reader) as DocumentText[];

      // THEN: each document without the "---" line before it, which kubectl takes as a split
      expect(read.map(d => d.text)).toEqual(docs.map(d => d.slice('---\n'.length)));
      expect(read[2999].line).toBe(2999 * 6 + 2);
      expect(reader.readDocumentAgain(read[2345])).toBe(docs[2345].slice('---\n'.length));
    } finally {
      reader.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-stream-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('refuses /dev/zero at once instead of reading it forever', async () => {
    // GIVEN
    const reader = new SourceReader({ name: '/dev/zero', path: '/dev/zero' });

    // WHEN / THEN
    await expect(readAll(reader)).rejects.toThrow(/^is not a regular file \(it is a character device\)/);
    reader.close();
  }, 5_000);

  test('decodes as kubectl does: a UTF-16 or UTF-8 byte order mark, and U+FFFD for bytes that are not UTF-8; reads a document again from the text', async () => {
    // GIVEN
    const text = 'kind: A\n---\nkind: B\nname: "é\ufffd"\n---\nkind: C\n';
    const files: Array<[string, Buffer]> = [
      ['le.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace('\ufffd', ''), 'utf16le')])],
      ['bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.replace('\ufffd', ''))])],
      ['invalid.yaml', Buffer.concat([Buffer.from('kind: A\n---\nkind: B\nname: "é'), Buffer.from([0xe2, 0x82]), Buffer.from('"\n---\nkind: C\n')])],
    ];

    for (const [name, bytes] of files) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const reader = new SourceReader({ name, path: file });
      try {
        // WHEN
        const parts = await readAll(reader) as DocumentText[];
        const again = await readAll(reader) as DocumentText[];

        // THEN
        const expected = name === 'invalid.yaml' ? text : text.replace('\ufffd', '');
        expect(parts.map(p => p.text).join('---\n')).toBe(expected);
        expect(again.map(p => p.text)).toEqual(parts.map(p => p.text));
        expect(parts.map(p => reader.readDocumentAgain(p))).toEqual(parts.map(p => p.text));
      } finally {
        reader.close();
      }
    }
  });
  test.each([
    ['a Latin-1 "ü" (0xFC)', [0xfc]],
    ['0xFF', [0xff]],
    ['0xC0, which starts no UTF-8 sequence', [0xc0]],
    ['0xE0 0x80, an overlong start', [0xe0, 0x80]],
    ['0xED 0xA0, a surrogate\'s start', [0xed, 0xa0]],
  ])('a file that ends in %s reads again as it read the first time', async (_what, last) => {
    // GIVEN a file whose last bytes are not UTF-8 and start no sequence the decoder waits on
    const file = path.join(dir, 'end.yaml');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('kind: A\n---\nkind: B\nname: Tsch'), Buffer.from(last)]));
    const reader = new SourceReader({ name: 'end.yaml', path: file });
    try {
      // WHEN read, then read again by its places, and whole
      const parts = await readAll(reader) as DocumentText[];
      const again = await readAll(reader) as DocumentText[];

      // THEN the same text each time, its U+FFFD included
      expect(parts[1].text).toBe(`kind: B\nname: Tsch${'\ufffd'.repeat(last.length)}`);
      expect(parts.map(p => reader.readDocumentAgain(p))).toEqual(parts.map(p => p.text));
      expect(again.map(p => p.text)).toEqual(parts.map(p => p.text));
    } finally {
      reader.close();
    }
  });
  test('a file with a second byte order mark reads the same the second time, from its copy', async () => {
    // GIVEN a UTF-8 file whose text, after the byte order mark kubectl drops, starts with U+FEFF
    const file = path.join(dir, 'twice.yaml');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from('kind: A\n---\nkind: B\n')]));
    const reader = new SourceReader({ name: 'twice.yaml', path: file });
    try {
      // WHEN read twice, the second time from the copy of the text
      const parts = await readAll(reader) as DocumentText[];
      const again = await readAll(reader) as DocumentText[];

      // THEN the same documents at the same places, the U+FEFF kept
      expect(parts.map(p => p.text)).toEqual(['\ufeffkind: A\n', 'kind: B\n']);
      expect(again).toEqual(parts);
    } finally {
      reader.close();
    }
  });
});
