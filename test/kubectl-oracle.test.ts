// `check` reads a file as kubectl reads it: the objects it checks are the objects kubectl makes, or it
// refuses the file where kubectl does. The oracle is kubectl itself (`kubectl annotate --local`, the same
// reader and list flattening as apply), run for real on every case.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { kubectlClientMinor, kubectlReadObjects } from './support/kubectl';
import { checkManifests } from '../src/cli/manifest-check';

const TIMEOUT = 60_000;

const POD = (name: string, image: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: ${image}\n`;
const THING = 'apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\n';

/**
 * Each case is a file as a user or an attacker might write it. Where kubectl 1.32 (the one installed)
 * and the supported releases differ, the case is in the next describe instead.
 */
const CASES: Array<[string, string | Buffer]> = [
  ['a merge key after the image overrides it (go-yaml applies keys in document order)',
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - &base {name: c, image: gitlab.example.com/app:1}\n  - image: ghcr.io/team/app:1\n    <<: *base\n    name: d\n'],
  ['a merge key before the image is overridden by it', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - &base {name: c, image: a:1}\n  - <<: *base\n    image: b:1\n    name: d\n'],
  ['a list of merges: the first mapping wins', `${THING}spec:\n  a: &a {k: 1, x: 1}\n  b: &b {k: 2, y: 2}\n  c:\n    k: 0\n    <<: [*a, *b]\n`],
  ['an object with items and a lowercase kind is a list', `apiVersion: v1\nkind: list\nitems:\n- ${POD('a', 'nginx:1').replace(/\n/g, '\n  ').trimEnd()}\n`],
  ['an object with items and any kind is a list', `apiVersion: v1\nkind: PodLists\nitems:\n- ${POD('a', 'nginx:1').replace(/\n/g, '\n  ').trimEnd()}\n`],
  ['a PodList\'s items without kind and apiVersion are Pods', 'apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n  spec: {containers: [{name: c, image: "x:1"}]}\n'],
  ['a Deployment with a stray empty items is a list of nothing', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nitems: []\n---\n' + POD('after', 'nginx:1')],
  ['items: null is a list of nothing', `${THING}items: null\n---\n${POD('after', 'nginx:1')}`],
  ['an item whose items are an array is refused', `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - ${POD('deep', 'nginx:1').replace(/\n/g, '\n    ').trimEnd()}\n`],
  ['two concatenated JSON objects are two objects', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"containers":[{"name":"c","image":"x:1"}]}}'
    + '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"},"spec":{"containers":[{"name":"c","image":"y:1"}]}}'],
  ['JSON objects one per line, after leading space', '  \n{"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"a"},"spec":{"x":[1,\n2]}}\n{"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"b"},"spec":{"x":"no"}}\n'],
  ['a JSON object whose keys are given twice keeps the last', '{"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"a"},"spec":{"x":1,"x":2}}'],
  ['YAML 1.1 scalars', `${THING}spec: {a: no, b: yes, c: on, d: off, e: y, f: n, g: 0755, h: 0x1F, i: 1_000, j: 1e3, k: 1e400, l: 08, m: 2001-12-14, n: ~, o: NULL, p: yEs, q: .5, r: +5, s: 0b101}\n`],
  ['YAML 1.1 keys', `${THING}spec: {keys: {y: 1, 0x10: 3, 1.5: 4, 1e6: 5, 0.1: 6, 3.14159265358979: 7, 123456789: 8, n: 9}}\n`],
  ['YAML 1.1 keys in a document with a merge key', `${THING}spec: {<<: {}, keys: {y: 1, 0x10: 3, 1.5: 4, 1e6: 5, 0.1: 6, 3.14159265358979: 7, 123456789: 8, n: 9}}\n`],
  ['an unquoted "no" as a pull secret name is false', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\nstringData: {a: no}\n'],
  ['a key given twice keeps its last value', `${THING}spec:\n  image: a:1\n  image: b:1\n`],
  ['content after "..." is not read, even when it is not YAML', `${POD('a', 'nginx:1')}...\n${POD('b', 'evil:1')}kind: [\n---\n${POD('c', 'nginx:1')}`],
  ['a "--- # comment" line splits, and a block scalar\'s indented "---" does not', `${THING}spec:\n  script: |\n    ---\n    ...\n--- # next\n${POD('b', 'nginx:1')}`],
  ['empty documents, comments only, and null hold no object', `---\n---\n# only a comment\n---\nnull\n---\n~\n---\n${POD('a', 'nginx:1')}`],
  ['CRLF line ends', POD('a', 'nginx:1').replace(/\n/g, '\r\n') + '---\r\n' + POD('b', 'nginx:2').replace(/\n/g, '\r\n')],
  ['tags: !!binary, !!str, a local tag, !!int on a quoted value', `${THING}spec: {a: !!binary aGk=, b: !!str yes, c: !foo 12, d: !!int "12", e: !!float 1}\n`],
  ['an alias of a sequence and anchors reused', `${THING}spec:\n  a: &x [1, 2]\n  b: *x\n  c: &x [3]\n  d: *x\n`],
  // refused by both
  ['a %YAML directive', `%YAML 1.1\n---\n${POD('a', 'nginx:1')}`],
  ['a %YAML 1.2 directive', `%YAML 1.2\n---\n${POD('a', 'nginx:1')}`],
  ['a document that is only []', `[]\n---\n${POD('a', 'nginx:1')}`],
  ['a document that is a string', 'just text\n'],
  ['a "---" line with content after it', `${POD('a', 'nginx:1')}--- |\n  text\n`],
  ['a "----" line', `${POD('a', 'nginx:1')}----\n${POD('b', 'nginx:1')}`],
  ['an object without kind', 'apiVersion: v1\nmetadata:\n  name: a\n'],
  ['a list whose items are an object', `${THING}items: {a: 1}\n`],
  ['a list with an item that is a string', 'apiVersion: v1\nkind: List\nitems:\n- hello\n'],
  ['NaN', `${THING}spec: {a: .nan}\n`],
  ['a value tagged with a type it is not', `${THING}spec: {a: !!int x}\n`],
  // kubectl decodes a file as UTF-8 first, each invalid sequence one U+FFFD (cli-runtime FileVisitor)
  ['bytes that are not UTF-8, in YAML and in JSON', Buffer.concat([Buffer.from(`${THING}spec: {a: "`), Buffer.from([0xe2, 0x82]), Buffer.from('", b: x'),
    Buffer.from([0xff, 0xfe]), Buffer.from('y, c: "'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}\n')])],
  ['bytes that are not UTF-8 in JSON', Buffer.concat([Buffer.from('{"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t"},"spec":{"a":"'),
    Buffer.from([0xe2, 0x82, 0x41, 0xff]), Buffer.from('"}}')])],
  ['a UTF-8 byte order mark before JSON', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t"}}{"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"u"}}')])],
  ['UTF-16 with a byte order mark, little-endian', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${POD('a', 'nginx:1')}---\n${POD('b', 'gitlab.example.com/é:1')}`, 'utf16le')])],
  ['UTF-16 with a byte order mark, big-endian', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(`${POD('a', 'nginx:1')}---\n${POD('b', 'gitlab.example.com/é:1')}`, 'utf16le').swap16()])],
];

/**
 * The cases whose rule kubectl 1.22 brought (apimachinery v0.22 YAMLReader: content after "---" stops the
 * file, a comment after it splits). Debian's kubernetes-client is 1.20: there these are checked against
 * the rule itself, every other case against kubectl.
 */
const SINCE_1_22: ReadonlyMap<string, boolean> = new Map([
  ['a "--- # comment" line splits, and a block scalar\'s indented "---" does not', true],
  ['a "---" line with content after it', false],
  ['a "----" line', false],
]);

/** what `check` reads: the objects handed to its collector, or its input errors */
async function checkReads(file: string): Promise<{ objects: any[] } | { error: string }> {
  const objects: any[] = [];
  const result = await checkManifests([{ name: file, path: file }], {
    publicRegistries: ['*'],
    collector: { add: manifest => objects.push(JSON.parse(JSON.stringify(manifest))), finish: () => undefined },
    settings: { privateRegistries: '', publicRegistry: r => r, existingSecret: r => r },
  });
  return result.errors.length > 0 ? { error: result.errors.map(e => `${e.line}: ${e.reason}`).join('; ') } : { objects };
}

describe('check reads the objects kubectl reads (kubectl annotate --local as the oracle)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-oracle-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(CASES)('%s', async (name, content) => {
    // GIVEN
    const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.yaml`);
    fs.writeFileSync(file, content);

    // WHEN
    const ours = await checkReads(file);
    if (SINCE_1_22.has(name) && kubectlClientMinor() < 22) {
      expect('objects' in ours).toBe(SINCE_1_22.get(name));
      return;
    }
    const kubectl = kubectlReadObjects(file);

    // THEN: the same objects, or both refuse
    if ('error' in kubectl) {
      expect(ours).toEqual({ error: expect.any(String) });
    } else {
      expect(ours).toEqual(kubectl);
    }
  }, TIMEOUT);
});

describe('what kubectl 1.33 and later read differently from kubectl 1.32', () => {
  test('a JSON object followed by YAML: the first is JSON, the rest YAML (apimachinery v0.33 YAMLOrJSONDecoder)', async () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-oracle-'));
    const file = path.join(dir, 'mixed.yaml');
    fs.writeFileSync(file, '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n');

    try {
      // WHEN
      const ours = await checkReads(file);

      // THEN
      expect(ours).toEqual({ objects: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' } }] });
      // kubectl 1.32 and older refuse the file, so nothing they read is missed; 1.33 reads it as we do
      expect(kubectlReadObjects(file)).toEqual(kubectlClientMinor() >= 33 ? ours : { error: expect.stringMatching(/json|invalid character/i) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, TIMEOUT);
});
