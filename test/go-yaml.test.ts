import { ReadDocument, readYamlDocument, resolvePlain } from '../src/rules/go-yaml';

/** the value of a document that must be readable */
function read(text: string): ReadDocument {
  const result = readYamlDocument(text);
  if (!('value' in result)) {
    throw new Error(`unreadable: ${JSON.stringify(result)}`);
  }
  return result;
}

function refusal(text: string): string {
  const result = readYamlDocument(text);
  if ('value' in result) {
    throw new Error(`read as ${JSON.stringify(result.value)}`);
  }
  return result.reason;
}

describe('resolvePlain: a plain scalar as go-yaml v2 resolve.go reads it (YAML 1.1)', () => {
  test.each([
    ['yes', true], ['Yes', true], ['YES', true], ['y', true], ['Y', true], ['on', true], ['On', true], ['ON', true],
    ['true', true], ['True', true], ['TRUE', true],
    ['no', false], ['No', false], ['NO', false], ['n', false], ['N', false], ['off', false], ['Off', false], ['OFF', false],
    ['false', false], ['False', false], ['FALSE', false],
    ['~', null], ['null', null], ['Null', null], ['NULL', null], ['', null],
  ])('%j is %j', (text, value) => {
    expect(resolvePlain(text)).toBe(value);
  });

  test.each([
    // mixed case is not in the table: a string
    ['yEs', 'yEs'], ['nO', 'nO'], ['oN', 'oN'], ['tRUE', 'tRUE'], ['nULL', 'nULL'],
    // numbers by Go's strconv.ParseInt(s, 0, 64): a leading 0 is octal, underscores are dropped first
    ['0755', 493], ['0o17', 15], ['0x1F', 31], ['0X1f', 31], ['0b101', 5], ['-0b11', -3], ['+5', 5], ['-0', 0], ['1_000', 1000],
    // not an octal, but a float by YAML 1.1's float pattern
    ['08', 8], ['1.', 1], ['1e3', 1000], ['.5', 0.5], ['-1.5e-3', -0.0015],
    // past int64 and uint64, a float
    ['18446744073709551616', 18446744073709551616],
    // ParseFloat overflows: the scalar stays a string
    ['1e400', '1e400'], ['-1e400', '-1e400'],
    // timestamps stay strings when decoded into an interface
    ['2001-12-14', '2001-12-14'], ['2001-12-14t21:59:43.10-05:00', '2001-12-14t21:59:43.10-05:00'],
    // neither
    ['.', '.'], ['-', '-'], ['0x', '0x'], ['1_', 1], ['_1', '_1'], ['1e', '1e'], ['v1', 'v1'], ['nginx', 'nginx'], ['<<', '<<'],
  ])('%j is %j', (text, value) => {
    expect(resolvePlain(text)).toEqual(value);
  });
});

describe('readYamlDocument: one document as kubectl decodes it', () => {
  test('a merge key written after a key overwrites it, and a key after the merge overwrites the merge (document order)', () => {
    // GIVEN
    const text = 'base: &base {image: gitlab.example.com/app:1, name: c}\n'
      + 'before: {image: ghcr.io/other:1, <<: *base}\n'
      + 'after: {<<: *base, image: ghcr.io/other:1}\n';

    // WHEN
    const { value } = read(text) as any;

    // THEN
    expect(value.before).toEqual({ image: 'gitlab.example.com/app:1', name: 'c' });
    expect(value.after).toEqual({ image: 'ghcr.io/other:1', name: 'c' });
  });

  test('in a list of merges the first mapping wins; each merge key overwrites what came before, even another merge', () => {
    // WHEN
    const { value } = read('a: &a {k: 1}\nz:\n  k: 0\n  <<: [*a, {k: 3, j: 4}]\n  <<: {j: 5}\n') as any;

    // THEN
    expect(value.z).toEqual({ k: 1, j: 5 });
  });

  test('a quoted "<<" is a plain key, not a merge', () => {
    expect((read('a: {"<<": {k: 1}, j: 2}\n').value as any).a).toEqual({ '<<': { k: 1 }, 'j': 2 });
  });

  test('a key given twice keeps its last value, with or without a merge key in the document', () => {
    expect(read('name: a\nname: b\n').value).toEqual({ name: 'b' });
    expect(read('name: a\n<<: {x: 1}\nname: b\n').value).toEqual({ name: 'b', x: 1 });
  });

  test('keys resolve too, and become JSON strings as sigs.k8s.io/yaml writes them', () => {
    expect(read('y: 1\nno: 2\n0x10: 3\n1.5: 4\n').value).toEqual({ true: 1, false: 2, 16: 3, 1.5: 4 });
    expect(read('<<: {}\n1e6: a\n0.1: b\n').value).toEqual({ '1e+06': 'a', '0.1': 'b' });
  });

  test('explicit tags: !!str keeps the text, !!binary is base64, an unknown tag changes nothing', () => {
    expect(read('a: !!str yes\nb: !!binary aGk=\nc: !foo 12\nd: !!int "12"\ne: !!float 1\nf: !custom {k: no}\n').value)
      .toEqual({ a: 'yes', b: 'hi', c: '12', d: 12, e: 1, f: { k: false } });
  });

  test('refuses what kubectl refuses: a tag its value is not, NaN or infinity, a null key, a directive', () => {
    expect(refusal('a: !!int x\n')).toBe('a value tagged !!int is not one');
    expect(refusal('replicas: .nan\n')).toBe('a value is NaN or infinite, which kubectl cannot write as JSON');
    expect(refusal('a: -.inf\n')).toBe('a value is NaN or infinite, which kubectl cannot write as JSON');
    expect(refusal('<<: {}\n~: a\n')).toBe('a mapping has a null key, which kubectl cannot write as JSON');
    expect(refusal('<<: {}\n[a]: b\n')).toMatch(/^the document is not valid YAML|a mapping has a mapping or a sequence as a key/);
    expect(refusal('# comment\n%YAML 1.1\n')).toMatch(/^a %YAML or %TAG directive/);
  });

  test('reads only the first document: what follows a "..." line is never read, even when it is not YAML', () => {
    expect(read('kind: A\n...\nkind: B\n').value).toEqual({ kind: 'A' });
    expect(read('kind: A\n... # end\n{[\n').value).toEqual({ kind: 'A' });
    expect(read('script: |\n  ...\n  x\n').value).toEqual({ script: '...\nx\n' });
  });

  test('gives each mapping and sequence the line where its content starts, and a scalar its parent\'s', () => {
    // GIVEN
    const text = 'a: 1\nspec:\n  containers:\n  - name: c\n    image: x\n  -\n    name: d\n';

    // WHEN
    const doc = read(text);
    const merged = read(`<<: {}\n${text}`);

    // THEN
    expect([doc.line([]), doc.line(['spec']), doc.line(['spec', 'containers']), doc.line(['spec', 'containers', 0]),
      doc.line(['spec', 'containers', 1]), doc.line(['spec', 'containers', 0, 'image']), doc.line(['nothing', 'here'])]).toEqual([1, 3, 4, 4, 7, 4, 1]);
    // the reader of documents with merge keys agrees, one line further down
    expect([merged.line(['spec']), merged.line(['spec', 'containers', 0]), merged.line(['spec', 'containers', 1])]).toEqual([4, 5, 8]);
  });

  test('refuses a billion laughs in either reader, and a document nested deeper than 1,000 levels', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) {
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    }
    expect(refusal(levels.join('\n'))).toMatch(/^the alias expansion is too large/);
    expect(refusal(`<<: {}\n${levels.join('\n')}`)).toMatch(/^the alias expansion is too large/);
    expect(refusal(`a: ${'['.repeat(1100)}${']'.repeat(1100)}\n`)).toBe('the document nests deeper than 1000 levels');
  });

  test('an error names the kind of problem and its place, never the text, which may hold a password', () => {
    // WHEN
    const result = readYamlDocument('password: "s3cret\nkind: Pod\n*s3cret: x\n');

    // THEN
    expect(result).toEqual({ line: expect.any(Number), column: expect.any(Number), reason: expect.stringMatching(/^the document is not valid YAML/) });
    expect(JSON.stringify(result)).not.toContain('s3cret');
    expect(JSON.stringify(readYamlDocument('a: *s3cret\n'))).not.toContain('s3cret');
    expect(JSON.stringify(readYamlDocument('a: !<s3cret> [x]\n'))).not.toContain('s3cret');
  });
});
