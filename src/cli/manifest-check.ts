// The pod-spec rules applied to manifests read from YAML or JSON: the one loop shared by the cdk8s
// validation plugin and the `check` command. Imports nothing from cdk8s.
//
// Inputs stream one document at a time, split and read as kubectl reads them
// (rules/kubectl-reader.ts, rules/go-yaml.ts), each value with its line in one read.
// Pull secrets and ServiceAccounts count for pods anywhere in the input: a document whose pods
// asked for a name not defined yet is checked again once it is, from its objects while they fit in
// memory, else read again from its file. Only when a Secret or ServiceAccount is defined twice is
// the whole input checked a second time.
import { formatPath, InputError, ManifestCheckResult, ManifestRule, ManifestViolation } from './check-report';
import { DocumentText, ManifestSource, MAX_DOCUMENT_BYTES, SourceReader, StreamPart, UnreadableSource } from './manifest-stream';
import { isExternalSecret, readExternalPullSecret } from '../rules/external-secret';
import { DocumentObject, kubectlObjects } from '../rules/kubectl-objects';
import { readDocument, ReadDocument } from '../rules/kubectl-reader';
import { KubeletKeyring } from '../rules/kubelet-keyring';
import { EXISTING_PULL_SECRETS_ANNOTATION, isObject, ManifestIndex, SecretSource } from '../rules/manifest-index';
import { NodeCredentialSource } from '../rules/node-credentials';
import { annotatedPlatforms, platformMismatch, PLATFORMS_ANNOTATION } from '../rules/pod-platforms';
import { PullSecretInfo, namespaceOf, namespacedKey, objectRef, podSpecOf, podSpecPath, pullSecretSource } from '../rules/pod-spec';
import { PodSpecRule, PodSpecRules, PodSpecViolation, podSpecViolations } from '../rules/pod-spec-check';

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
  /** what the nodes pull with: an image one of them covers needs no pull secret */
  readonly nodeCredentials?: readonly NodeCredentialSource[];
  readonly disallowLatest?: boolean;
  readonly requireDigest?: boolean;
  /** receives every object of the input, for a caller that needs more than the rules */
  readonly collector?: ObjectCollector;
  /** the most one document may hold, in bytes; default `MAX_DOCUMENT_BYTES` */
  readonly maxDocumentBytes?: number;
  /** how much text the documents waiting for a name may come from and be kept as objects; default 8 MiB */
  readonly maxKeptBytes?: number;
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
 * Refuses a server key the kubelet would ignore, or that would match no image.
 * @internal
 */
export function validateServer(server: unknown, what: string): string {
  if (typeof server !== 'string' || !KubeletKeyring.keyOf(server)) {
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

/** the file of the document being checked, and the line of a place in it */
interface ViolationPlace {
  readonly file: string;
  lineOf(at: ReadonlyArray<string | number>): number;
  /** the line of an object of the document, when the reader keeps lines by object */
  lineOfNode?(node: object): number | undefined;
}

/** how a violation names its object */
type ObjectNames = Pick<ManifestViolation, 'object' | 'kind' | 'namespace' | 'name'>;

function objectNames(manifest: any): ObjectNames {
  return { object: objectRef(manifest), kind: manifest.kind, namespace: manifest.metadata?.namespace, name: manifest.metadata?.name };
}

/** a violation of an object */
function violation(names: ObjectNames, where: ViolationPlace, at: ReadonlyArray<string | number>,
  found: Pick<ManifestViolation, 'path' | 'rule' | 'message' | 'fix' | 'container'>): ManifestViolation {
  return {
    file: where.file,
    line: where.lineOf(at),
    object: names.object,
    kind: names.kind,
    namespace: names.namespace,
    name: names.name,
    container: found.container,
    path: found.path,
    rule: found.rule,
    message: found.message,
    fix: found.fix,
  };
}

/** where a pod spec is, shared by its violations */
interface PodSpecPlace {
  readonly file: string;
  readonly names: ObjectNames;
  readonly specPath: ReadonlyArray<string | number>;
}

/** a violation of a pod spec, of the rules for one pod spec or of those that need the manifests */
type PodSpecFound = Omit<PodSpecViolation, 'rule'> & Pick<ManifestViolation, 'rule'>;

/**
 * A violation of a pod spec, worded when read (see pod-spec-check's ContainerViolation): its
 * words come from the pod spec's own violation, its path from where the pod spec is.
 */
class PodSpecFinding implements ManifestViolation {
  constructor(private readonly pod: PodSpecPlace, public readonly line: number, private readonly found: PodSpecFound,
    private readonly ownFix?: string) {}

  public get file() { return this.pod.file; }
  public get object() { return this.pod.names.object; }
  public get kind() { return this.pod.names.kind; }
  public get namespace() { return this.pod.names.namespace; }
  public get name() { return this.pod.names.name; }
  public get container() { return this.found.container; }
  public get path() { return formatPath([...this.pod.specPath, ...this.found.path]); }
  public get rule() { return this.found.rule; }
  public get message() { return this.found.message; }
  public get fix() { return this.ownFix ?? this.found.fix; }

  public toJSON(): ManifestViolation {
    return plainViolation(this);
  }

  public [Symbol.for('nodejs.util.inspect.custom')](): ManifestViolation {
    return plainViolation(this);
  }
}

/** `v` as a plain object */
function plainViolation(v: ManifestViolation): ManifestViolation {
  const copy: any = {};
  for (const key of VIOLATION_FIELDS) {
    copy[key] = v[key];
  }
  return copy;
}

/** `v` as a plain object, with copies of its strings */
function ownStrings(v: ManifestViolation): ManifestViolation {
  const copy: any = plainViolation(v);
  for (const key of VIOLATION_FIELDS) {
    copy[key] = typeof copy[key] === 'string' ? own(copy[key]) : copy[key];
  }
  return copy;
}

const VIOLATION_FIELDS: ReadonlyArray<keyof ManifestViolation> = ['file', 'line', 'object', 'kind', 'namespace', 'name', 'container', 'path', 'rule', 'message', 'fix'];

/** a copy of `text` that shares no memory with it (slicing a concatenation flattens it into new memory) */
function own(text: string): string {
  return (text + ' ').slice(0, -1);
}

/**
 * A document that asked for a name not defined yet, to check again once it is: its objects while
 * they fit in memory, else only its place, to read it again.
 */
interface CheckedDocument {
  readonly reader: SourceReader;
  readonly place: DocumentText;
  readonly seq: number;
  /** the keys it asked for when it was last checked */
  keys: number[];
  /** those of them that were not defined then */
  waitsFor: number[];
  /** the last time it was checked, as the seq of the document read then */
  checkedAt: number;
  kept?: ReadObjects;
  /** its violations were let go, to be found again when it is checked again (at the latest, at the end) */
  dropped?: boolean;
}

/** A document's objects, with the lines of its values. */
interface ReadObjects {
  readonly read: ReadDocument;
  readonly objects: DocumentObject[];
}

/** How much document text the objects of documents waiting for a name may come from. */
const KEPT_TEXT_BYTES = 8 * 1024 * 1024;

class ManifestCheck {
  private readonly rules: PodSpecRules;
  /** the Secrets and ServiceAccounts of the input, and the pull secrets declared outside it */
  private readonly index = new ManifestIndex();
  private readonly existingSeen = new Set<string>();

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
  /**
   * for each key, whether a document is unlikely to define it, so that a pod asking for it is
   * checked at once and again only if one does: the default ServiceAccount, and the secrets
   * declared to the check (--existing-secret), which would otherwise keep every pod that uses them
   */
  private readonly watched: boolean[] = [];
  /** the secrets declared to the check: `*` + name when in every namespace, else their key */
  private readonly declared = new Set<string>();
  /** the whole input is to be checked again: a key was defined twice, or a global one late */
  private checkAll = false;
  /** documents that could not be read, not to report twice */
  private readonly unreadable = new Set<number>();
  /** the keys the current document asked for */
  private asked = new Set<number>();
  /** the secret names the current pod asked for */
  private readonly askedSecrets: string[] = [];
  /** while a document is read the first time: whether it can be kept, and whether a pod of it waits to be checked */
  private firstCheck?: { readonly keeps: boolean; deferred: boolean };
  private readonly coverageFixes = new Map<string, string>();

  private readonly violations = new Map<number, ManifestViolation[]>();
  private readonly errors: InputError[] = [];
  private readonly checked: CheckedDocument[] = [];
  /** for each key not defined yet, the documents that asked for it */
  private readonly waiting = new Map<number, CheckedDocument[]>();
  /** the keys the current document defined */
  private readonly defined: number[] = [];
  /** the text bytes of the documents whose objects are kept */
  private keptBytes = 0;
  private podSpecs = 0;
  private objects = 0;
  private seq = 0;
  /** the last document the collector's lines were read from */
  private lastRead?: { readonly seq: number; readonly read?: ReadDocument };

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
      node: options.nodeCredentials,
    };
    for (const secret of options.existingSecrets ?? []) {
      const everywhere = secret.namespace === undefined || secret.namespace === '';
      this.declared.add(everywhere ? `*${secret.name}` : secretKey(secret.namespace, secret.name));
      this.declared.add(`s*${secret.name}`);
      // declared without a namespace: it exists in each namespace that names it
      this.index.addSecret(secret.namespace === undefined || secret.namespace === '' ? { ...secret, namespace: undefined, inEveryNamespace: true } : secret,
        SecretSource.DECLARED);
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
          if (doc.dropped || doc.keys.some(key => this.lastChange[key] > doc.checkedAt)) {
            this.recheck(doc);
          }
          if (doc.kept) {
            // waited to the end for a name that never came: its violations stand
            this.release(doc);
          }
        }
      }
      this.options.collector?.finish();
      this.lastRead = undefined;
    } finally {
      readers.forEach(reader => reader.close());
    }
    const violations: ManifestViolation[] = [];
    for (const seq of [...this.violations.keys()].sort((x, y) => x - y)) {
      // a loop: flatMap over one document of 100,000 violations costs 20 ms
      for (const v of this.violations.get(seq)!) {
        violations.push(v);
      }
    }
    return { violations, errors: this.errors, podSpecs: this.podSpecs, objects: this.objects };
  }

  private async read(reader: SourceReader): Promise<void> {
    const file = reader.source.name;
    try {
      for await (const doc of reader.documents()) {
        const seq = this.seq++;
        if (!('text' in doc)) {
          this.unreadable.add(seq);
          this.errors.push(this.partError(file, doc));
          continue;
        }
        this.asked.clear();
        this.defined.length = 0;
        const errors = this.errors.length;
        // a document that waits for a name is checked again soon: its violations are settled then; a
        // pod that waits is checked only then, when its document can be kept
        const keeps = this.keptBytes + doc.bytes <= (this.options.maxKeptBytes ?? KEPT_TEXT_BYTES);
        this.firstCheck = { keeps, deferred: false };
        const read = this.checkDocument(file, doc, seq, true, reader, false);
        const deferred = this.firstCheck.deferred;
        this.firstCheck = undefined;
        if (this.errors.length > errors) {
          this.unreadable.add(seq);
        }
        const keys = [...this.asked];
        const waitsFor = keys.filter(key => this.waited(key));
        if (waitsFor.length === 0 && keys.some(key => this.lastChange[key] < 0 && this.watched[key])) {
          // checked now, and again if a document defines what it watches
          const { line, offset, bytes, json } = doc;
          this.checked.push({ reader, place: { text: '', line, offset, bytes, json }, seq, keys, waitsFor, checkedAt: seq });
        }
        if (waitsFor.length > 0) {
          const { line, offset, bytes, json } = doc;
          const waiting: CheckedDocument = { reader, place: { text: '', line, offset, bytes, json }, seq, keys: [], waitsFor: [], checkedAt: seq };
          if (read && keeps) {
            waiting.kept = read;
            this.keptBytes += doc.bytes;
            // they would be kept, with the objects they name, until found again from the kept objects:
            // a file whose Secrets follow their workloads kept twice as much for GC to copy
            waiting.dropped = this.violations.delete(seq) || deferred;
          } else {
            this.settle(seq, doc.bytes);
          }
          this.checked.push(waiting);
          this.waitFor(waiting, keys);
        }
        if (waitsFor.length === 0) {
          this.settle(seq, doc.bytes);
        }
        this.checkWaiting(seq);
      }
    } catch (e: any) {
      this.errors.push({ file, reason: readErrorReason(e) });
    }
  }

  /** a part of a stream that is no document: one too large, or where kubectl stops */
  private partError(file: string, part: Exclude<StreamPart, DocumentText>): InputError {
    if ('tooLarge' in part) {
      const limit = this.options.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
      return {
        file,
        line: part.line,
        reason: `the document that starts here is larger than ${formatBytes(limit)}, the most one document may hold; `
          + 'split it into smaller documents, such as the items of a List',
      };
    }
    return { file, line: part.line, reason: part.streamError };
  }

  /** checks every readable document again, in the same order */
  private async checkAgain(readers: SourceReader[]): Promise<void> {
    this.violations.clear();
    let seq = 0;
    for (const reader of readers) {
      try {
        for await (const doc of reader.documents()) {
          if (!this.unreadable.has(seq) && 'text' in doc) {
            this.checkDocument(reader.source.name, doc, seq, false, reader);
          }
          seq++;
        }
      } catch (e: any) {
        this.errors.push({ file: reader.source.name, reason: readErrorReason(e) });
      }
    }
  }

  /** lets go of the objects of a document that waits for nothing more, and settles its violations */
  private release(doc: CheckedDocument): void {
    this.keptBytes -= doc.place.bytes;
    doc.kept = undefined;
    this.settle(doc.seq, doc.place.bytes);
  }

  /** checks again, now, the documents that waited for a name the document `seq` defined */
  private checkWaiting(seq: number): void {
    const again = new Set<CheckedDocument>();
    for (const key of this.defined) {
      for (const doc of this.waiting.get(key) ?? []) {
        again.add(doc);
      }
      this.waiting.delete(key);
    }
    for (const doc of again) {
      if (doc.seq < seq) {
        this.recheck(doc, seq);
      }
    }
  }

  private recheck(doc: CheckedDocument, seq = this.seq): void {
    doc.checkedAt = seq;
    doc.dropped = false;
    const file = doc.reader.source.name;
    // what it asks now is what it waits for from now on: a ServiceAccount defined since then names
    // secrets it did not ask for before
    const reading = this.asked;
    this.asked = new Set();
    try {
      if (doc.kept) {
        this.violations.delete(doc.seq);
        this.checkObjectsOf(file, doc.place, doc.seq, doc.kept, false);
      } else {
        let text: string;
        try {
          text = doc.reader.readDocumentAgain(doc.place);
        } catch (e: any) {
          this.errors.push({ file, reason: readErrorReason(e) });
          return;
        }
        this.violations.delete(doc.seq);
        this.checkDocument(file, { ...doc.place, text }, doc.seq, false, doc.reader);
      }
      this.waitFor(doc, [...this.asked]);
    } finally {
      this.asked = reading;
    }
    if (doc.kept && doc.waitsFor.length === 0) {
      // nothing more to wait for
      this.release(doc);
    }
  }

  /** records the keys `doc` asked for, and waits for those not defined yet */
  private waitFor(doc: CheckedDocument, keys: number[]): void {
    doc.keys = keys;
    doc.waitsFor = keys.filter(key => this.waited(key));
    for (const key of doc.waitsFor) {
      const list = this.waiting.get(key);
      if (!list) {
        this.waiting.set(key, [doc]);
      } else if (!list.includes(doc)) {
        list.push(doc);
      }
    }
  }

  /** the value of a document with its lines, as kubectl reads it, or undefined with the error reported */
  private readValue(file: string, doc: DocumentText): ReadDocument | undefined {
    const read = readDocument(doc);
    if ('reason' in read) {
      this.errors.push({ file, line: doc.line - 1 + read.line, column: read.column, reason: read.reason });
      return undefined;
    }
    return read;
  }

  /**
   * Checks the objects of one document; the first time, it also learns the secrets and
   * ServiceAccounts they define, before it checks their pods.
   */
  private checkDocument(file: string, doc: DocumentText, seq: number, first: boolean, reader: SourceReader, settle = true): ReadObjects | undefined {
    const read = this.readValue(file, doc);
    if (!read) {
      return undefined;
    }
    const found = kubectlObjects(read.value);
    if ('error' in found) {
      this.errors.push({ file, line: doc.line - 1 + read.line(found.path), reason: found.error });
      return undefined;
    }
    const objects = found.objects;
    if (first) {
      this.learn(objects, seq);
      this.collect(objects, file, doc, seq, reader);
      this.objects += objects.length;
    }
    const podSpecs = this.checkObjectsOf(file, doc, seq, { read, objects }, settle);
    if (first) {
      this.podSpecs += podSpecs;
    }
    return { read, objects };
  }

  /** checks the objects of a document read before, and keeps what is wrong; returns how many pod specs it checked */
  private checkObjectsOf(file: string, doc: Pick<DocumentText, 'line' | 'bytes'>, seq: number, { read, objects }: ReadObjects, settle = true): number {
    const violations: ManifestViolation[] = [];
    const lineOfNode = read.lineOf;
    const podSpecs = this.checkObjects(objects, {
      file,
      lineOf: at => doc.line - 1 + read.line(at),
      lineOfNode: lineOfNode && (node => {
        const line = lineOfNode(node);
        return line === undefined ? undefined : doc.line - 1 + line;
      }),
    }, violations);
    if (violations.length > 0) {
      this.violations.set(seq, violations);
    }
    if (settle) {
      this.settle(seq, doc.bytes);
    }
    return podSpecs;
  }

  /**
   * Makes the violations of document `seq` independent of its text, once they are final: strings read
   * from the document are slices of its text, which a few violations kept to the end would keep whole;
   * copied, they are smaller. Many violations are larger than the text, and are left as they are.
   */
  private settle(seq: number, bytes: number): void {
    const violations = this.violations.get(seq);
    if (violations && bytes > 512 * violations.length) {
      this.violations.set(seq, violations.map(ownStrings));
    }
  }

  /** hands `objects` to the collector, each with a way to find its lines that does not keep the text */
  private collect(objects: DocumentObject[], file: string, doc: DocumentText, seq: number, reader: SourceReader): void {
    const collector = this.options.collector;
    if (!collector) {
      return;
    }
    const place: DocumentText = { text: '', line: doc.line, offset: doc.offset, bytes: doc.bytes, json: doc.json };
    const lineIn = (at: ReadonlyArray<string | number>): number => {
      // lines are asked in the input's order: one document read again at a time is kept
      if (this.lastRead?.seq !== seq) {
        let read: ReturnType<typeof readDocument> | undefined;
        try {
          read = readDocument({ text: reader.readDocumentAgain(place), json: place.json });
        } catch {
          // the file changed under us: the document's first line still says where it was
        }
        this.lastRead = { seq, read: read && 'value' in read ? read : undefined };
      }
      return place.line - 1 + (this.lastRead.read?.line(at) ?? 1);
    };
    for (const { manifest, path } of objects) {
      collector.add(manifest, { file, line: at => lineIn([...path, ...at]) });
    }
  }

  /** records the pull secrets, ServiceAccounts and declared existing secrets among `objects` */
  private learn(objects: DocumentObject[], seq: number): void {
    for (const { manifest } of objects) {
      const name = manifest.metadata?.name;
      const namespace = namespaceOf(manifest);
      if (manifest.kind === 'Secret' || manifest.kind === 'ServiceAccount') {
        // a copy: the index outlives the document, whose text the parsed strings may share
        this.index.addManifest(JSON.parse(JSON.stringify(manifest)));
        if (manifest.kind === 'ServiceAccount') {
          this.changed(accountKey(namespace, name), seq);
        } else {
          this.secretChanged(namespace, name, seq);
        }
      } else if (isExternalSecret(manifest)) {
        // the pull secret the operator writes, under the target's name
        const written = this.index.addManifest(JSON.parse(JSON.stringify(manifest)));
        if (written !== undefined) {
          this.secretChanged(written.namespace, written.name, seq);
        }
      }
      const declared = existingPullSecrets(manifest);
      if (declared && !('error' in declared)) {
        for (const [secret, servers] of Object.entries(declared)) {
          const key = JSON.stringify([namespace, secret, servers]);
          if (!this.existingSeen.has(key)) {
            this.existingSeen.add(key);
            this.index.addSecret(JSON.parse(JSON.stringify({ name: secret, namespace, servers })), SecretSource.DECLARED);
            this.secretChanged(namespace, secret, seq);
          }
        }
      }
    }
  }

  /** applies the rules to `objects`, adding what is wrong to `found`; returns how many pod specs it checked */
  private checkObjects(objects: DocumentObject[], where: ViolationPlace, found: ManifestViolation[]): number {
    let podSpecs = 0;
    for (const { manifest, path } of objects) {
      const declared = existingPullSecrets(manifest);
      if (declared && 'error' in declared) {
        found.push(violation(objectNames(manifest), where, [...path, 'metadata', 'annotations', EXISTING_PULL_SECRETS_ANNOTATION], {
          path: `metadata.annotations["${EXISTING_PULL_SECRETS_ANNOTATION}"]`,
          rule: ManifestRule.EXISTING_PULL_SECRETS,
          message: `the annotation ${EXISTING_PULL_SECRETS_ANNOTATION} ${declared.error}`,
          fix: 'write it as JSON from secret name to servers, e.g. {"regcred":["registry.gitlab.com"]}, or let RegistrySecret.fromSecretName write it',
        }));
      }
      const external = readExternalPullSecret(manifest);
      if (external !== undefined && 'error' in external) {
        found.push(violation(objectNames(manifest), where, [...path, 'apiVersion'], {
          path: 'apiVersion',
          rule: ManifestRule.EXTERNAL_SECRET_VERSION,
          message: `${external.error}, so the pull secret it makes is not read`,
          fix: 'write it as external-secrets.io/v1, which ESO v0.17 and later serve',
        }));
      }
      const podSpec = podSpecOf(manifest);
      const platforms = annotatedPlatforms(manifest);
      if (platforms !== undefined && 'error' in platforms) {
        found.push(violation(objectNames(manifest), where, [...path, 'metadata', 'annotations', PLATFORMS_ANNOTATION], {
          path: `metadata.annotations["${PLATFORMS_ANNOTATION}"]`,
          rule: ManifestRule.PLATFORMS,
          message: platforms.error,
          fix: 'write it as OS/ARCH[/VARIANT][,...], e.g. linux/amd64,linux/arm64, or let the platforms setting of the constructs write it',
        }));
      }
      if (!isObject(podSpec)) {
        continue;
      }
      podSpecs++;
      const mismatch = platforms !== undefined && !('error' in platforms) ? platformMismatch(podSpec, platforms) : undefined;
      if (mismatch !== undefined) {
        const specPath = podSpecPath(manifest)!;
        found.push(violation(objectNames(manifest), where, [...path, ...specPath],
          { path: formatPath(specPath), rule: ManifestRule.PLATFORMS, ...mismatch }));
      }
      const podViolations = this.checkPodSpec(podSpec, namespaceOf(manifest));
      if (podViolations.length === 0) {
        continue;
      }
      const specPath = podSpecPath(manifest)!;
      const pod: PodSpecPlace = { file: where.file, names: objectNames(manifest), specPath };
      const at = [...path, ...specPath];
      const base = at.length;
      for (const v of podViolations) {
        // a container's line straight from its object, else by its path (the same list for each)
        let line = v.node !== undefined ? where.lineOfNode?.(v.node) : undefined;
        if (line === undefined) {
          at.length = base;
          at.push(...v.path);
          line = where.lineOf(at);
        }
        const fix = v.rule === PodSpecRule.PULL_SECRET_COVERAGE ? this.coverageFix(v.registry!) : undefined;
        found.push(new PodSpecFinding(pod, line, v, fix));
      }
    }
    return podSpecs;
  }

  private checkPodSpec(podSpec: any, namespace: string | undefined): PodSpecFound[] {
    if (this.firstCheck?.keeps && this.asksPending(podSpec, namespace)) {
      // checked once the name comes, from the kept objects: now its violations would be let go
      this.firstCheck.deferred = true;
      return [];
    }
    this.askedSecrets.length = 0;
    const found = podSpecViolations(podSpec, this.rules, {
      namespace,
      secrets: name => {
        // what a pod gets depends on the secrets of its namespace, and only when there is none
        // of them, on those of every namespace (for the message)
        this.ask(secretKey(namespace, name));
        this.askedSecrets.push(name);
        const here = this.index.resolved(name, namespace);
        if (here.length > 0) {
          return here;
        }
        this.ask(`s*${name}`);
        const elsewhere = this.index.anyNamespace(name);
        return elsewhere ? [elsewhere] : [];
      },
      serviceAccount: name => {
        this.ask(accountKey(namespace, name));
        return this.index.serviceAccount(name, namespace);
      },
    });

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

  /** a Secret of another type named `name` that a pod in `namespace` would get, when no pull secret of that name resolves there */
  private wrongTypeSecret(name: string, namespace: string | undefined) {
    return this.index.resolved(name, namespace).length > 0 ? undefined : this.index.otherType(name, namespace);
  }

  /** the coverage fix in the words of the caller's settings, instead of the constructs' */
  /**
   * Whether the check of `podSpec` would ask for a name no document has defined yet: its
   * ServiceAccount or one of the secrets it pulls with; asks for it. A prediction: a pod deferred
   * by mistake is still checked, at the end at the latest.
   */
  private asksPending(podSpec: any, namespace: string | undefined): boolean {
    const pending = (key: string): boolean => {
      if (!this.waited(this.keyId(key))) {
        return false;
      }
      this.ask(key);
      return true;
    };
    const source = pullSecretSource(podSpec);
    let names: string[];
    if ('secrets' in source) {
      names = source.secrets;
    } else if (pending(accountKey(namespace, source.serviceAccount))) {
      return true;
    } else {
      names = this.index.serviceAccount(source.serviceAccount, namespace) ?? [];
    }
    return names.some(name => pending(secretKey(namespace, name)));
  }

  /** the fix of a coverage violation, made once for each registry */
  private coverageFix(registry: string): string {
    let fix = this.coverageFixes.get(registry);
    if (fix === undefined) {
      fix = this.coverageFixOf(registry);
      this.coverageFixes.set(registry, fix);
    }
    return fix;
  }

  private coverageFixOf(registry: string): string {
    const { settings, privateRegistries } = this.options;
    const fix = `name in imagePullSecrets a docker-registry secret whose server is "${registry}", `
      + `defined in the same manifests or declared with ${settings.existingSecret(registry)}`;
    return privateRegistries === undefined
      ? `${fix}; if "${registry}" is public, declare it with ${settings.publicRegistry(registry)}, or list only your private registries with ${settings.privateRegistries}`
      : fix;
  }

  /** whether a pod that asked for `key` waits for it: no document has defined it, and one may */
  private waited(key: number): boolean {
    return this.lastChange[key] < 0 && !this.global[key] && !this.watched[key];
  }

  private isWatched(key: string): boolean {
    const slash = key.indexOf('/');
    if (key.startsWith('a')) {
      return key.slice(slash + 1) === 'default';
    }
    return this.declared.size > 0 && (this.declared.has(key) || (key.startsWith('s') && this.declared.has(`*${key.slice(slash + 1)}`)));
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
      this.watched.push(this.isWatched(key));
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
    this.defined.push(id);
  }

  private secretChanged(namespace: string | undefined, name: string, seq: number): void {
    this.changed(secretKey(namespace, name), seq);
    // which secret of that name is elsewhere matters only while there is none here: the first
    // pull secret, as anyNamespace finds it (a Secret of another type is none)
    const anywhere = this.keyId(`s*${name}`);
    if (this.lastChange[anywhere] < 0 && this.index.anyNamespace(name) !== undefined) {
      this.lastChange[anywhere] = seq;
      this.defined.push(anywhere);
    }
  }
}

/** the key of the secrets named `name` in `namespace` (or without one) */
function secretKey(namespace: string | undefined, name: string): string {
  return 's' + namespacedKey(namespace, name);
}

function accountKey(namespace: string | undefined, name: string): string {
  return 'a' + namespacedKey(namespace, name);
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

function readErrorReason(e: any): string {
  if (e instanceof UnreadableSource) {
    return e.message;
  }
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
