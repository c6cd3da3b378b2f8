import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isNode, LineCounter, parseAllDocuments } from 'yaml';
import { ManifestCheckResult } from '../src/cli/check-report';
import { checkManifests, EXISTING_PULL_SECRETS_ANNOTATION, ManifestCheckOptions } from '../src/cli/manifest-check';

// "registry.gitlab.com": {username: u, password: p}
const GITLAB_CONFIG = 'eyJhdXRocyI6eyJyZWdpc3RyeS5naXRsYWIuY29tIjp7InVzZXJuYW1lIjoidSIsInBhc3N3b3JkIjoicCIsImF1dGgiOiJkVHB3In19fQ==';
const SETTINGS: ManifestCheckOptions['settings'] = {
  privateRegistries: '--private-registry',
  publicRegistry: r => `--public-registry ${r}`,
  existingSecret: r => `--existing-secret NAME=${r}`,
};

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-check-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** checks `files` (name to YAML) as the command would, in this order */
async function check(files: { [name: string]: string }, options: Partial<ManifestCheckOptions> = {}): Promise<ManifestCheckResult> {
  const sources = Object.entries(files).map(([name, text]) => {
    fs.writeFileSync(path.join(tmp, name), text);
    return { name, path: path.join(tmp, name) };
  });
  return checkManifests(sources, { privateRegistries: ['registry.gitlab.com'], settings: SETTINGS, ...options });
}

function secret(name: string, namespace: string, type = 'kubernetes.io/dockerconfigjson'): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ntype: ${type}\ndata:\n  .dockerconfigjson: ${GITLAB_CONFIG}\n`;
}

function pod(name: string, namespace: string, extra = '', image = 'registry.gitlab.com/team/app:v1'): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:${extra}\n  containers:\n    - name: app\n      image: ${image}\n      imagePullPolicy: IfNotPresent\n`;
}

const rules = (result: ManifestCheckResult) => result.violations.map(v => [v.object, v.rule]);

/** the line of the node at `nodePath` in document `index`, the whole text read with positions */
function lineOf(text: string, index: number, nodePath: Array<string | number>): number {
  const lineCounter = new LineCounter();
  const node = (parseAllDocuments(text, { lineCounter })[index] as any).getIn(nodePath, true);
  expect(isNode(node)).toBe(true);
  return lineCounter.linePos(node.range[0]).line;
}

describe('checkManifests', () => {
  test('gives the exact line of a violation deep in a large file, as the whole file read with positions gives it', async () => {
    // GIVEN: 2,000 documents, the 1,800th lacking its pull policy, with CRLF line ends
    const docs = Array.from({ length: 2000 }, (_, i) => pod(`p${i}`, 'apps', '\n  imagePullSecrets: [{name: gitlab}]')
      .replace(i === 1799 ? '      imagePullPolicy: IfNotPresent\n' : '\0', ''));
    const text = [secret('gitlab', 'apps'), ...docs].join('---\n').replace(/\n/g, '\r\n');

    // WHEN
    const result = await check({ 'large.yaml': text });

    // THEN
    expect(result.violations.map(v => [v.object, v.rule, v.line])).toEqual([['Pod/apps/p1799', 'image-pull-policy', lineOf(text, 1800, ['spec', 'containers', 0])]]);
    expect(text.split('\r\n')[result.violations[0].line - 1]).toBe('    - name: app');
    expect(result.podSpecs).toBe(2000);
  });

  test('a malformed document is reported by its line while the documents around it are still checked', async () => {
    // GIVEN
    const text = [pod('first', 'apps', '', 'nginx:1.25').replace('      imagePullPolicy: IfNotPresent\n', ''), 'kind: Pod\nmetadata:\n  name: [broken\n', pod('third', 'apps')].join('---\n');

    // WHEN
    const result = await check({ 'a.yaml': text });

    // THEN
    // the flow sequence opened on line 13 is still open where the document ends, on line 14
    expect(text.split('\n')[12]).toBe('  name: [broken');
    expect(result.errors).toEqual([{ file: 'a.yaml', line: 14, column: 1, reason: 'the document is not valid YAML: unexpected end of the stream within a flow collection' }]);
    expect(rules(result)).toEqual([['Pod/apps/first', 'image-pull-policy'], ['Pod/apps/third', 'pull-secret-coverage']]);
  });

  test('pods checked before their secret come, from their objects kept or read again, give the same report', async () => {
    // GIVEN: in each namespace, pods first, then the secret that covers some of them
    const docs: string[] = [];
    for (let n = 0; n < 5; n++) {
      docs.push(pod(`covered-${n}`, `ns-${n}`, '\n  imagePullSecrets: [{name: gitlab}]'), pod(`bare-${n}`, `ns-${n}`), secret('gitlab', `ns-${n}`));
    }
    const text = docs.join('---\n');

    // WHEN: every document kept, none kept, and only some
    const results = await Promise.all([undefined, 0, 600].map(maxKeptBytes => check({ [`a${maxKeptBytes}.yaml`]: text }, { maxKeptBytes })));

    // THEN
    const report = (result: ManifestCheckResult) => result.violations.map(v => [v.object, v.rule, v.line, v.message]);
    expect(rules(results[0])).toEqual([0, 1, 2, 3, 4].map(n => [`Pod/ns-${n}/bare-${n}`, 'pull-secret-coverage']));
    expect(report(results[1])).toEqual(report(results[0]));
    expect(report(results[2])).toEqual(report(results[0]));
  });

  test('pull secrets and ServiceAccounts count for pods before them, and in other files', async () => {
    // GIVEN: the pods come before the account, in another file
    const pods = [
      secret('gitlab', 'apps'),
      pod('own', 'apps', '\n  imagePullSecrets: [{name: gitlab}]'),
      pod('via-account', 'apps', '\n  serviceAccountName: builder'),
      pod('elsewhere', 'jobs', '\n  imagePullSecrets: [{name: gitlab}]'),
      // covered by "gitlab" when checked; "tools" turns out to be in another namespace
      pod('covered', 'apps', '\n  imagePullSecrets: [{name: tools}, {name: gitlab}]'),
    ].join('---\n');
    const account = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n  namespace: apps\nimagePullSecrets:\n  - name: gitlab\n';

    // WHEN
    const result = await check({ 'pods.yaml': pods, 'account.yaml': account, 'tools.yaml': secret('tools', 'jobs') });

    // THEN
    expect(rules(result)).toEqual([
      ['Pod/jobs/elsewhere', 'pull-secret-namespace'],
      ['Pod/jobs/elsewhere', 'pull-secret-coverage'],
      ['Pod/apps/covered', 'pull-secret-namespace'],
    ]);
    expect(result.violations[0].line).toBe(lineOf(pods, 3, ['spec', 'imagePullSecrets']));
  });

  test('a ServiceAccount defined twice counts as its last definition for every pod, and a secret without a namespace only for pods without one', async () => {
    // GIVEN: the account first with a secret, then without; pods in "apps", in "" and in none name "shared", defined later without a namespace
    const account = (secrets: string) => `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n  namespace: apps\n${secrets}`;
    const redefined = [secret('gitlab', 'apps'), account('imagePullSecrets: [{name: gitlab}]\n'), pod('via-account', 'apps', '\n  serviceAccountName: builder'), account('')];
    const names = '\n  imagePullSecrets: [{name: shared}]';
    const late = [pod('shared', 'apps', names), pod('empty', '""', names), pod('none', 'apps', names).replace('  namespace: apps\n', ''),
      secret('shared', 'apps').replace('  namespace: apps\n', '')];

    // WHEN
    const result = await check({ 'redefined.yaml': redefined.join('---\n'), 'late.yaml': late.join('---\n') });

    // THEN: whatever namespace kubectl apply gives the secret, the pod in "apps" may not find it
    expect(result.errors).toEqual([]);
    expect(result.violations.map(v => [v.object, v.rule, v.message])).toEqual([
      ['Pod/apps/via-account', 'pull-secret-coverage',
        'container "app" image "registry.gitlab.com/team/app:v1": no pull secret covers registry "registry.gitlab.com" (the pod names no pull secret and serviceAccount "builder" gives none)'],
      ['Pod/apps/shared', 'pull-secret-namespace', 'pull secret "shared" has no namespace but the pod is in namespace "apps": a Secret written without a namespace '
        + 'is created in whichever namespace kubectl apply is given, and imagePullSecrets resolve only in the pod\'s own namespace'],
      ['Pod/apps/shared', 'pull-secret-coverage',
        'container "app" image "registry.gitlab.com/team/app:v1": no pull secret covers registry "registry.gitlab.com" (imagePullSecrets gives "shared", which has no namespace)'],
    ]);
    expect(result.podSpecs).toBe(4);
  });

  test('refuses a List in a List, which kubectl cannot flatten, and checks a Pod in a PodList whose items have no kind', async () => {
    // GIVEN
    const inner = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'deep', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'registry.gitlab.com/a:v1' }] } }] };
    const outer = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }, inner] };
    const podList = { apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'typed', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'registry.gitlab.com/a:v1' }] } }] };

    // WHEN
    const nested = JSON.stringify(outer, null, 2);
    const typed = JSON.stringify(podList, null, 2);
    const result = await check({ 'list.json': nested, 'pods.json': typed });

    // THEN
    expect(result.errors).toEqual([{ file: 'list.json', line: lineOf(nested, 0, ['items', 1]), reason: expect.stringMatching(/^an item of the list has "items" itself: kubectl takes it for a list and cannot flatten it/) }]);
    const line = lineOf(typed, 0, ['items', 0, 'spec', 'containers', 0]);
    expect(result.podSpecs).toBe(1);
    expect(result.violations.map(v => [v.file, v.object, v.rule, v.line])).toEqual([
      ['pods.json', 'Pod/ns/typed', 'image-pull-policy', line],
      ['pods.json', 'Pod/ns/typed', 'pull-secret-coverage', line],
    ]);
  });

  test('accepts an image anchored once and aliased 120 times, and reads merge keys as kubectl does', async () => {
    // GIVEN
    const containers = Array.from({ length: 120 }, (_, i) => `    - <<: *base\n      name: c${i}`).join('\n');
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: many\n  namespace: apps\nspec:\n  imagePullSecrets: [{name: gitlab}]\n  initContainers:\n    - &base\n      name: init\n      image: &image registry.gitlab.com/team/app:v1\n      imagePullPolicy: IfNotPresent\n  containers:\n${containers}\n    - name: last\n      image: *image\n`;

    // WHEN
    const file = `${secret('gitlab', 'apps')}---\n${text}`;
    const result = await check({ 'a.yaml': file });

    // THEN: only the container without a merge lacks its policy
    expect(result.errors).toEqual([]);
    expect(result.violations.map(v => [v.container, v.rule, v.line])).toEqual([['last', 'image-pull-policy', lineOf(file, 1, ['spec', 'containers', 120])]]);
  });

  test('refuses a billion-laughs document, saying the alias expansion is too large', async () => {
    // GIVEN
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const [prev, name] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  ${levels.join('\n  ')}\n`;

    // WHEN
    const result = await check({ 'a.yaml': `${pod('ok', 'apps', '', 'nginx:1.25')}---\n${bomb}` });

    // THEN
    // line 12 is the document's first, after its "---"
    expect(result.errors).toEqual([{ file: 'a.yaml', line: 12, reason: expect.stringMatching(/^the alias expansion is too large: aliases would expand to more than 10000 nodes/) }]);
    expect(result.podSpecs).toBe(1);
  });

  test('reports a document larger than the limit by file, line and limit, and checks the others', async () => {
    // GIVEN
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: ${'x'.repeat(2000)}\n`;

    // WHEN
    const result = await check({ 'a.yaml': [pod('before', 'apps'), big, pod('after', 'apps')].join('---\n') }, { maxDocumentBytes: 1024 });

    // THEN
    expect(result.errors).toEqual([{
      file: 'a.yaml',
      // the document's first line, after its "---"
      line: 12,
      reason: 'the document that starts here is larger than 1024 bytes, the most one document may hold; split it into smaller documents, such as the items of a List',
    }]);
    expect(rules(result)).toEqual([['Pod/apps/before', 'pull-secret-coverage'], ['Pod/apps/after', 'pull-secret-coverage']]);
  });

  test('says a pull secret of the wrong type is of the wrong type, rather than unknown', async () => {
    // GIVEN
    const opaque = secret('regcred', 'apps', 'Opaque');
    const untyped = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: untyped\n  namespace: apps\ndata: {}\n';

    // WHEN
    const result = await check({
      'a.yaml': [pod('web', 'apps', '\n  imagePullSecrets: [{name: regcred}]'), pod('api', 'apps', '\n  imagePullSecrets: [{name: untyped}]'), opaque, untyped].join('---\n'),
    });

    // THEN
    expect(result.violations.map(v => [v.object, v.rule, v.message])).toEqual([
      ['Pod/apps/web', 'pull-secret-type', 'pull secret "regcred" is a Secret of type "Opaque", from which the kubelet reads no credentials: it expects type kubernetes.io/dockerconfigjson'],
      ['Pod/apps/api', 'pull-secret-type', 'pull secret "untyped" is a Secret without a type (so Opaque), from which the kubelet reads no credentials: it expects type kubernetes.io/dockerconfigjson'],
    ]);
    expect(result.violations[0].fix).toMatch(/^make "regcred" with kubectl create secret docker-registry/);
  });

  test('reads existing pull secrets from the annotation the constructs write, in the annotated object\'s namespace', async () => {
    // GIVEN: the annotated Deployment comes last; a Secret in the input wins over the annotation
    const annotated = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\n  annotations:\n    ${EXISTING_PULL_SECRETS_ANNOTATION}: '{"regcred":["registry.gitlab.com"],"other":["ghcr.io"]}'\nspec:\n  template:\n    spec:\n      imagePullSecrets: [{name: regcred}]\n      containers:\n        - name: web\n          image: registry.gitlab.com/team/web:v1\n          imagePullPolicy: IfNotPresent\n`;
    const text = [
      pod('sibling', 'apps', '\n  imagePullSecrets: [{name: regcred}]'),
      pod('other-namespace', 'jobs', '\n  imagePullSecrets: [{name: regcred}]'),
      pod('replaced', 'apps', '\n  imagePullSecrets: [{name: other}]', 'ghcr.io/team/api:v1'),
      secret('other', 'apps'),
      annotated,
    ].join('---\n');

    // WHEN
    const result = await check({ 'a.yaml': text }, { privateRegistries: undefined });

    // THEN
    expect(rules(result)).toEqual([
      ['Pod/jobs/other-namespace', 'pull-secret-namespace'],
      ['Pod/jobs/other-namespace', 'pull-secret-coverage'],
      ['Pod/apps/replaced', 'pull-secret-coverage'],
    ]);
  });

  test('a malformed existing-pull-secrets annotation is a violation naming the object', async () => {
    // GIVEN
    const values = ['not json', '["regcred"]', '{"regcred":"registry.gitlab.com"}', '{"regcred":["ghcr.io:port"]}'];
    const docs = values.map((value, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm${i}\n  annotations:\n    ${EXISTING_PULL_SECRETS_ANNOTATION}: '${value}'\n`);

    // WHEN
    const result = await check({ 'a.yaml': docs.join('---\n') });

    // THEN
    expect(result.violations.map(v => [v.object, v.rule, v.line, v.message])).toEqual([
      ['ConfigMap/cm0', 'existing-pull-secrets', 6, `the annotation ${EXISTING_PULL_SECRETS_ANNOTATION} is not valid JSON`],
      ['ConfigMap/cm1', 'existing-pull-secrets', 13, `the annotation ${EXISTING_PULL_SECRETS_ANNOTATION} is JSON array; expected an object from secret name to servers`],
      ['ConfigMap/cm2', 'existing-pull-secrets', 20, `the annotation ${EXISTING_PULL_SECRETS_ANNOTATION} gives secret "regcred" "registry.gitlab.com"; expected a non-empty list of servers`],
      ['ConfigMap/cm3', 'existing-pull-secrets', 27, `the annotation ${EXISTING_PULL_SECRETS_ANNOTATION} gives secret "regcred" the server: "ghcr.io:port" is not a registry server; expected a host[:port][/path] such as "registry.gitlab.com"`],
    ]);
  });

  test('publicRegistries leave their images unchecked, alone or with privateRegistries', async () => {
    // GIVEN
    const text = [pod('hub', 'apps', '', 'nginx:1.25'), pod('gitlab', 'apps', '', 'registry.gitlab.com/team/app:v1')].join('---\n');

    // WHEN
    const publicOnly = await check({ 'a.yaml': text }, { privateRegistries: undefined, publicRegistries: ['docker.io'] });
    const both = await check({ 'a.yaml': text }, { privateRegistries: ['registry.gitlab.com/team'], publicRegistries: ['registry.gitlab.com'] });

    // THEN: an image needs a secret when its registry is private and not public
    expect(rules(publicOnly)).toEqual([['Pod/apps/gitlab', 'pull-secret-coverage']]);
    expect(publicOnly.violations[0].fix).toContain('if "registry.gitlab.com" is public, declare it with --public-registry registry.gitlab.com');
    expect(rules(both)).toEqual([]);
  });
});

describe('checkManifests judges the objects kubectl creates from the file', () => {
  const covered = (name: string) => `${secret('gitlab', 'apps')}---\n${pod(name, 'apps', '\n  imagePullSecrets: [{name: gitlab}]')}`;

  test('a merge key written after the image overrides it, so the image merged in is the one judged', async () => {
    // GIVEN: the explicit image is covered; the merged one, which kubectl keeps, is not
    const text = `${secret('gitlab', 'apps')}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  imagePullSecrets: [{name: gitlab}]\n`
      + '  initContainers:\n  - &other {name: init, image: ghcr.io/team/tool:1, imagePullPolicy: IfNotPresent}\n'
      + '  containers:\n  - image: registry.gitlab.com/team/app:v1\n    <<: *other\n    name: app\n';

    // WHEN
    const result = await check({ 'a.yaml': text }, { privateRegistries: undefined });

    // THEN
    expect(result.violations.map(v => [v.path, v.message])).toEqual([
      ['spec.initContainers[0]', expect.stringContaining('image "ghcr.io/team/tool:1": no pull secret covers registry "ghcr.io"')],
      ['spec.containers[0]', expect.stringContaining('image "ghcr.io/team/tool:1": no pull secret covers registry "ghcr.io"')],
    ]);
  });

  test('an unquoted "no" is the boolean false to kubectl: the pod names no secret, and the message says why', async () => {
    // GIVEN: a secret named "no" (quoted) and a pod naming it unquoted
    const text = `${secret('"no"', 'apps')}---\n${pod('web', 'apps', '\n  imagePullSecrets: [{name: no}]')}`;

    // WHEN
    const result = await check({ 'a.yaml': text });

    // THEN
    expect(result.violations.map(v => [v.rule, v.message])).toEqual([['pull-secret-coverage', expect.stringContaining(
      'the pod names no pull secret: imagePullSecrets[0].name is the boolean false; kubectl reads YAML 1.1, where unquoted no, yes, on, off, y and n are booleans')]]);
  });

  test('pods in an object with items are checked whatever its kind, and an object with items is a list, not itself', async () => {
    // GIVEN
    const list = (kind: string, name: string) => `apiVersion: v1\nkind: ${kind}\nitems:\n- ${pod(name, 'apps').replace(/\n/g, '\n  ').trimEnd()}\n`;
    const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: apps}\nitems: []\n'
      + 'spec:\n  template:\n    spec:\n      containers: [{name: c, image: "registry.gitlab.com/x:latest"}]\n';

    // WHEN
    const result = await check({ 'a.yaml': [list('list', 'lower'), list('PodLists', 'plural'), deployment].join('---\n') });

    // THEN: the two pods, uncovered; the Deployment is an empty list
    expect(rules(result)).toEqual([['Pod/apps/lower', 'pull-secret-coverage'], ['Pod/apps/plural', 'pull-secret-coverage']]);
    expect(result.objects).toBe(2);
  });

  test('concatenated JSON objects are objects, as kubectl reads a JSON stream', async () => {
    // GIVEN
    const json = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'apps' }, spec: { containers: [{ name: 'c', image: 'registry.gitlab.com/a:v1' }] } });

    // WHEN
    const result = await check({ 'a.json': `${json('a')}${json('b')}\n${json('c')}` });

    // THEN
    expect(result.errors).toEqual([]);
    expect(result.violations.filter(v => v.rule === 'pull-secret-coverage').map(v => [v.object, v.line])).toEqual([['Pod/apps/a', 1], ['Pod/apps/b', 1], ['Pod/apps/c', 2]]);
  });

  test('a key given twice is read with its last value, not refused', async () => {
    // WHEN
    const result = await check({ 'a.yaml': covered('web').replace('      image: registry.gitlab.com/team/app:v1\n', '      image: registry.gitlab.com/team/app:v1\n      image: ghcr.io/team/app:v1\n') }, { privateRegistries: undefined });

    // THEN
    expect(result.errors).toEqual([]);
    expect(result.violations.map(v => v.message)).toEqual([expect.stringContaining('image "ghcr.io/team/app:v1": no pull secret covers registry "ghcr.io"')]);
  });

  test('what follows a "..." line is never created by kubectl, so it is not checked', async () => {
    // WHEN
    const result = await check({ 'a.yaml': `${covered('web')}...\n${pod('ghost', 'apps')}` });

    // THEN
    expect(result.violations).toEqual([]);
    expect(result.objects).toBe(2);
  });

  test('a %YAML directive and a document that is only [] are refused, as kubectl refuses them', async () => {
    // WHEN
    const result = await check({ 'a.yaml': `%YAML 1.2\n---\n${pod('a', 'apps')}`, 'b.yaml': `[]\n---\n${covered('web')}` });

    // THEN
    expect(result.errors).toEqual([
      { file: 'a.yaml', line: 1, reason: expect.stringMatching(/^a %YAML or %TAG directive/) },
      { file: 'b.yaml', line: 1, reason: 'the document is an array; kubectl reads only objects, each with a kind' },
    ]);
    expect(rules(result)).toEqual([['Pod/apps/a', 'pull-secret-coverage']]);
  });
});

describe('the platforms annotation the constructs write', () => {
  const annotated = (value: string, spec = '') => 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: apps\n  annotations:\n'
    + `    cdk8s-private-registry/platforms: ${JSON.stringify(value)}\nspec:${spec}\n  imagePullSecrets:\n    - name: regcred\n`
    + '  containers:\n    - name: app\n      image: registry.gitlab.com/team/app:v1\n      imagePullPolicy: IfNotPresent\n';

  test('a pod that may run on none of the platforms is a violation at its pod spec, naming them and what pins it', async () => {
    // GIVEN a pod pinned to amd64 in an object annotated with an arm64 cluster
    const result = await check({ 'a.yaml': `${secret('regcred', 'apps')}---\n${annotated('linux/arm64', '\n  nodeSelector:\n    kubernetes.io/arch: amd64')}` });

    // THEN
    expect(result.violations.map(v => [v.object, v.rule, v.path, v.line])).toEqual([['Pod/apps/web', 'platforms', 'spec', 18]]);
    expect(result.violations[0].message).toBe('the pod may run on none of the cluster\'s platforms (the annotation cdk8s-private-registry/platforms '
      + 'linux/arm64) (nodeSelector kubernetes.io/arch: amd64), so it is never scheduled');
  });

  test('an annotation that names no platform is a violation at the annotation; one a pod fits is none', async () => {
    // GIVEN a bad annotation, and a good one over an unconstrained pod
    const bad = await check({ 'a.yaml': `${secret('regcred', 'apps')}---\n${annotated('linux')}` });
    const good = await check({ 'a.yaml': `${secret('regcred', 'apps')}---\n${annotated('linux/amd64, linux/arm64')}` });

    // THEN
    expect(bad.violations.map(v => [v.rule, v.path, v.line])).toEqual([['platforms', 'metadata.annotations["cdk8s-private-registry/platforms"]', 16]]);
    expect(bad.violations[0].message).toBe('the annotation cdk8s-private-registry/platforms: platform "linux" is not a platform; '
      + 'expected OS/ARCH[/VARIANT], e.g. linux/amd64, linux/arm64 or linux/arm/v7');
    expect(good.violations).toEqual([]);
  });
});

describe('names defined after the pods that use them, through a ServiceAccount', () => {
  const podOf = (account: string) => 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a}\nspec:\n'
    + `  serviceAccountName: ${account}\n  containers: [{name: app, image: registry.gitlab.com/team/app:v1, imagePullPolicy: IfNotPresent}]\n`;
  const account = 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: builder, namespace: a}\nimagePullSecrets: [{name: regcred}]\n';

  test.each([undefined, 0])('a pod, then its ServiceAccount, then the secret the account names: covered (objects kept: %s bytes)', async maxKeptBytes => {
    // GIVEN the pod first, its account next, and the account's secret last
    const text = [podOf('builder'), account, secret('regcred', 'a')].join('---\n');

    // WHEN checked, with the waiting pod's objects kept or read again
    const result = await check({ 'a.yaml': text }, { maxKeptBytes });

    // THEN the secret the account names counts, though the pod asked for it only once the account came
    expect(result.violations).toEqual([]);
    expect(result.podSpecs).toBe(1);
  });

  test('the same, with the secret never defined: the violation names it', async () => {
    const result = await check({ 'a.yaml': [podOf('builder'), account].join('---\n') });
    expect(result.violations.map(v => v.rule)).toEqual(['pull-secret-coverage']);
    expect(result.violations[0].message).toContain('serviceAccount "builder" gives "regcred", whose servers are unknown');
  });
});

describe('a Secret of another type does not stand for the pull secret of that name elsewhere', () => {
  test.each([undefined, 0])('a pod naming an Opaque secret of its namespace breaks the same rules whether the pull secret of another namespace comes before or after it (objects kept: %s bytes)', async maxKeptBytes => {
    // GIVEN an Opaque "regcred" in namespace a, a pod of a that names regcred, and a pull secret "regcred" in namespace b
    const opaque = secret('regcred', 'a', 'Opaque');
    const named = pod('web', 'a', '\n  imagePullSecrets: [{name: regcred}]');
    const elsewhere = secret('regcred', 'b');

    // WHEN the pull secret of b comes after the pod, and before it
    const after = await check({ 'a.yaml': [opaque, named, elsewhere].join('---\n') }, { maxKeptBytes });
    const before = await check({ 'a.yaml': [opaque, elsewhere, named].join('---\n') }, { maxKeptBytes });

    // THEN the same rules, the secret of b named in both: a pull secret read after the Opaque one is still the one elsewhere
    expect(rules(after)).toEqual(rules(before));
    expect(rules(before)).toEqual([['Pod/a/web', 'pull-secret-namespace'], ['Pod/a/web', 'pull-secret-type']]);
  });
});

describe('a pod that names one secret twice', () => {
  test.each([
    ['in another namespace only', secret('regcred', 'b'), 'pull-secret-namespace'],
    ['that the kubelet cannot read', secret('regcred', 'a').replace(GITLAB_CONFIG, 'bm90IGpzb24='), 'pull-secret-invalid'],
  ])('a secret %s is one violation, not one for each time it is named', async (_what, defined, rule) => {
    // GIVEN a pod of namespace a whose imagePullSecrets names regcred twice
    const named = pod('web', 'a', '\n  imagePullSecrets: [{name: regcred}, {name: regcred}]');

    // WHEN checked
    const result = await check({ 'a.yaml': [defined, named].join('---\n') });

    // THEN the secret's violation is reported once, at imagePullSecrets
    expect(result.violations.filter(v => v.rule === rule).map(v => [v.object, v.path])).toEqual([['Pod/a/web', 'spec.imagePullSecrets']]);
  });
});

describe('names that documents rarely define: the default ServiceAccount, secrets declared to the check', () => {
  const web = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a}\nspec:\n'
    + '  containers: [{name: app, image: registry.gitlab.com/team/app:v1, imagePullPolicy: IfNotPresent}]\n';
  const account = 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: a}\nimagePullSecrets: [{name: regcred}]\n';

  test('a pod of the default ServiceAccount is judged again when a later document defines that account', async () => {
    // GIVEN the pod first, then the default account naming a secret, then the secret
    const result = await check({ 'a.yaml': [web, account, secret('regcred', 'a')].join('---\n') });

    // THEN the account's secret counts
    expect(result.violations).toEqual([]);
  });

  test('a pod that names a secret declared to the check is judged again by the same-named secret a later document writes', async () => {
    // GIVEN a pod naming regcred, declared for ghcr.io only, and a later regcred for the pod's registry
    const named = web.replace('spec:\n', 'spec:\n  imagePullSecrets: [{name: regcred}]\n');
    const declared = [{ name: 'regcred', servers: ['ghcr.io'] }];

    // WHEN checked with and without the written secret
    const alone = await check({ 'a.yaml': named }, { existingSecrets: declared });
    const written = await check({ 'a.yaml': [named, secret('regcred', 'a')].join('---\n') }, { existingSecrets: declared });

    // THEN the declaration alone does not cover the image; the written secret, which kubectl apply writes, does
    expect(alone.violations.map(v => v.rule)).toEqual(['pull-secret-coverage']);
    expect(written.violations).toEqual([]);
  });
});
