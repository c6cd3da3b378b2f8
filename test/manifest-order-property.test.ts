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

/** one definition of each Secret and ServiceAccount: the last drawn */
function unique(docs: Doc[]): Doc[] {
  const seen = new Set<string>();
  return docs.reverse().filter(d => {
    if (d.kind === 'Pod') {
      return true;
    }
    const key = `${d.kind}/${at(NAMESPACES, d.namespace)}/${d.kind === 'Secret' ? at(SECRETS, d.name) : at(ACCOUNTS, d.name)}`;
    return !seen.has(key) && seen.add(key);
  }).reverse();
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-property-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * the violations of `texts`, in one file, each without its line (which moves with the order), and
 * with its words unless `words` is false
 */
async function verdict(texts: string[], maxKeptBytes?: number, words = true): Promise<string[]> {
  const file = path.join(dir, 'input.yaml');
  fs.writeFileSync(file, texts.join('---\n'));
  const result = await checkManifests([{ name: 'input.yaml', path: file }], {
    publicRegistries: ['docker.io'],
    maxKeptBytes,
    settings: { privateRegistries: '--private-registry', publicRegistry: r => `--public-registry ${r}`, existingSecret: r => `--existing-secret NAME=${r}` },
  });
  expect(result.errors).toEqual([]);
  return result.violations.map(v => `${v.object} ${v.path} [${v.rule}]${words ? ` ${v.message}; ${v.fix}` : ''}`).sort();
}

/** the same documents in another order */
function shuffle(texts: string[], picks: fc.Stream<number>): string[] {
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
  });

  test('with objects and secrets without a namespace too, the same objects break the same rules in any order', async () => {
    // which same-named secret of another namespace a message names is the first one read
    await fc.assert(fc.asyncProperty(fc.array(docsIn(index), { minLength: 1, maxLength: 8 }), fc.infiniteStream(fc.nat()), async (drawn, picks) => {
      const texts = unique(drawn).map((d, i) => yaml(d, i));
      const expected = await verdict(texts, undefined, false);
      const shuffled = shuffle(texts, picks);
      expect(await verdict(shuffled, undefined, false)).toEqual(expected);
      expect(await verdict(shuffled, 0, false)).toEqual(expected);
    }), { numRuns: propertyRuns(300), seed: 20261208 });
  });
});
