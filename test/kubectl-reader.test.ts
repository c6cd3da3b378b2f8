import * as fc from 'fast-check';
import { propertyRuns } from './support/property-runs';
import { kubectlObjects } from '../src/rules/kubectl-objects';
import { KubectlSplitter, readDocument, StreamPart } from '../src/rules/kubectl-reader';

/** the parts of `text`, pushed in chunks of `size` characters */
function split(text: string, size = text.length, max?: number): StreamPart[] {
  const splitter = new KubectlSplitter(max);
  const out: StreamPart[] = [];
  for (let i = 0; i < text.length; i += size) {
    out.push(...splitter.push(text.slice(i, i + size)));
  }
  return [...out, ...splitter.end()];
}

function show(parts: StreamPart[]): string[] {
  return parts.map(p => 'text' in p ? `${p.json ? 'json' : 'yaml'}@${p.line}:${p.text}` : 'tooLarge' in p ? `<too large at ${p.line}>` : `<stop at ${p.line}>`);
}

/** the same parts, whatever the chunk size: 1 character at a time, 3, 7, or all at once */
function splitAnyChunks(text: string, max?: number): string[] {
  const whole = show(split(text, text.length, max));
  for (const size of [1, 3, 7]) {
    expect(show(split(text, size, max))).toEqual(whole);
  }
  return whole;
}

describe('KubectlSplitter: documents as apimachinery\'s YAMLReader splits them', () => {
  test('splits at each line that starts with "---", a comment after it included, and drops that line', () => {
    expect(splitAnyChunks('---\n# Source: a.yaml\nkind: A\n---\nkind: B\n--- # comment\nkind: C\n---#x\nkind: D\n'))
      .toEqual(['yaml@2:# Source: a.yaml\nkind: A\n', 'yaml@5:kind: B\n', 'yaml@7:kind: C\n', 'yaml@9:kind: D\n']);
  });

  test('a "---" line with more than a comment after it stops the stream, as kubectl does ("invalid Yaml document separator")', () => {
    expect(splitAnyChunks('kind: A\n--- |\n  text\n---\nkind: B\n')).toEqual(['yaml@1:kind: A\n', '<stop at 2>']);
    expect(splitAnyChunks('kind: A\n----\nkind: B\n')).toEqual(['yaml@1:kind: A\n', '<stop at 2>']);
  });

  test('"..." does not split, and an indented "---" in a block scalar stays in its document', () => {
    expect(splitAnyChunks('kind: A\n...\nkind: B\n---\ndata:\n  s: |\n    ---\n')).toEqual(['yaml@1:kind: A\n...\nkind: B\n', 'yaml@5:data:\n  s: |\n    ---\n']);
  });

  test('reads CRLF line ends as kubectl\'s line reader does, and counts lines and bytes of the whole stream', () => {
    // GIVEN
    const text = 'kind: A\r\nname: é\r\n---\r\nkind: B\r\n';

    // WHEN
    const parts = split(text, 2) as any[];

    // THEN
    expect(parts.map(p => [p.text, p.line, p.offset, p.bytes])).toEqual([['kind: A\nname: é\n', 1, 0, 19], ['kind: B\n', 4, 24, 9]]);
  });

  test('a stream whose first character that is not a space is "{" is JSON values, one after another', () => {
    expect(splitAnyChunks('  \n{"kind":"A"}{"kind":"B"}\n{"kind":\n"C"}')).toEqual(['json@2:{"kind":"A"}', 'json@2:{"kind":"B"}', 'json@3:{"kind":\n"C"}']);
  });

  test('when the first or second JSON value is not JSON, the rest is YAML (apimachinery v0.33 and later)', () => {
    expect(splitAnyChunks('{"kind":"A"}\n---\nkind: B\n')).toEqual(['json@1:{"kind":"A"}', 'yaml@3:kind: B\n']);
    expect(splitAnyChunks('{a: 1}\n---\nkind: B\n')).toEqual(['yaml@1:{a: 1}\n', 'yaml@3:kind: B\n']);
  });

  test('after two JSON values, one that is not JSON stops the stream', () => {
    expect(splitAnyChunks('{"kind":"A"} {"kind":"B"}\n---\nkind: C\n')).toEqual(['json@1:{"kind":"A"}', 'json@1:{"kind":"B"}', '<stop at 2>']);
  });

  test('a document larger than the limit is reported by its first line, and the stream goes on after it', () => {
    expect(splitAnyChunks(`kind: A\n---\nkind: Big\ndata: ${'x'.repeat(100)}\n---\nkind: C\n`, 50)).toEqual(['yaml@1:kind: A\n', '<too large at 3>', 'yaml@6:kind: C\n']);
  });
});

describe('kubectlObjects: the objects kubectl makes of a document', () => {
  test('an object with a kind is one object; null is none', () => {
    expect(kubectlObjects({ kind: 'Pod' })).toEqual({ objects: [{ manifest: { kind: 'Pod' }, path: [] }] });
    expect(kubectlObjects(null)).toEqual({ objects: [] });
  });

  test('any object with "items" is a list, whatever its kind; its items without kind and apiVersion take the list\'s', () => {
    // WHEN
    const found = kubectlObjects({ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'a' } }, { kind: 'Secret' }, null] });

    // THEN
    expect(found).toEqual({
      objects: [
        { manifest: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } }, path: ['items', 0] },
        { manifest: { kind: 'Secret' }, path: ['items', 1] },
        { manifest: { apiVersion: 'v1', kind: 'Pod' }, path: ['items', 2] },
      ],
    });
    expect(kubectlObjects({ kind: 'Deployment', items: [] })).toEqual({ objects: [] });
    expect(kubectlObjects({ kind: 'whatever', items: null })).toEqual({ objects: [] });
  });

  test.each([
    [[], ''],
    ['text', ''],
    [{ metadata: {} }, ''],
    [{ kind: 'List', items: {} }, 'items'],
    [{ kind: 'List', items: ['x'] }, 'items.0'],
    [{ kind: 'List', items: [{ kind: 'List', items: [] }] }, 'items.0'],
    [{ items: [] }, ''],
  ])('refuses %j, at %j', (value, where) => {
    const found = kubectlObjects(value);
    expect(found).toEqual({ error: expect.any(String), path: where === '' ? [] : where.split('.').map(s => /^\d+$/.test(s) ? Number(s) : s) });
  });
});

describe('readDocument: JSON values as Go reads them', () => {
  test('a name given twice keeps its last value, and lines are those of the value kept', () => {
    // WHEN
    const read = readDocument({ text: '{"a": {"b": [1,\n {"c": 2}]},\n "a": {"b": [\n\n{}]}}', json: true }) as any;

    // THEN
    expect(read.value).toEqual({ a: { b: [{}] } });
    expect([read.line([]), read.line(['a']), read.line(['a', 'b', 0]), read.line(['a', 'b', 0, 'x'])]).toEqual([1, 3, 5, 5]);
  });
});

describe('KubectlSplitter told which chunks are ASCII', () => {
  test('gives every document the same place as when it measures each UTF-8 length', () => {
    // GIVEN documents with and without multi-byte characters, cut in chunks of every size up to 7
    const text = ['a: x\n', 'b: é€𝄞\n', 'c: yyyy\n', 'd: 𝄞\n', 'e: zz\n'].join('---\n');
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length;) {
        // never between the two halves of a surrogate pair, as a decoder never cuts there
        let end = Math.min(text.length, i + size);
        end += /[\uD800-\uDBFF]/.test(text[end - 1] ?? '') ? 1 : 0;
        chunks.push(text.slice(i, end));
        i = end;
      }
      // WHEN split with the ASCII chunks said to be so, and with none
      const places = (told: boolean) => {
        const splitter = new KubectlSplitter();
        const parts = [...chunks.flatMap(c => splitter.push(c, told && /^[\x00-\x7f]*$/.test(c))), ...splitter.end()];
        return parts.map(p => 'text' in p ? [p.offset, p.bytes, p.line] : p);
      };

      // THEN the byte offsets and lengths agree, and match the bytes
      expect(places(true)).toEqual(places(false));
      expect(places(true).map(p => (p as number[])[0])).toEqual([0, 9, 26, 38, 50]);
    }
  });
});

describe('KubectlSplitter on documents longer than many chunks', () => {
  test('gives the documents and places of the whole text, wherever the chunks cut it', () => {
    // GIVEN long documents, separators with comments, a "---" line cut by a chunk, CRLF lines and a too-long separator line
    const long = (c: string) => `a:\n${`  - ${c.repeat(60)}\n`.repeat(3000)}`;
    const text = [long('x'), `${long('y')}`, 'b: 1\n', long('z')].join('--- # next\n') + '---\r\nc: 2\r\n';
    const whole = (() => {
      const splitter = new KubectlSplitter();
      return [...splitter.push(text, true), ...splitter.end()];
    })();
    expect(whole.filter(p => 'text' in p)).toHaveLength(5);
    const separators = [...text.matchAll(/\n---/g)].map(m => m.index!);
    const cuts = [
      ...[1000, 65536 + 3, 190001].map(size => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => i * size)),
      // a cut at each place in and around each separator, and after its line
      ...separators.flatMap(at => [-2, -1, 0, 1, 2, 3, 4, 6, 11]
        .map(k => [...Array.from({ length: 40 }, (_, i) => i * 5000).filter(c => c < at), at + k])),
    ];
    for (const starts of cuts) {
      // WHEN the text comes in chunks that start there
      const splitter = new KubectlSplitter();
      const parts: StreamPart[] = [];
      const bounds = [...new Set([0, ...starts, text.length])].sort((x, y) => x - y);
      for (let i = 0; i + 1 < bounds.length; i++) {
        parts.push(...splitter.push(text.slice(bounds[i], bounds[i + 1]), true));
      }
      parts.push(...splitter.end());

      // THEN the same parts, with the same texts, lines and byte places
      expect(parts).toEqual(whole);
    }
  });

  test('finds a separator that comes one character per chunk after a long document, as a pipe may hand it', () => {
    // GIVEN a document longer than 64 KB, then "---" and another document
    const text = `a:\n${'  - x\n'.repeat(12000)}---\nb: 1\n`;
    const whole = (() => {
      const splitter = new KubectlSplitter();
      return [...splitter.push(text, true), ...splitter.end()];
    })();
    expect(whole.map(p => 'text' in p && p.text.slice(0, 4))).toEqual(['a:\n ', 'b: 1']);

    // WHEN the text comes in chunks of 1 and 2 characters
    for (const size of [1, 2]) {
      const splitter = new KubectlSplitter();
      const parts: StreamPart[] = [];
      for (let i = 0; i < text.length; i += size) {
        parts.push(...splitter.push(text.slice(i, i + size), true));
      }
      parts.push(...splitter.end());

      // THEN the same two documents, not one that holds the separator
      expect(parts).toEqual(whole);
    }
  });

  test('a "---" line with more after it, longer than what the limit leaves, stops the stream after the document before it', () => {
    // GIVEN a document of 40,000 characters, then a "---" line with 20,000 more, under a limit of 50,000
    const text = `a: ${'x'.repeat(40_000)}\n--- ${'y'.repeat(20_000)}\nb: 1\n`;
    const splitIn = (size: number) => {
      const splitter = new KubectlSplitter(50_000);
      const parts: StreamPart[] = [];
      for (let i = 0; i < text.length; i += size) {
        parts.push(...splitter.push(text.slice(i, i + size), true));
      }
      return [...parts, ...splitter.end()];
    };

    // WHEN split whole, and in chunks of 1,000 characters
    const whole = splitIn(text.length);

    // THEN the document, then where kubectl stops; not a document too large
    expect(whole.map(p => Object.keys(p).includes('streamError') ? 'stop' : 'text' in p ? 'text' : 'too large')).toEqual(['text', 'stop']);
    expect(splitIn(1000)).toEqual(whole);
  });

  test('stops at a separator line with more after it, as kubectl does, in a long document too', () => {
    const text = `a:\n${'  - x\n'.repeat(40000)}--- b: 1\nc: 2\n`;
    const splitter = new KubectlSplitter();
    const parts: StreamPart[] = [];
    for (let i = 0; i < text.length; i += 7000) {
      parts.push(...splitter.push(text.slice(i, i + 7000), true));
    }
    parts.push(...splitter.end());
    expect(parts.map(p => Object.keys(p).includes('streamError') ? 'error' : 'text')).toEqual(['text', 'error']);
  });
});

describe('KubectlSplitter on a stream of JSON values in chunks', () => {
  test('gives the values of the whole text for chunks of every size, strings with brackets, quotes and escapes included', () => {
    // GIVEN JSON values whose strings hold brackets, escaped quotes and a backslash at their end
    const text = '{"a": "}{", "b": ["x\\\\"]}\n[{"c": "q\\"}"}, 1]\n{"d": {"e": "\\\\\\\\"}}\n';
    const splitIn = (size: number) => {
      const splitter = new KubectlSplitter();
      const parts: StreamPart[] = [];
      for (let i = 0; i < text.length; i += size) {
        parts.push(...splitter.push(text.slice(i, i + size), true));
      }
      return [...parts, ...splitter.end()];
    };
    const whole = splitIn(text.length);
    expect(whole.map(p => 'text' in p && JSON.parse(p.text))).toEqual([{ a: '}{', b: ['x\\'] }, [{ c: 'q"}' }, 1], { d: { e: '\\\\' } }]);

    // WHEN cut in chunks of 1 to 12 characters THEN the same parts
    for (let size = 1; size <= 12; size++) {
      expect(splitIn(size)).toEqual(whole);
    }
  });
});

describe('KubectlSplitter in chunks of any size', () => {
  // separators, CRLF, JSON values and strings, multi-byte text, and lines long enough to be held
  const piece = fc.oneof(
    fc.constantFrom('---\n', '--- # c\n', '---\r\n', '\n', '\r\n', 'kind: A\n', '---', '--', '-', '\n---', 'é', '𝄞', '{"a":1}',
      '{"kind":"B"}\n', '"x\\"', '...\n', '--- x\n', ' ', '#', '{', '}', '[', ']', '"', '\\', '{"k":"', '"}', ','),
    fc.integer({ min: 1, max: 3000 }).map(n => 'a'.repeat(n)),
    fc.integer({ min: 1, max: 70_000 }).map(n => `\nb: ${'x'.repeat(n)}\n`),
    fc.integer({ min: 1, max: 2000 }).map(n => `\n${'é'.repeat(n)}`),
  );

  test('gives the parts of the whole text, told which chunks are ASCII or not', () => {
    // chunk sizes in turn: any, or one large and a few of 1 to 3 characters, as a pipe may hand them
    const sizes = fc.oneof(fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 5 }),
      fc.tuple(fc.integer({ min: 1000, max: 70_000 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }))
        .map(([big, small]) => [big, ...small]));
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), fc.boolean(), sizes,
      fc.constantFrom(16 * 1024 * 1024, 100_000, 50_000), fc.boolean(), fc.boolean(), (pieces, json, cuts, max, told, seams) => {
        // GIVEN a YAML stream, or a JSON one that may go on in YAML
        const text = (json ? '{"x":1}' : '') + pieces.join('');
        const parts = (cut: (at: number, k: number) => number) => {
          const splitter = new KubectlSplitter(max);
          const out: StreamPart[] = [];
          for (let i = 0, k = 0; i < text.length; k++) {
            // never between the halves of a surrogate pair, as a decoder never cuts there
            let end = Math.min(text.length, cut(i, k));
            end += /[\uD800-\uDBFF]/.test(text[end - 1] ?? '') ? 1 : 0;
            const chunk = text.slice(i, end);
            out.push(...splitter.push(chunk, told && /^[\x00-\x7f]*$/.test(chunk)));
            i = end;
          }
          return [...out, ...splitter.end()];
        };

        // WHEN pushed whole, and in chunks of the drawn sizes
        const whole = parts(() => text.length);
        // with `seams`, one character at a time around each separator, as a pipe may hand them
        const near = [...text.matchAll(/\n---/g)].flatMap(m => Array.from({ length: 10 }, (_, d) => m.index! - 4 + d));
        const cut = parts((i, k) => {
          const next = seams ? near.find(at => at >= i) : undefined;
          return next === undefined ? i + cuts[k % cuts.length] : Math.min(Math.max(next, i + 1), i + cuts[k % cuts.length]);
        });

        // THEN the same parts
        expect(cut).toEqual(whole);
      }), { numRuns: propertyRuns(1000), seed: 20261210 });
  }, 60_000);
});
