// The property of issue 25: for any app of a small grammar (charts with and without namespaces,
// JSON patches on secrets and pods, App resolvers, kind: List objects, secrets shared across
// charts, references to secrets created out of band, ServiceAccounts, and every way of wiring a
// pod), either the synth refuses, or in the YAML it writes every container of every pod names a
// present Secret of its own namespace that covers its image's registry, and has an imagePullPolicy.
// Two judges read the YAML: `check`, and a plain reading written here, which shares no code with
// the rule core.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Include, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import {
  CredentialValue, PolicyMode, PrivateImagePod, PrivateImagePull, PrivateImageServiceAccount, PrivateRegistryPolicy, RegistrySecret,
} from '../src';
import { MetadataResolver } from './support/check-oracle';
import { propertyRuns } from './support/property-runs';
import { checkManifests } from '../src/cli/manifest-check';

const REGISTRIES = ['registry.gitlab.com', 'ghcr.io', 'harbor.example.com'];
/** images of two of the private registries (one untagged, so Kubernetes' default policy is Always), and a public one */
const IMAGES = ['registry.gitlab.com/team/web:v1', 'registry.gitlab.com/team/tool', 'ghcr.io/team/api:v2', 'docker.io/library/nginx:1.25'];
const PUBLIC = ['docker.io'];
const NAMESPACES = [undefined, '', 'prod', 'prod', 'prod', 'staging'];
const SECRET_NAMES = ['regcred', 'gitlab', 'ghcr'];

// ---------------------------------------------------------------------------------------------
// The grammar: plain data, so that fast-check shrinks it and prints a counterexample one can read.
// Indices into the other lists are taken modulo their length.
// ---------------------------------------------------------------------------------------------

/** the rule each chart puts over its pods */
type ChartRule = 'wire' | 'verify' | 'mixin';

interface ChartSpec {
  readonly namespace?: string;
  readonly rule: ChartRule;
  /** the rule's secrets */
  readonly ruleSecrets: number[];
}

interface SecretSpec {
  readonly chart: number;
  readonly name: string;
  /** indices into REGISTRIES */
  readonly servers: number[];
  /** a RegistrySecret, a RegistrySecret.fromSecretName reference, or a dockerconfigjson Secret in an Included List */
  readonly form: 'registry' | 'reference' | 'included';
  /** a reference's namespace */
  readonly referenceNamespace?: string;
  /** a JsonPatch on a RegistrySecret: rename it, or move it to the namespace infra */
  readonly patch: 'none' | 'rename' | 'move';
}

interface AccountSpec {
  readonly chart: number;
  readonly name: string;
  readonly secrets: number[];
}

/** a PrivateImagePod; a cdk8s-plus Deployment with the mixin, or without; an L1 Pod; an L1 List; an Included List */
type PodKind = 'pod' | 'mixin' | 'kplus' | 'l1' | 'list' | 'include';

interface PodSpec {
  readonly chart: number;
  readonly kind: PodKind;
  /** indices into IMAGES */
  readonly images: number[];
  /** an L1 pod's or an item's containers set imagePullPolicy */
  readonly pullPolicy: boolean;
  /** registrySecrets of a pod, a mixin */
  readonly secrets: number[];
  /** dockerRegistryAuth: the first of `secrets` */
  readonly dockerRegistryAuth: boolean;
  /** runs under this account */
  readonly account?: number;
  /** an imagePullSecrets entry written by hand (L1 pods and List items) */
  readonly ownSecret?: string;
  /** the namespace written in an L1 pod's or an item's metadata; an item's is the chart's by default */
  readonly namespace?: string;
  /** a JsonPatch on the object: move it to staging, or add a container with another image */
  readonly patch: 'none' | 'move' | 'container';
}

interface AppSpec {
  /** every chart in the first chart's namespace, as most apps have it */
  readonly oneNamespace: boolean;
  /** an App resolver: none, a dev- prefix on every name, or every namespace moved to team */
  readonly resolver: 'none' | 'prefix' | 'namespace';
  readonly charts: ChartSpec[];
  readonly secrets: SecretSpec[];
  readonly accounts: AccountSpec[];
  readonly pods: PodSpec[];
}

const index = fc.nat(5);
const imageIndex = fc.nat(IMAGES.length - 1);
const appSpec: fc.Arbitrary<AppSpec> = fc.record({
  oneNamespace: fc.constantFrom(true, true, false),
  resolver: fc.constantFrom<AppSpec['resolver']>('none', 'none', 'prefix', 'namespace'),
  charts: fc.array(fc.record({
    namespace: fc.constantFrom(...NAMESPACES),
    rule: fc.constantFrom<ChartRule>('wire', 'wire', 'wire', 'verify', 'mixin'),
    ruleSecrets: fc.array(index, { minLength: 1, maxLength: 3 }),
  }, { requiredKeys: ['rule', 'ruleSecrets'] }), { minLength: 1, maxLength: 3 }),
  secrets: fc.array(fc.record({
    chart: index,
    name: fc.constantFrom(...SECRET_NAMES),
    // most cover GitLab, whose images are most of the grammar's
    servers: fc.constantFrom([0], [0, 1], [0, 1], [1], [2], [0, 2]),
    form: fc.constantFrom<SecretSpec['form']>('registry', 'registry', 'reference', 'included'),
    referenceNamespace: fc.constantFrom(undefined, 'prod'),
    patch: fc.constantFrom<SecretSpec['patch']>('none', 'none', 'none', 'none', 'rename', 'move'),
  }, { requiredKeys: ['chart', 'name', 'servers', 'form', 'patch'] }), { minLength: 1, maxLength: 3 }),
  accounts: fc.array(fc.record({
    chart: index,
    name: fc.constantFrom('builder', 'default'),
    secrets: fc.array(index, { minLength: 1, maxLength: 2 }),
  }), { maxLength: 1 }),
  pods: fc.array(fc.record({
    chart: index,
    kind: fc.constantFrom<PodKind>('pod', 'mixin', 'kplus', 'l1', 'list', 'include'),
    // most pods have one container
    images: fc.oneof({ arbitrary: fc.tuple(imageIndex), weight: 3 }, { arbitrary: fc.tuple(imageIndex, imageIndex), weight: 1 }),
    pullPolicy: fc.constantFrom(true, true, false),
    secrets: fc.array(index, { minLength: 1, maxLength: 2 }),
    dockerRegistryAuth: fc.boolean(),
    account: fc.option(index, { nil: undefined }),
    ownSecret: fc.constantFrom(undefined, undefined, undefined, ...SECRET_NAMES),
    namespace: fc.constantFrom(undefined, undefined, 'prod', 'staging'),
    patch: fc.constantFrom<PodSpec['patch']>('none', 'none', 'none', 'none', 'move', 'container'),
  }, { requiredKeys: ['chart', 'kind', 'images', 'pullPolicy', 'secrets', 'dockerRegistryAuth', 'patch'] }), { minLength: 1, maxLength: 4 }),
});

// ---------------------------------------------------------------------------------------------
// The app a spec describes
// ---------------------------------------------------------------------------------------------


function dockerConfigJson(servers: string[]): string {
  const auths = Object.fromEntries(servers.map(s => [s, { auth: Buffer.from('u:p').toString('base64') }]));
  return Buffer.from(JSON.stringify({ auths })).toString('base64');
}

function at<T>(list: readonly T[], i: number): T {
  return list[i % list.length];
}

/** the pod spec path of each kind the grammar writes, as a JSON pointer */
const POD_SPEC_POINTER: { [kind: string]: string } = { Pod: '/spec', Deployment: '/spec/template/spec' };

/** builds the app `spec` describes, writing Included files under `dir` */
function buildApp(spec: AppSpec, dir: string): App {
  const resolvers = spec.resolver === 'prefix' ? [new MetadataResolver('name', n => n.startsWith('dev-') ? n : `dev-${n}`)]
    : spec.resolver === 'namespace' ? [new MetadataResolver('namespace', () => 'team')] : undefined;
  const app = new App({ outdir: Testing.app().outdir, resolvers });
  const charts = spec.charts.map((c, i) => new Chart(app, `c${i}`, { namespace: spec.oneNamespace ? spec.charts[0].namespace : c.namespace }));

  // secrets: the ISecret a construct can be given, when there is one
  const handles: Array<kplus.ISecret | undefined> = spec.secrets.map((s, i) => {
    const chart = at(charts, s.chart);
    const servers = s.servers.map(n => REGISTRIES[n]);
    if (s.form === 'reference') {
      return RegistrySecret.fromSecretName(chart, `s${i}`, s.name, { servers, namespace: s.referenceNamespace });
    }
    if (s.form === 'included') {
      const file = path.join(dir, `secret-${i}.yaml`);
      fs.writeFileSync(file, JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: s.name }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': dockerConfigJson(servers) } }],
      }));
      new Include(chart, `s${i}`, { url: file });
      return undefined;
    }
    const secret = new RegistrySecret(chart, `s${i}`, {
      metadata: { name: s.name }, server: servers[0], username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p'),
    });
    servers.slice(1).forEach(server => secret.addRegistry({ server, username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') }));
    if (s.patch === 'rename') {
      ApiObject.of(secret).addJsonPatch(JsonPatch.replace('/metadata/name', `${s.name}-v2`));
    } else if (s.patch === 'move') {
      ApiObject.of(secret).addJsonPatch(JsonPatch.add('/metadata/namespace', 'infra'));
    }
    return secret;
  });
  const secretsOf = (indices: number[]): kplus.ISecret[] =>
    [...new Set(indices.map(i => at(handles, i)).filter((s): s is kplus.ISecret => s !== undefined))];

  const accounts = spec.accounts.map((a, i) => {
    const chart = at(charts, a.chart);
    const secrets = secretsOf(a.secrets);
    if (secrets.length > 0) {
      return new PrivateImageServiceAccount(chart, `a${i}`, { metadata: { name: a.name }, registrySecrets: secrets });
    }
    // an account of an Included or hand-written manifest, naming the secrets by name
    new ApiObject(chart, `a${i}`, {
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: a.name }, imagePullSecrets: a.secrets.map(s => ({ name: at(spec.secrets, s).name })),
    } as any);
    return kplus.ServiceAccount.fromServiceAccountName(chart, `a${i}-ref`, a.name);
  });

  spec.charts.forEach((c, i) => {
    const registrySecrets = secretsOf(c.ruleSecrets);
    if (c.rule === 'mixin') {
      charts[i].with(new PrivateImagePull({ registrySecrets, publicRegistries: PUBLIC }));
    } else {
      new PrivateRegistryPolicy(charts[i], 'policy', { mode: c.rule === 'wire' ? PolicyMode.WIRE : PolicyMode.VERIFY, registrySecrets, publicRegistries: PUBLIC });
    }
  });

  spec.pods.forEach((p, i) => {
    const chart = at(charts, p.chart);
    const name = `p${i}`;
    const images = p.images.map(n => IMAGES[n]);
    const extraImage = IMAGES[(p.images[0] + 1) % IMAGES.length];
    const account = p.account === undefined || accounts.length === 0 ? undefined : at(accounts, p.account);
    const secrets = secretsOf(p.secrets);
    const dockerRegistryAuth = p.dockerRegistryAuth ? secrets[0] : undefined;
    const registrySecrets = p.dockerRegistryAuth ? secrets.slice(1) : secrets;
    let obj: ApiObject;
    let items = false;
    if (p.kind === 'pod' || p.kind === 'mixin' || p.kind === 'kplus') {
      const containers = images.map((image, j) => ({ name: `c${j}`, image }));
      const props = { metadata: { name }, serviceAccount: account, automountServiceAccountToken: false, dockerRegistryAuth, containers };
      if (p.kind === 'pod') {
        obj = ApiObject.of(new PrivateImagePod(chart, name, { ...props, registrySecrets, publicRegistries: PUBLIC }));
      } else {
        const deployment = new kplus.Deployment(chart, name, props);
        if (p.kind === 'mixin') {
          deployment.with(new PrivateImagePull({ registrySecrets, publicRegistries: PUBLIC }));
        }
        obj = ApiObject.of(deployment);
      }
    } else {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        // an item of a List keeps its own namespace; by default the chart's, as a vendor's manifests would name it
        metadata: { name, namespace: p.namespace ?? (p.kind === 'l1' ? undefined : chart.namespace) },
        spec: {
          serviceAccountName: account?.name,
          imagePullSecrets: p.ownSecret === undefined ? undefined : [{ name: p.ownSecret }],
          containers: images.map((image, j) => ({ name: `c${j}`, image, imagePullPolicy: p.pullPolicy ? 'IfNotPresent' : undefined })),
        },
      };
      const json = JSON.parse(JSON.stringify(pod));
      if (p.kind === 'l1') {
        obj = new ApiObject(chart, name, json);
      } else if (p.kind === 'list') {
        obj = new ApiObject(chart, name, { apiVersion: 'v1', kind: 'List', items: [json] } as any);
        items = true;
      } else {
        const file = path.join(dir, `pod-${i}.yaml`);
        fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [json] }));
        obj = new Include(chart, name, { url: file }).apiObjects[0];
        items = true;
      }
    }
    const prefix = items ? '/items/0' : '';
    const kind = items ? 'Pod' : obj.kind;
    if (p.patch === 'move') {
      obj.addJsonPatch(JsonPatch.add(`${prefix}/metadata/namespace`, 'staging'));
    } else if (p.patch === 'container') {
      obj.addJsonPatch(JsonPatch.add(`${prefix}${POD_SPEC_POINTER[kind]}/containers/-`, { name: 'extra', image: extraImage }));
    }
  });
  return app;
}

// ---------------------------------------------------------------------------------------------
// The judges of the YAML
// ---------------------------------------------------------------------------------------------

/** the objects of a YAML stream, each item of a List on its own, as kubectl applies them */
function objectsOf(text: string): any[] {
  const objects: any[] = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    const value = doc.toJS();
    if (value === null || value === undefined) {
      continue;
    }
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      objects.push(...value.items);
    } else {
      objects.push(value);
    }
  }
  return objects;
}

function namespaceKey(obj: any): string {
  return typeof obj?.metadata?.namespace === 'string' ? obj.metadata.namespace : '';
}

/** the registry of an image as the kubelet reads it; docker.io for a name without one */
function registryOf(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/** a secret created out of band, as `check --existing-secret` is told of it */
interface OutOfBand {
  readonly name: string;
  /** undefined: in every namespace that names it */
  readonly namespace?: string;
  readonly servers: string[];
}

/**
 * The secrets the app declares with RegistrySecret.fromSecretName, when it has a VERIFY policy:
 * VERIFY changes nothing, so the pods it verifies carry no existing-pull-secrets annotation, and
 * whoever applies the output tells `check` of those secrets, as `--existing-secret`. A WIRE
 * policy, the mixin and the PrivateImage* constructs write the annotation, and are judged without.
 */
function declaredOutOfBand(spec: AppSpec): OutOfBand[] {
  if (!spec.charts.some(c => c.rule === 'verify')) {
    return [];
  }
  return spec.secrets.filter(s => s.form === 'reference').map(s => ({ name: s.name, namespace: s.referenceNamespace, servers: s.servers.map(n => REGISTRIES[n]) }));
}

/**
 * A plain reading of the YAML: for every container of every pod and pod template, whether it has
 * an imagePullPolicy and whether a Secret present in the output (last one written wins) or
 * declared in the existing-pull-secrets annotation, in the pod's own namespace, named by the pod
 * or, when the pod names none, by its ServiceAccount, covers its image's registry.
 */
function plainJudge(text: string, outOfBand: OutOfBand[] = []): string[] {
  const objects = objectsOf(text);
  const secrets = new Map<string, string[]>();
  const accounts = new Map<string, string[]>();
  for (const o of objects) {
    const key = `${namespaceKey(o)}/${o?.metadata?.name}`;
    if (o?.kind === 'Secret' && o.type === 'kubernetes.io/dockerconfigjson') {
      const config = JSON.parse(Buffer.from(o.data['.dockerconfigjson'], 'base64').toString());
      secrets.set(key, Object.keys(config.auths ?? {}));
    } else if (o?.kind === 'ServiceAccount') {
      accounts.set(key, (o.imagePullSecrets ?? []).map((s: any) => s?.name));
    }
  }
  const found: string[] = [];
  for (const o of objects) {
    const podSpec = o?.kind === 'Pod' ? o.spec : o?.kind === 'Deployment' ? o.spec?.template?.spec : undefined;
    if (podSpec === undefined) {
      continue;
    }
    const namespace = namespaceKey(o);
    const where = `${o.kind}/${namespace}/${o.metadata?.name}`;
    const declared: { [name: string]: string[] } = JSON.parse(o.metadata?.annotations?.['cdk8s-private-registry/existing-pull-secrets'] ?? '{}');
    const own: any[] = Array.isArray(podSpec.imagePullSecrets) ? podSpec.imagePullSecrets : [];
    const account = podSpec.serviceAccountName || 'default';
    const names: string[] = own.length > 0 ? own.map(s => s?.name) : accounts.get(`${namespace}/${account}`) ?? [];
    const covered = new Set<string>();
    for (const name of names) {
      const told = outOfBand.find(s => s.name === name && (s.namespace ?? namespace) === namespace)?.servers;
      (secrets.get(`${namespace}/${name}`) ?? declared[name] ?? told ?? []).forEach(server => covered.add(server));
    }
    for (const c of [...podSpec.initContainers ?? [], ...podSpec.containers ?? []]) {
      if (!['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) {
        found.push(`${where}: container ${c.name} has imagePullPolicy ${c.imagePullPolicy}`);
      }
      const registry = registryOf(c.image);
      if (!PUBLIC.includes(registry) && c.imagePullPolicy !== 'Never' && !covered.has(registry)) {
        found.push(`${where}: container ${c.name} image ${c.image}: no Secret of namespace "${namespace}" named by [${names.join(', ')}] covers ${registry}`);
      }
    }
  }
  return found;
}

/** what `check` finds wrong in the YAML, with the registries of the grammar private */
async function checkJudge(text: string, dir: string, outOfBand: OutOfBand[] = []): Promise<string[]> {
  const file = path.join(dir, 'app.k8s.yaml');
  fs.writeFileSync(file, text);
  const result = await checkManifests([{ name: 'app.k8s.yaml', path: file }], {
    privateRegistries: REGISTRIES,
    existingSecrets: outOfBand,
    settings: { privateRegistries: '--private-registry', publicRegistry: r => `--public-registry ${r}`, existingSecret: r => `--existing-secret NAME=${r}` },
  });
  return [...result.errors.map(e => JSON.stringify(e)), ...result.violations.map(v => `${v.object}: ${v.message}`)];
}

/** what the synth of `spec` and the two judges of its YAML say; `refused` is the synth's error */
async function judge(spec: AppSpec): Promise<{ refused?: string; plain: string[]; check: string[]; yaml?: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rendered-pull-property-'));
  try {
    let text: string;
    try {
      text = buildApp(spec, dir).synthYaml();
    } catch (e: any) {
      return { refused: e.message, plain: [], check: [] };
    }
    const outOfBand = declaredOutOfBand(spec);
    return { plain: plainJudge(text, outOfBand), check: await checkJudge(text, dir, outOfBand), yaml: text };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** synthesizes `app` and runs both judges on its YAML */
async function judgeApp(app: App): Promise<{ plain: string[]; check: string[]; yaml: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rendered-pull-property-'));
  try {
    const text = app.synthYaml();
    return { plain: plainJudge(text), check: await checkJudge(text, dir), yaml: text };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('counterexamples the property found', () => {
  test('a pod a WIRE policy completes, naming by hand a secret declared with RegistrySecret.fromSecretName elsewhere in the app, carries the declaration for check', async () => {
    // GIVEN: the declaration is given to no construct; the pod names the secret itself
    const app = Testing.app();
    const chart = new Chart(app, 'c0');
    new PrivateRegistryPolicy(chart, 'policy');
    RegistrySecret.fromSecretName(chart, 'regcred', 'regcred', { servers: ['registry.gitlab.com'] });

    // WHEN
    new ApiObject(chart, 'p0', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p0', namespace: 'prod' },
      spec: { imagePullSecrets: [{ name: 'regcred' }], containers: [{ name: 'c0', image: 'registry.gitlab.com/team/web:v1' }] },
    });

    // THEN: the synth accepts it, and so do check and the plain reading of what it wrote
    const found = await judgeApp(app);
    expect(found.check).toEqual([]);
    expect(found.plain).toEqual([]);
    expect(YAML.parse(found.yaml).metadata.annotations).toEqual({ 'cdk8s-private-registry/existing-pull-secrets': '{"regcred":["registry.gitlab.com"]}' });
  });

  test('a pod that pulls with its ServiceAccount\'s secret created out of band carries the declaration for check, whether the account is named or default', async () => {
    // GIVEN
    const app = Testing.app();
    const chart = new Chart(app, 'c0');
    new PrivateRegistryPolicy(chart, 'policy');
    const gitlab = RegistrySecret.fromSecretName(chart, 'gitlab', 'gitlab', { servers: ['registry.gitlab.com'] });
    const builder = new PrivateImageServiceAccount(chart, 'builder', { metadata: { name: 'builder' }, registrySecrets: [gitlab] });
    new PrivateImageServiceAccount(chart, 'default', { metadata: { name: 'default' }, registrySecrets: [gitlab] });

    // WHEN: a PrivateImagePod that leaves its secrets to the account, and an L1 pod under the policy that runs as default
    new PrivateImagePod(chart, 'p0', { metadata: { name: 'p0' }, registrySecrets: [gitlab], serviceAccount: builder, containers: [{ name: 'c0', image: 'registry.gitlab.com/team/web:v1' }] });
    new ApiObject(chart, 'p1', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { containers: [{ name: 'c0', image: 'registry.gitlab.com/team/web:v1', imagePullPolicy: 'IfNotPresent' }] },
    });

    // THEN
    const found = await judgeApp(app);
    expect(found.check).toEqual([]);
    expect(found.plain).toEqual([]);
    const pods = YAML.parseAllDocuments(found.yaml).map(d => d.toJS()).filter(m => m.kind === 'Pod');
    expect(pods.map(p => p.spec.imagePullSecrets)).toEqual([undefined, undefined]);
    expect(pods.map(p => p.metadata.annotations['cdk8s-private-registry/existing-pull-secrets'])).toEqual(['{"gitlab":["registry.gitlab.com"]}', '{"gitlab":["registry.gitlab.com"]}']);
  });
});

/** a deeper search: PROPERTY_RUNS=2000 PROPERTY_SEED=1 npx jest test/rendered-pull-property.test.ts */
const RUNS = Number(process.env.PROPERTY_RUNS ?? propertyRuns(60));
const SEED = Number(process.env.PROPERTY_SEED ?? 20261207);

describe('any app of the grammar: synth refuses, or every container names a present, covering secret of its namespace and has a policy', () => {
  test(`for ${RUNS} apps (fixed seed), neither check nor a plain reading of the YAML finds a pull that would fail`, async () => {
    // GIVEN
    let refused = 0;
    let written = 0;

    // WHEN
    await fc.assert(fc.asyncProperty(appSpec, async (spec) => {
      const found = await judge(spec);

      // THEN
      if (found.refused !== undefined) {
        refused++;
        return;
      }
      written++;
      expect(found.plain).toEqual([]);
      expect(found.check).toEqual([]);
    }), { seed: SEED, numRuns: RUNS });

    // the grammar reaches both verdicts
    expect(written).toBeGreaterThan(RUNS / 8);
    expect(refused).toBeGreaterThan(RUNS / 8);
  }, Math.max(60_000, RUNS * 500));
});
