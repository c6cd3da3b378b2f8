// check reads a file as `kubectl apply` applies it: all together. So, for inputs that define each
// Secret and ServiceAccount once, its answer cannot depend on the order of the documents, nor on
// whether a waiting pod's objects are kept or read again. fast-check draws pods, ServiceAccounts,
// pull secrets and the existing-pull-secrets annotation over a few namespaces, in any order.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { propertyRuns } from './support/property-runs';
import { checkManifests } from '../src/cli/manifest-check';
import { PullSecretInfo } from '../src/rules/pod-spec';

/** the namespaces drawn from; the last is none, which only the second property draws */
const NAMESPACES: Array<string | undefined> = ['a', 'b', undefined];
const SECRETS = ['regcred', 'gitlab', 'ghcr'];
const ACCOUNTS = ['default', 'builder'];
const SERVERS = ['registry.gitlab.com', 'ghcr.io'];
const IMAGES = ['registry.gitlab.com/team/web:v1', 'ghcr.io/team/api:v2', 'docker.io/library/nginx:1.25'];

type Doc =
  | { kind: 'Pod'; namespace: number; secrets?: number[]; account: number; images: number[]; annotation?: number }
  | { kind: 'ServiceAccount'; namespace: number; name: number; secrets: number[] }
  | { kind: 'Secret'; namespace: number; name: number; server: number };

const index = fc.nat({ max: 5 });
const docsIn = (namespace: fc.Arbitrary<number>): fc.Arbitrary<Doc> => fc.oneof(
  fc.record({
    kind: fc.constant('Pod' as const),
    namespace,
    secrets: fc.option(fc.array(index, { maxLength: 2 }), { nil: undefined }),
    account: index,
    images: fc.array(index, { minLength: 1, maxLength: 2 }),
    annotation: fc.option(index, { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('ServiceAccount' as const), namespace, name: index, secrets: fc.array(index, { maxLength: 2 }) }),
  fc.record({ kind: fc.constant('Secret' as const), namespace, name: index, server: index }),
);

const at = <T>(list: readonly T[], i: number): T => list[i % list.length];

/** what the third property adds: Secrets of other types or unreadable, and ExternalSecrets that make pull secrets */
type MoreDoc = Doc
  | { kind: 'OtherSecret'; namespace: number; name: number; invalid: boolean }
  | { kind: 'ExternalSecret'; namespace: number; name: number; server: number };
const moreDocsIn = (namespace: fc.Arbitrary<number>): fc.Arbitrary<MoreDoc> => fc.oneof(
  docsIn(namespace),
  fc.record({ kind: fc.constant('OtherSecret' as const), namespace, name: index, invalid: fc.boolean() }),
  fc.record({ kind: fc.constant('ExternalSecret' as const), namespace, name: index, server: index }),
);

const ns = (namespace: string | undefined) => namespace === undefined ? '' : `, namespace: ${namespace}`;

function yaml(doc: Doc, i: number): string {
  const namespace = at(NAMESPACES, doc.namespace);
  if (doc.kind === 'Secret') {
    const config = Buffer.from(JSON.stringify({ auths: { [at(SERVERS, doc.server)]: { auth: 'dTpw' } } })).toString('base64');
    return `apiVersion: v1\nkind: Secret\nmetadata: {name: ${at(SECRETS, doc.name)}${ns(namespace)}}\n`
      + `type: kubernetes.io/dockerconfigjson\ndata: {.dockerconfigjson: ${config}}\n`;
  }
  if (doc.kind === 'ServiceAccount') {
    return `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${at(ACCOUNTS, doc.name)}${ns(namespace)}}\n`
      + `imagePullSecrets: [${doc.secrets.map(s => `{name: ${at(SECRETS, s)}}`).join(', ')}]\n`;
  }
  // every declaration of a secret gives it the same servers: two that differ are two definitions
  const annotation = doc.annotation === undefined ? ''
    : `\n  annotations: {cdk8s-private-registry/existing-pull-secrets: '{"${at(SECRETS, doc.annotation)}":["${at(SERVERS, doc.annotation % SECRETS.length)}"]}'}`;
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-${i}${namespace === undefined ? '' : `\n  namespace: ${namespace}`}${annotation}\nspec:\n`
    + `  serviceAccountName: ${at(ACCOUNTS, doc.account)}\n`
    + (doc.secrets ? `  imagePullSecrets: [${doc.secrets.map(s => `{name: ${at(SECRETS, s)}}`).join(', ')}]\n` : '')
    + `  containers: [${doc.images.map((m, c) => `{name: c${c}, image: "${at(IMAGES, m)}", imagePullPolicy: IfNotPresent}`).join(', ')}]\n`;
}

/** `doc` as YAML, the third property's kinds included */
function moreYaml(doc: MoreDoc, i: number): string {
  const namespace = at(NAMESPACES, doc.namespace);
  if (doc.kind === 'OtherSecret') {
    // an Opaque secret, or a pull secret the kubelet cannot read
    return `apiVersion: v1\nkind: Secret\nmetadata: {name: ${at(SECRETS, doc.name)}${ns(namespace)}}\n`
      + (doc.invalid ? 'type: kubernetes.io/dockerconfigjson\ndata: {.dockerconfigjson: bm90IGpzb24=}\n' : 'type: Opaque\ndata: {x: eA==}\n');
  }
  if (doc.kind === 'ExternalSecret') {
    const config = `'{"auths":{"${at(SERVERS, doc.server)}":{"auth":"{{ .auth }}"}}}'`;
    return `apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: es-${i}${ns(namespace)}}\nspec:\n`
      + '  secretStoreRef: {name: vault, kind: ClusterSecretStore}\n  dataFrom: [{extract: {key: registry}}]\n'
      + `  target:\n    name: ${at(SECRETS, doc.name)}\n    template:\n      type: kubernetes.io/dockerconfigjson\n`
      + `      data: {.dockerconfigjson: ${config}}\n`;
  }
  return yaml(doc, i);
}

/** one definition of each Secret and ServiceAccount: the last drawn */
function unique<D extends MoreDoc>(docs: D[]): D[] {
  const seen = new Set<string>();
  return docs.reverse().filter(d => {
    if (d.kind === 'Pod') {
      return true;
    }
    // a Secret, of any type, and the one an ExternalSecret makes are all the Secret of that name
    const key = d.kind === 'ServiceAccount' ? `ServiceAccount/${at(NAMESPACES, d.namespace)}/${at(ACCOUNTS, d.name)}`
      : `Secret/${at(NAMESPACES, d.namespace)}/${at(SECRETS, d.name)}`;
    return !seen.has(key) && seen.add(key);
  }).reverse();
}

/** 300 cases take 2 s alone, and 15 s in CI beside the other suites with coverage */
const TIMEOUT = 120_000;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-property-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * the violations of `texts`, in one file, each without its line (which moves with the order), and
 * with its words unless `words` is false
 */
async function verdict(texts: string[], maxKeptBytes?: number, words = true, existingSecrets?: PullSecretInfo[]): Promise<string[]> {
  return verdictOf([texts], maxKeptBytes, words, existingSecrets);
}

/** `verdict` of documents in several files, read in this order */
async function verdictOf(files: string[][], maxKeptBytes?: number, words = true, existingSecrets?: PullSecretInfo[]): Promise<string[]> {
  // a directory of its own for each call: a test that timed out may still be writing into its own
  const place = fs.mkdtempSync(path.join(dir, 'call-'));
  const sources = files.map((texts, f) => {
    const file = path.join(place, `input-${f}.yaml`);
    fs.writeFileSync(file, texts.join('---\n'));
    return { name: `input-${f}.yaml`, path: file };
  });
  const result = await checkManifests(sources, {
    publicRegistries: ['docker.io'],
    existingSecrets,
    maxKeptBytes,
    settings: { privateRegistries: '--private-registry', publicRegistry: r => `--public-registry ${r}`, existingSecret: r => `--existing-secret NAME=${r}` },
  });
  expect(result.errors).toEqual([]);
  return result.violations.map(v => `${v.object} ${v.path} [${v.rule}]${words ? ` ${v.message}; ${v.fix}` : ''}`).sort();
}

/** the same documents in another order */
function shuffle<T>(texts: T[], picks: fc.Stream<number>): T[] {
  const shuffled = [...texts];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = picks.next().value % (i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return shuffled;
}

describe('check answers as kubectl applies: all together', () => {
  test('the violations, words and all, do not depend on the order of the documents, nor on keeping waiting objects', async () => {
    const drawn = fc.array(docsIn(fc.nat({ max: 1 })), { minLength: 1, maxLength: 8 });
    await fc.assert(fc.asyncProperty(drawn, fc.infiniteStream(fc.nat()), async (docs, picks) => {
      // GIVEN documents in two namespaces with one definition of each name, as written
      const texts = unique(docs).map((d, i) => yaml(d, i));
      const expected = await verdict(texts);

      // WHEN they come in another order, and with no objects kept
      const shuffled = shuffle(texts, picks);

      // THEN the same violations
      expect(await verdict(shuffled)).toEqual(expected);
      expect(await verdict(shuffled, 0)).toEqual(expected);
    }), { numRuns: propertyRuns(300), seed: 20261207 });
  }, TIMEOUT);

  test('with objects and secrets without a namespace too, the same objects break the same rules in any order', async () => {
    // a pod told of a same-named secret of another namespace is told of the first namespace read that writes one
    await fc.assert(fc.asyncProperty(fc.array(docsIn(index), { minLength: 1, maxLength: 8 }), fc.infiniteStream(fc.nat()), async (drawn, picks) => {
      const texts = unique(drawn).map((d, i) => yaml(d, i));
      const expected = await verdict(texts, undefined, false);
      const shuffled = shuffle(texts, picks);
      expect(await verdict(shuffled, undefined, false)).toEqual(expected);
      expect(await verdict(shuffled, 0, false)).toEqual(expected);
    }), { numRuns: propertyRuns(300), seed: 20261208 });
  }, TIMEOUT);
  test('with Secrets of other types, ExternalSecrets, Lists, several files and declared secrets, the same violations in any order', async () => {
    const declared = fc.array(fc.record({ name: index, namespace: fc.nat({ max: 2 }), server: index }), { maxLength: 2 });
    await fc.assert(fc.asyncProperty(fc.array(moreDocsIn(fc.nat({ max: 1 })), { minLength: 1, maxLength: 10 }), declared,
      fc.infiniteStream(fc.nat()), fc.constantFrom(undefined, 0, 400, 1500), async (drawn, given, picks, maxKeptBytes) => {
        // GIVEN documents in two namespaces, secrets declared as --existing-secret declares them, in one file as written
        const existing = given.map(g => ({ name: at(SECRETS, g.name), namespace: at(NAMESPACES, g.namespace), servers: [at(SERVERS, g.server)] }));
        const texts = unique(drawn).map((d, i) => moreYaml(d, i));
        const expected = await verdictOf([texts], undefined, true, existing);

        // WHEN they come in another order, some together in a List, over several files, with few or no objects kept
        const files: string[][] = [[]];
        for (const text of shuffle(texts, picks)) {
          const pick = picks.next().value % 8;
          if (pick === 0 && files[files.length - 1].length > 0) {
            files.push([]);
          }
          const docs = files[files.length - 1];
          if (pick < 3 && docs.length > 0) {
            docs[docs.length - 1] = asList(docs[docs.length - 1], text);
          } else {
            docs.push(text);
          }
        }

        // THEN the same violations, words and all
        expect(await verdictOf(files, maxKeptBytes, true, existing)).toEqual(expected);
      }), { numRuns: propertyRuns(300), seed: 20261209 });
  }, TIMEOUT);
});

/** a List of the objects of `list` (a List already, or one object) and of `text` */
function asList(list: string, text: string): string {
  const item = (t: string) => `  - ${t.trimEnd().split('\n').join('\n    ')}\n`;
  return list.startsWith('apiVersion: v1\nkind: List\n') ? list + item(text) : `apiVersion: v1\nkind: List\nitems:\n${item(list)}${item(text)}`;
}
