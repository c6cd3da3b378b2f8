// The pod-spec rules applied to manifests read from YAML: the one loop shared by the cdk8s
// validation plugin and the `check` command. Imports nothing from cdk8s.
//
// Inputs stream one document at a time (manifest-stream.ts). Each document is read with js-yaml,
// which is fast; only a document with a violation, or one that js-yaml refuses, is read again
// with `yaml`, which knows where each node is, for the line of the violation and the exact error.
// Pull secrets and ServiceAccounts count for pods anywhere in the input: a document whose pods
// asked for a name not defined yet is kept by its place and checked again at the end, read again
// from its file; memory holds only those and the names defined. Only when a Secret or
// ServiceAccount is defined twice is the whole input checked a second time.
import * as jsyaml from 'js-yaml';
import { isNode, LineCounter, parseAllDocuments } from 'yaml';
import { DocumentText, ManifestSource, MAX_DOCUMENT_BYTES, SourceReader } from './manifest-stream';
import { EXISTING_PULL_SECRETS_ANNOTATION, isObject, ManifestIndex } from '../rules/manifest-index';
import { objectRef, podSpecOf, podSpecPath, PodSpecRule, PodSpecRules, podSpecViolations, PullSecretInfo } from '../rules/pod-spec-check';
import { RegistryMatch } from '../rules/registry-match';

/**
 * Rules about manifests that are not about one pod spec alone.
 * @internal
 */
export enum ManifestRule {
  /** a pod names a pull secret that exists with a type the kubelet reads no credentials from */
  PULL_SECRET_TYPE = 'pull-secret-type',
  /** the existing-pull-secrets annotation cannot be read */
  EXISTING_PULL_SECRETS = 'existing-pull-secrets',
}

/**
 * Every rule a manifest check reports.
 * @internal
 */
export type CheckRule = PodSpecRule | ManifestRule;

/**
 * What each rule asks for and how to comply, for reports and help texts.
 * @internal
 */
export const RULE_DESCRIPTIONS: { readonly [rule in CheckRule]: { readonly recommendation: string; readonly fix: string } } = {
  [PodSpecRule.IMAGE_PULL_POLICY]: {
    recommendation: 'every container, init container and ephemeral container sets imagePullPolicy',
    fix: 'set imagePullPolicy to Always, IfNotPresent or Never',
  },
  [PodSpecRule.IMAGE_REFERENCE]: {
    recommendation: 'every container has an image the kubelet can parse',
    fix: 'write the image as [registry/]repository[:tag][@digest], with a lowercase repository',
  },
  [PodSpecRule.PULL_SECRET_COVERAGE]: {
    recommendation: 'every image from a private registry is covered by a pull secret of its pod',
    fix: 'name in imagePullSecrets (or the ServiceAccount\'s) a docker-registry secret whose server matches the image',
  },
  [PodSpecRule.PULL_SECRET_NAMESPACE]: {
    recommendation: 'every pull secret is in its pod\'s namespace',
    fix: 'put the secret and the pod in the same namespace',
  },
  [PodSpecRule.DISALLOW_LATEST]: {
    recommendation: 'no image is tagged latest or left untagged',
    fix: 'pin a version tag or a digest',
  },
  [PodSpecRule.REQUIRE_DIGEST]: {
    recommendation: 'every image is pinned by digest',
    fix: 'append @sha256:<digest> to the image',
  },
  [PodSpecRule.IMAGE_LOCK]: {
    recommendation: 'every image the image lock holds is pinned to its digest, and with requireLock every image is locked or pinned',
    fix: 'give the ImageLock to a wiring construct, or lock the image with check --pull --lock FILE',
  },
  [PodSpecRule.REQUIRED_PULL_SECRET]: {
    recommendation: 'every pod names the pull secrets its construct requires',
    fix: 'add the secret to imagePullSecrets',
  },
  [PodSpecRule.PULL_SECRET_INVALID]: {
    recommendation: 'every pull secret a pod names can be read by the kubelet',
    fix: 'fix the secret\'s docker config, e.g. recreate it with kubectl create secret docker-registry',
  },
  [PodSpecRule.EPHEMERAL_CONTAINERS]: {
    recommendation: 'no pod or pod template sets ephemeralContainers',
    fix: 'remove ephemeralContainers; add one to a running pod with kubectl debug',
  },
  [ManifestRule.PULL_SECRET_TYPE]: {
    recommendation: 'every pull secret a pod names is of type kubernetes.io/dockerconfigjson (or kubernetes.io/dockercfg)',
    fix: 'make the secret with kubectl create secret docker-registry',
  },
  [ManifestRule.EXISTING_PULL_SECRETS]: {
    recommendation: 'the existing-pull-secrets annotation maps secret names to lists of servers',
    fix: 'declare the secret with RegistrySecret.fromSecretName(scope, id, name, { servers })',
  },
};

export { EXISTING_PULL_SECRETS_ANNOTATION };

/**
 * What to check in manifests.
 * @internal
 */
export interface ManifestCheckOptions {
  /** server keys whose images need a pull secret; undefined: every registry not in `publicRegistries` */
  readonly privateRegistries?: string[];
  /** server keys whose images need no pull secret */
  readonly publicRegistries?: string[];
  /** secrets that exist in the cluster without being among the manifests */
  readonly existingSecrets?: PullSecretInfo[];
  readonly disallowLatest?: boolean;
  readonly requireDigest?: boolean;
  /** receives every object of the input, for a caller that needs more than the rules */
  readonly collector?: ObjectCollector;
  /** the most one document may hold, in bytes; default `MAX_DOCUMENT_BYTES` */
  readonly maxDocumentBytes?: number;
  /** how users of the caller declare an existing secret for `registry` and the private registries, for fixes */
  readonly settings: {
    /** e.g. `--private-registry` */
    readonly privateRegistries: string;
    /** e.g. `--public-registry ${registry}` */
    publicRegistry(registry: string): string;
    /** e.g. `--existing-secret NAME=${registry}` */
    existingSecret(registry: string): string;
  };
}

/**
 * Receives every object of the input once, in order.
 * @internal
 */
export interface ObjectCollector {
  /** `manifest` shares its strings with the document's text: copy what is kept */
  add(manifest: any, place: ObjectPlace): void;
  /** called once the whole input is read, while each place can still find its lines */
  finish(): void;
}

/**
 * Where an object is.
 * @internal
 */
export interface ObjectPlace {
  readonly file: string;
  /** the 1-based line of the node at `at`, a path inside the object; reads its document again */
  line(at: ReadonlyArray<string | number>): number;
}

/**
 * One broken rule in one object.
 * @internal
 */
export interface ManifestViolation {
  readonly file: string;
  /** 1-based line of the container (or of the pod spec) */
  readonly line: number;
  /** `kind/namespace/name`, or `kind/name` when the manifest has no namespace */
  readonly object: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly container?: string;
  /** where in the object, e.g. `spec.template.spec.containers[0]` */
  readonly path: string;
  readonly rule: CheckRule;
  /** what is wrong */
  readonly message: string;
  /** how to fix it */
  readonly fix: string;
}

/**
 * Input that could not be checked: a file that cannot be read, or a document that does not
 * parse or is too large. The other documents are still checked.
 * @internal
 */
export interface InputError {
  readonly file: string;
  /** 1-based; undefined when the whole file cannot be read */
  readonly line?: number;
  readonly column?: number;
  /** what is wrong, never the parser's own message, which may quote the input */
  readonly reason: string;
}

/**
 * The outcome of `checkManifests`.
 * @internal
 */
export interface ManifestCheckResult {
  readonly violations: ManifestViolation[];
  readonly errors: InputError[];
  /** how many pods and pod templates were checked */
  readonly podSpecs: number;
  /** how many Kubernetes objects were read */
  readonly objects: number;
}

/**
 * How reports print an input error: `file:line:column: reason`.
 * @internal
 */
export function describeInputError(error: InputError): string {
  if (error.line === undefined) {
    return `cannot read ${error.file}: ${error.reason}`;
  }
  return `${error.file}:${error.line}${error.column === undefined ? '' : `:${error.column}`}: ${error.reason}`;
}

/**
 * Refuses a server key the kubelet would ignore, or that would match no image.
 * @internal
 */
export function validateServer(server: unknown, what: string): string {
  if (typeof server !== 'string' || !RegistryMatch.keyOf(server)) {
    throw new Error(`${what}: ${JSON.stringify(server)} is not a registry server; expected a host[:port][/path] such as "registry.gitlab.com"`);
  }
  return server;
}

/**
 * Applies the rules to every pod and pod template in `sources`. A pull secret or ServiceAccount
 * in any of them counts for pods in all of them, as if they were applied together.
 * @internal
 */
export async function checkManifests(sources: ManifestSource[], options: ManifestCheckOptions): Promise<ManifestCheckResult> {
  return new ManifestCheck(options).run(sources);
}

/** js-yaml's YAML 1.2 core schema, with the merge key `<<` that kubectl applies */
const FAST_SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge] });

/** how far aliases may expand in one document, counted as `yaml` counts them */
const MAX_ALIAS_COUNT = 10_000;

const PULL_SECRET_TYPES = ['kubernetes.io/dockerconfigjson', 'kubernetes.io/dockercfg'];

/** an object of a document, and where it is: `['items', 3]` inside a List */
interface DocumentObject {
  readonly manifest: any;
  /** which document of the text */
  readonly document: number;
  readonly path: ReadonlyArray<string | number>;
}

/** a violation before its line is known */
interface FoundViolation extends Omit<ManifestViolation, 'file' | 'line'> {
  readonly document: number;
  /** where, from the document's root */
  readonly at: ReadonlyArray<string | number>;
}

/**
 * A document kept without its text, to read it again at the end: it had a violation (its lines
 * come with every secret known), or it asked for a name not defined yet.
 */
interface CheckedDocument {
  readonly reader: SourceReader;
  readonly place: DocumentText;
  readonly seq: number;
  readonly keys: number[];
  readonly violations: boolean;
}

/**
 * Secrets by name and namespace, so that finding those a pod can name does not grow with the
 * number of namespaces (a platform has a "regcred" in each).
 */
class SecretsByNamespace<T extends { readonly namespace?: string }> {
  private readonly byName = new Map<string, Map<string | undefined, T[]>>();

  public add(name: string, secret: T): void {
    const namespaces = this.byName.get(name) ?? new Map<string | undefined, T[]>();
    this.byName.set(name, namespaces);
    const here = namespaces.get(secret.namespace);
    if (here) {
      here.push(secret);
    } else {
      namespaces.set(secret.namespace, [secret]);
    }
  }

  /** those a pod in `namespace` can name: in its namespace, or in none (resolved in any) */
  public here(name: string, namespace: string | undefined): T[] {
    const namespaces = this.byName.get(name);
    const own = namespaces?.get(namespace) ?? [];
    const anywhere = namespace === undefined ? [] : namespaces?.get(undefined) ?? [];
    return anywhere.length === 0 ? own : [...own, ...anywhere];
  }

  /** the first one added, in whichever namespace */
  public first(name: string): T | undefined {
    return this.byName.get(name)?.values().next().value?.[0];
  }
}

class ManifestCheck {
  private readonly rules: PodSpecRules;
  /** the ServiceAccounts of the input */
  private readonly accounts = new ManifestIndex();
  /** the pull secrets of the input */
  private readonly input = new SecretsByNamespace<PullSecretInfo>();
  /** pull secrets declared outside the input; the input's win */
  private readonly existing = new SecretsByNamespace<PullSecretInfo>();
  private readonly existingSeen = new Set<string>();
  /** Secrets of the input of other types */
  private readonly otherSecrets = new SecretsByNamespace<{ readonly namespace?: string; readonly type?: string }>();

  /** names a pod check may ask for, as numbers: `s` + namespace/secret name, `a` + namespace/account */
  private readonly keyIds = new Map<string, number>();
  /** for each key, the last document that defined it, or -1 */
  private readonly lastChange: number[] = [];
  /** for each key, whether a document asked for it */
  private readonly askedOnce: boolean[] = [];
  /**
   * for each key, whether a late definition means checking everything again rather than the
   * documents kept: secrets without a namespace, which every pod asks for and few inputs have
   */
  private readonly global: boolean[] = [];
  /** the whole input is to be checked again: a key was defined twice, or a global one late */
  private checkAll = false;
  /** documents that could not be read, not to report twice */
  private readonly unreadable = new Set<number>();
  /** the keys the current document asked for */
  private readonly asked = new Set<number>();
  /** the secret names the current pod asked for */
  private readonly askedSecrets: string[] = [];

  private readonly violations = new Map<number, ManifestViolation[]>();
  private readonly errors: InputError[] = [];
  private readonly checked: CheckedDocument[] = [];
  private podSpecs = 0;
  private objects = 0;
  private seq = 0;
  /** the last document the collector's lines were read from */
  private lastExact?: { readonly seq: number; readonly documents: ExactDocument[] };

  constructor(private readonly options: ManifestCheckOptions) {
    this.rules = {
      required: [],
      candidates: [],
      known: [],
      wire: false,
      publicRegistries: options.publicRegistries ?? [],
      privateRegistries: options.privateRegistries,
      disallowLatest: options.disallowLatest ?? false,
      requireDigest: options.requireDigest ?? false,
    };
    for (const secret of options.existingSecrets ?? []) {
      this.existing.add(secret.name, secret);
    }
  }

  public async run(sources: ManifestSource[]): Promise<ManifestCheckResult> {
    const readers = sources.map(source => new SourceReader(source, this.options.maxDocumentBytes));
    try {
      for (const reader of readers) {
        await this.read(reader);
      }
      if (this.checkAll) {
        // rare (a Secret or ServiceAccount twice): everything once more, with everything known
        await this.checkAgain(readers);
      } else {
        for (const doc of this.checked) {
          if (doc.violations || doc.keys.some(key => this.lastChange[key] > doc.seq)) {
            this.recheck(doc);
          }
        }
      }
      this.options.collector?.finish();
      this.lastExact = undefined;
    } finally {
      readers.forEach(reader => reader.close());
    }
    const violations = [...this.violations.keys()].sort((a, b) => a - b).flatMap(seq => this.violations.get(seq)!);
    return { violations, errors: this.errors, podSpecs: this.podSpecs, objects: this.objects };
  }

  private async read(reader: SourceReader): Promise<void> {
    const file = reader.source.name;
    try {
      for await (const doc of reader.documents()) {
        const seq = this.seq++;
        if ('tooLarge' in doc) {
          this.unreadable.add(seq);
          const limit = this.options.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
          this.errors.push({
            file,
            line: doc.line,
            reason: `the document that starts here is larger than ${formatBytes(limit)}, the most one document may hold; `
              + 'split it into smaller documents, such as the items of a List',
          });
          continue;
        }
        this.asked.clear();
        const errors = this.errors.length;
        const violations = this.checkDocument(file, doc, seq, true, reader);
        if (this.errors.length > errors) {
          this.unreadable.add(seq);
        }
        const keys = [...this.asked];
        if (violations || keys.some(key => this.lastChange[key] < 0 && !this.global[key])) {
          const { line, offset, bytes } = doc;
          this.checked.push({ reader, place: { text: '', line, offset, bytes }, seq, keys, violations });
        }
      }
    } catch (e: any) {
      this.errors.push({ file, reason: readErrorReason(e) });
    }
  }

  /** checks every readable document again, in the same order */
  private async checkAgain(readers: SourceReader[]): Promise<void> {
    this.violations.clear();
    let seq = 0;
    for (const reader of readers) {
      try {
        for await (const doc of reader.documents()) {
          if (!this.unreadable.has(seq) && !('tooLarge' in doc)) {
            this.checkDocument(reader.source.name, doc, seq, false);
          }
          seq++;
        }
      } catch (e: any) {
        this.errors.push({ file: reader.source.name, reason: readErrorReason(e) });
      }
    }
  }

  private recheck(doc: CheckedDocument): void {
    let text: string;
    try {
      text = doc.reader.readDocumentAgain(doc.place);
    } catch (e: any) {
      this.errors.push({ file: doc.reader.source.name, reason: readErrorReason(e) });
      return;
    }
    this.violations.delete(doc.seq);
    this.checkDocument(doc.reader.source.name, { ...doc.place, text }, doc.seq, false);
  }

  /**
   * Checks the objects of one document; the first time, it also learns the secrets and
   * ServiceAccounts they define, before it checks their pods. The first time, a violation that
   * js-yaml finds is only noted (the result is true): the document is read again at the end.
   */
  private checkDocument(file: string, doc: DocumentText, seq: number, first: boolean, reader?: SourceReader): boolean {
    const fast = readFast(doc.text);
    if (fast) {
      const objects = fast.flatMap((value, document) => objectsOf(value, document));
      if (first) {
        this.learn(objects, seq);
        this.collect(objects, file, doc, seq, reader);
      }
      // only whether anything is wrong: what is wrong comes with its line from `yaml`
      const { podSpecs, violations } = this.checkObjects(objects);
      if (first) {
        this.podSpecs += podSpecs;
        this.objects += objects.length;
      }
      if (violations === 0 || first) {
        return violations > 0;
      }
    }

    const exact = readExact(doc.text);
    if ('error' in exact) {
      const { line, column, reason } = exact.error;
      this.errors.push({ file, line: doc.line - 1 + line, column, reason });
      return false;
    }
    const objects = exact.documents.flatMap((d, document) => objectsOf(d.value, document));
    if (first && !fast) {
      this.learn(objects, seq);
      this.collect(objects, file, doc, seq, reader);
    }
    const found: FoundViolation[] = [];
    const { podSpecs } = this.checkObjects(objects, found);
    if (first && !fast) {
      this.podSpecs += podSpecs;
      this.objects += objects.length;
    }
    if (found.length > 0) {
      // a copy holds no reference to the document's text, which may be large
      this.violations.set(seq, JSON.parse(JSON.stringify(found.map(({ document, at, ...v }) =>
        ({ file, line: doc.line - 1 + exact.documents[document].line(at), ...v })))));
    }
    return false;
  }

  /** hands `objects` to the collector, each with a way to find its lines that does not keep the text */
  private collect(objects: DocumentObject[], file: string, doc: DocumentText, seq: number, reader: SourceReader | undefined): void {
    const collector = this.options.collector;
    if (!collector || !reader) {
      return;
    }
    const place: DocumentText = { text: '', line: doc.line, offset: doc.offset, bytes: doc.bytes };
    const lineIn = (document: number, at: ReadonlyArray<string | number>): number => {
      // lines are asked in the input's order: one document read again at a time is kept
      if (this.lastExact?.seq !== seq) {
        let read: ReturnType<typeof readExact> | undefined;
        try {
          read = readExact(reader.readDocumentAgain(place));
        } catch {
          // the file changed under us: the document's first line still says where it was
        }
        this.lastExact = { seq, documents: read && 'documents' in read ? read.documents : [] };
      }
      return place.line - 1 + (this.lastExact.documents[document]?.line(at) ?? 1);
    };
    for (const { manifest, document, path } of objects) {
      collector.add(manifest, { file, line: at => lineIn(document, [...path, ...at]) });
    }
  }

  /** records the pull secrets, ServiceAccounts and declared existing secrets among `objects` */
  private learn(objects: DocumentObject[], seq: number): void {
    for (const { manifest } of objects) {
      const name = manifest.metadata?.name;
      const namespace = manifest.metadata?.namespace;
      if (manifest.kind === 'Secret' || manifest.kind === 'ServiceAccount') {
        // a copy: the index outlives the document, whose text the parsed strings may share
        const copy = JSON.parse(JSON.stringify(manifest));
        if (manifest.kind === 'ServiceAccount') {
          this.accounts.addManifest(copy);
          this.changed(accountKey(namespace, name), seq);
        } else {
          // the rules read a pull secret's servers from its data
          const one = new ManifestIndex();
          one.addManifest(copy);
          one.secrets(copy.metadata?.name).forEach(secret => this.input.add(copy.metadata?.name, secret));
          if (!PULL_SECRET_TYPES.includes(manifest.type)) {
            this.otherSecrets.add(copy.metadata?.name, { namespace: copy.metadata?.namespace, type: copy.type });
          }
          this.secretChanged(namespace, name, seq);
        }
      }
      const declared = existingPullSecrets(manifest);
      if (declared && !('error' in declared)) {
        for (const [secret, servers] of Object.entries(declared)) {
          const key = JSON.stringify([namespace, secret, servers]);
          if (!this.existingSeen.has(key)) {
            this.existingSeen.add(key);
            this.existing.add(secret, JSON.parse(JSON.stringify({ name: secret, namespace, servers })));
            this.secretChanged(namespace, secret, seq);
          }
        }
      }
    }
  }

  /** applies the rules to `objects`, adding what is wrong to `found` if given; counts the pod specs and violations */
  private checkObjects(objects: DocumentObject[], found?: FoundViolation[]): { podSpecs: number; violations: number } {
    let podSpecs = 0;
    let violations = 0;
    for (const { manifest, document, path } of objects) {
      const namespace = manifest.metadata?.namespace;
      const ref = () => ({ document, object: objectRef(manifest), kind: manifest.kind, namespace, name: manifest.metadata?.name });
      const declared = existingPullSecrets(manifest);
      if (declared && 'error' in declared) {
        violations++;
        found?.push({
          ...ref(),
          at: [...path, 'metadata', 'annotations', EXISTING_PULL_SECRETS_ANNOTATION],
          path: `metadata.annotations["${EXISTING_PULL_SECRETS_ANNOTATION}"]`,
          rule: ManifestRule.EXISTING_PULL_SECRETS,
          message: `the annotation ${EXISTING_PULL_SECRETS_ANNOTATION} ${declared.error}`,
          fix: 'write it as JSON from secret name to servers, e.g. {"regcred":["registry.gitlab.com"]}, or let RegistrySecret.fromSecretName write it',
        });
      }
      const podSpec = podSpecOf(manifest);
      if (!isObject(podSpec)) {
        continue;
      }
      podSpecs++;
      const podViolations = this.checkPodSpec(podSpec, namespace);
      violations += podViolations.length;
      if (!found || podViolations.length === 0) {
        continue;
      }
      const specPath = podSpecPath(manifest)!;
      const object = ref();
      for (const v of podViolations) {
        const relative = [...specPath, ...v.path];
        found.push({
          ...object,
          at: [...path, ...relative],
          container: v.container,
          path: formatPath(relative),
          rule: v.rule,
          message: v.message,
          fix: v.fix,
        });
      }
    }
    return { podSpecs, violations };
  }

  private checkPodSpec(podSpec: any, namespace: string | undefined) {
    this.askedSecrets.length = 0;
    const found = podSpecViolations(podSpec, this.rules, {
      namespace,
      secrets: name => {
        // what a pod gets depends on the secrets of its namespace and those without one, and
        // only when there is none of them, on those of every namespace (for the message)
        this.ask(secretKey(namespace, name));
        this.ask(secretKey(undefined, name));
        this.askedSecrets.push(name);
        const here = this.secretsHere(name, namespace);
        if (here.length > 0) {
          return here;
        }
        this.ask(`s*${name}`);
        const elsewhere = this.input.first(name) ?? this.existing.first(name);
        return elsewhere ? [elsewhere] : [];
      },
      serviceAccount: name => {
        this.ask(accountKey(namespace, name));
        return this.accounts.serviceAccount(name, namespace);
      },
    }).map(v => v.rule === PodSpecRule.PULL_SECRET_COVERAGE ? { ...v, fix: this.coverageFix(v.registry!) } : v);

    // a secret that exists with the wrong type explains what "no pull secret covers" would not
    const wrongType = this.askedSecrets.filter((name, i) => this.askedSecrets.indexOf(name) === i)
      .map(name => ({ name, other: this.wrongTypeSecret(name, namespace) }))
      .filter(s => s.other !== undefined);
    if (wrongType.length === 0) {
      return found;
    }
    return [
      ...found.filter(v => v.rule !== PodSpecRule.PULL_SECRET_COVERAGE),
      ...wrongType.map(({ name, other }) => ({
        rule: ManifestRule.PULL_SECRET_TYPE,
        path: ['imagePullSecrets'],
        container: undefined,
        message: `pull secret "${name}" is a Secret ${other!.type === undefined ? 'without a type (so Opaque)' : `of type ${JSON.stringify(other!.type)}`}, `
          + 'from which the kubelet reads no credentials: it expects type kubernetes.io/dockerconfigjson',
        fix: `make "${name}" with kubectl create secret docker-registry, or give it type kubernetes.io/dockerconfigjson `
          + 'with the docker config under data[".dockerconfigjson"]',
      })),
    ];
  }

  /**
   * The pull secrets named `name` that a pod in `namespace` can name: the input's first, then
   * those declared outside it. The rules take the first, and only when there is none, name one
   * from another namespace in their message.
   */
  private secretsHere(name: string, namespace: string | undefined): PullSecretInfo[] {
    const existing = this.existing.here(name, namespace);
    return existing.length === 0 ? this.input.here(name, namespace) : [...this.input.here(name, namespace), ...existing];
  }

  /** a Secret of another type named `name` that a pod in `namespace` would get, when no pull secret of that name resolves there */
  private wrongTypeSecret(name: string, namespace: string | undefined) {
    return this.secretsHere(name, namespace).length > 0 ? undefined : this.otherSecrets.here(name, namespace)[0];
  }

  /** the coverage fix in the words of the caller's settings, instead of the constructs' */
  private coverageFix(registry: string): string {
    const { settings, privateRegistries } = this.options;
    const fix = `name in imagePullSecrets a docker-registry secret whose server is "${registry}", `
      + `defined in the same manifests or declared with ${settings.existingSecret(registry)}`;
    return privateRegistries === undefined
      ? `${fix}; if "${registry}" is public, declare it with ${settings.publicRegistry(registry)}, or list only your private registries with ${settings.privateRegistries}`
      : fix;
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.lastChange.length;
      // a copy: the key may share the text of the document it came from
      this.keyIds.set(JSON.parse(JSON.stringify(key)), id);
      this.lastChange.push(-1);
      this.askedOnce.push(false);
      this.global.push(key.startsWith(secretKey(undefined, '')));
    }
    return id;
  }

  private ask(key: string): void {
    const id = this.keyId(key);
    this.asked.add(id);
    this.askedOnce[id] = true;
  }

  private changed(key: string, seq: number): void {
    const id = this.keyId(key);
    this.checkAll ||= this.lastChange[id] >= 0 || (this.global[id] && this.askedOnce[id]);
    this.lastChange[id] = seq;
  }

  private secretChanged(namespace: string | undefined, name: string, seq: number): void {
    this.changed(secretKey(namespace, name), seq);
    // which secret of that name is elsewhere matters only while there is none here: the first
    const anywhere = this.keyId(`s*${name}`);
    if (this.lastChange[anywhere] < 0) {
      this.lastChange[anywhere] = seq;
    }
  }
}

/**
 * A path in an object as reports print it: `spec.containers[0]`.
 * @internal
 */
export function formatPath(path: ReadonlyArray<string | number>): string {
  return path.map((step, i) => typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`).join('');
}

/** the key of the secrets named `name` in `namespace` (or without one) */
function secretKey(namespace: string | undefined, name: string): string {
  return `s${namespace ?? ''}/${name}`;
}

function accountKey(namespace: string | undefined, name: string): string {
  return `a${namespace ?? ''}/${name}`;
}


/**
 * The secrets of the existing-pull-secrets annotation of `manifest`: undefined without the
 * annotation, `{ error }` when it cannot be read.
 */
function existingPullSecrets(manifest: any): { [name: string]: string[] } | { error: string } | undefined {
  const annotations = manifest.metadata?.annotations;
  if (!isObject(annotations) || !Object.prototype.hasOwnProperty.call(annotations, EXISTING_PULL_SECRETS_ANNOTATION)) {
    return undefined;
  }
  const text = annotations[EXISTING_PULL_SECRETS_ANNOTATION];
  if (typeof text !== 'string') {
    return { error: `is ${text === null ? 'null' : `a ${typeof text}`}; expected a JSON string` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'is not valid JSON' };
  }
  if (!isObject(value)) {
    return { error: `is JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}; expected an object from secret name to servers` };
  }
  for (const [name, servers] of Object.entries(value)) {
    if (!Array.isArray(servers) || servers.length === 0) {
      return { error: `gives secret ${JSON.stringify(name)} ${JSON.stringify(servers)}; expected a non-empty list of servers` };
    }
    for (const server of servers) {
      try {
        validateServer(server, `gives secret ${JSON.stringify(name)} the server`);
      } catch (e: any) {
        return { error: e.message };
      }
    }
  }
  return value as { [name: string]: string[] };
}

/** the values of the documents of `text`, or undefined when js-yaml refuses it or its aliases expand too far */
function readFast(text: string): unknown[] | undefined {
  let values: unknown[];
  try {
    values = jsyaml.loadAll(text, undefined, { schema: FAST_SCHEMA }) as unknown[];
  } catch {
    return undefined;
  }
  // js-yaml shares an aliased node instead of copying it: walking a "billion laughs" would not end
  return text.includes('*') && !withinNodes(values, text.length) ? undefined : values;
}

/** whether `value`, with aliases expanded, has at most `limit` nodes */
function withinNodes(value: unknown, limit: number): boolean {
  const stack = [value];
  for (let count = 0; stack.length > 0; count++) {
    if (count > limit) {
      return false;
    }
    const node = stack.pop();
    if (typeof node === 'object' && node !== null) {
      for (const child of Array.isArray(node) ? node : Object.values(node)) {
        stack.push(child);
      }
    }
  }
  return true;
}

/** A document read with `yaml`, whose line numbers are relative to its text. */
interface ExactDocument {
  readonly value: unknown;
  /** the 1-based line of the node at `path`, or of the nearest node above it */
  line(path: ReadonlyArray<string | number>): number;
}

/** the documents of `text` with the lines of their nodes, or the first error */
function readExact(text: string): { documents: ExactDocument[] } | { error: { line: number; column: number; reason: string } } {
  const lineCounter = new LineCounter();
  const lineOf = (offset: number) => lineCounter.linePos(offset);
  const documents: ExactDocument[] = [];
  try {
    // the parser's own messages may quote the text (an alias, a tag), and the text may hold a
    // password: report only the kind of error and where it is; warnings stay silent for the same reason
    for (const doc of parseAllDocuments(text, { lineCounter, prettyErrors: false, logLevel: 'error', merge: true })) {
      const error = doc.errors[0];
      if (error) {
        const { line, col } = lineOf(error.pos[0]);
        return { error: { line, column: col, reason: yamlErrorReason(error.code) } };
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (e: any) {
        const { line, col } = lineOf(doc.range[0]);
        return { error: { line, column: col, reason: toJsErrorReason(e) } };
      }
      documents.push({
        value,
        line: path => {
          for (let n = path.length; n >= 0; n--) {
            const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
            if (isNode(node) && node.range) {
              return lineOf(node.range[0]).line;
            }
          }
          return lineOf(doc.range[0]).line;
        },
      });
    }
  } catch {
    // a document nested deeper than the stack
    return { error: { line: 1, column: 1, reason: 'the document cannot be read as data' } };
  }
  return { documents };
}

function toJsErrorReason(e: unknown): string {
  if (e instanceof ReferenceError && e.message.startsWith('Excessive alias count')) {
    return `the alias expansion is too large: aliases would expand to more than ${MAX_ALIAS_COUNT} nodes; write the repeated parts out, or anchor fewer of them`;
  }
  return e instanceof ReferenceError ? 'an alias names an anchor that is not defined before it' : 'the document cannot be read as data';
}

/** the objects of a document: itself, or the items of a List (as `kubectl get -o yaml` prints), at any depth */
function objectsOf(value: unknown, document: number, path: ReadonlyArray<string | number> = [], out: DocumentObject[] = []): DocumentObject[] {
  if (!isObject(value)) {
    return out;
  }
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    value.items.forEach((item: unknown, i: number) => objectsOf(item, document, [...path, 'items', i], out));
  } else {
    out.push({ manifest: value, document, path });
  }
  return out;
}

function readErrorReason(e: any): string {
  switch (e?.code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory';
    case 'EACCES': return 'permission denied';
    default: return typeof e?.code === 'string' ? `error ${e.code}` : 'read error';
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MiB` : `${bytes} bytes`;
}

/**
 * Control characters, and those that reorder text, as escapes: names and images come from the
 * input and must not move the cursor, color the terminal or forge a line of a report.
 * @internal
 */
export function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, c => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Groups items by key, in the order each key first appears.
 * @internal
 */
export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) {
      group.push(item);
    } else {
      groups.set(k, [item]);
    }
  }
  return groups;
}

/**
 * The key that groups violations by object: the same object name in two files is two objects.
 * @internal
 */
export function objectKey(v: ManifestViolation): string {
  return `${v.file}\n${v.object}`;
}

const YAML_REASONS: { readonly [code: string]: string } = {
  BAD_INDENT: 'bad indentation',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  UNEXPECTED_TOKEN: 'unexpected token',
  DUPLICATE_KEY: 'a key appears twice in one mapping',
  TAB_AS_INDENT: 'a tab is used for indentation',
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted string',
  BLOCK_AS_IMPLICIT_KEY: 'a nested mapping or sequence is used as a key',
  MULTILINE_IMPLICIT_KEY: 'a key spans several lines',
  BAD_ALIAS: 'a malformed alias',
  TAG_RESOLVE_FAILED: 'an unknown tag',
};

/** a fixed description of a YAML error code, never the parser's message */
function yamlErrorReason(code: string): string {
  return `${YAML_REASONS[code] ?? code.toLowerCase().replace(/_/g, ' ')} (YAML error ${code})`;
}
