// Pure rules for one pod spec in its JSON form: which secrets it names, which image each
// container pulls and with which policy. Imports nothing from cdk8s, so every source of pod
// specs (our constructs, L1 objects, Include, Helm, a YAML file) goes through the same code.
import { KubeletKeyring } from './kubelet-keyring';
import { lockKey, pinImage } from './lock-file';
import { describeNodeSource, NodeCredentialSource, nodeSourceFor } from './node-credentials';
import { ParsedImage } from './parsed-image';
import { CONTAINER_LISTS, namedSecrets, namesOwnSecrets, pullSecretSource, PullSecretInfo, resolvesIn, serviceAccountOf } from './pod-spec';
import { redactUserinfo } from './server-key';

/**
 * What is asked of a pod spec.
 * @internal
 */
export interface PodSpecRules {
  /** secrets the pod must name, in this order */
  readonly required: PullSecretInfo[];
  /** secrets added, in wire mode, to a pod that has an image only they cover */
  readonly candidates: PullSecretInfo[];
  /** secrets whose servers are known, never added */
  readonly known: PullSecretInfo[];
  /** add what is missing instead of refusing it */
  readonly wire: boolean;
  /** server keys whose images need no credentials */
  readonly publicRegistries: string[];
  /**
   * server keys whose images need credentials; undefined: every registry not in
   * `publicRegistries`
   */
  readonly privateRegistries?: string[];
  readonly disallowLatest: boolean;
  readonly requireDigest: boolean;
  /** digests by image lock key: in wire mode an image the lock holds is pinned, otherwise it must be */
  readonly lock?: ReadonlyMap<string, string>;
  /** refuse an image that has no digest and is not in `lock` */
  readonly requireLock?: boolean;
  /**
   * what the node pulls with when the pod's secrets do not cover an image: credential providers
   * and a static docker config; an image one of them covers needs no pull secret
   */
  readonly node?: readonly NodeCredentialSource[];
}

/**
 * What is known around a pod spec.
 * @internal
 */
export interface PodSpecContext {
  /** the pod's namespace; undefined when the manifest leaves it to `kubectl apply` */
  readonly namespace?: string;
  /** every known secret with this name, in any namespace */
  secrets(name: string): PullSecretInfo[];
  /** imagePullSecrets of the ServiceAccount with this name in the pod's namespace, if known */
  serviceAccount(name: string): string[] | undefined;
}

/**
 * The rules a pod spec can break, by id.
 * @internal
 */
export enum PodSpecRule {
  /** a secret the construct requires is not named by the pod */
  REQUIRED_PULL_SECRET = 'required-pull-secret',
  /** a container has no image, or one the kubelet cannot parse */
  IMAGE_REFERENCE = 'image-reference',
  /** a container leaves imagePullPolicy to Kubernetes' defaulting */
  IMAGE_PULL_POLICY = 'image-pull-policy',
  /** an image is tagged latest or not tagged */
  DISALLOW_LATEST = 'disallow-latest',
  /** an image has no digest */
  REQUIRE_DIGEST = 'require-digest',
  /** an image the lock holds is not pinned to its digest, or, with requireLock, is not in the lock */
  IMAGE_LOCK = 'image-lock',
  /** no pull secret of the pod covers an image's registry */
  PULL_SECRET_COVERAGE = 'pull-secret-coverage',
  /** a pull secret lives in another namespace than the pod */
  PULL_SECRET_NAMESPACE = 'pull-secret-namespace',
  /** a pull secret of the pod cannot be read by the kubelet, so every pull of the pod fails */
  PULL_SECRET_INVALID = 'pull-secret-invalid',
  /** the pod spec has ephemeralContainers, which the API server refuses in a new pod and in a template */
  EPHEMERAL_CONTAINERS = 'ephemeral-containers',
}

/**
 * Why `imagePullSecrets` entries name no secret, when a name is there but is not a string: an
 * unquoted `no`, `on` or `0755` is a boolean or a number to kubectl's YAML 1.1 reader.
 */
function notNames(list: unknown): string {
  const found: string[] = [];
  if (Array.isArray(list)) {
    list.forEach((entry, i) => {
      const name = entry?.name;
      if (name !== undefined && name !== null && typeof name !== 'string') {
        found.push(`imagePullSecrets[${i}].name is ${typeof name === 'object' ? 'not a string' : `the ${typeof name} ${JSON.stringify(name)}`}`);
      }
    });
  }
  return found.length === 0 ? ''
    : `: ${found.join(', ')}; kubectl reads YAML 1.1, where unquoted no, yes, on, off, y and n are booleans and 0755 a number, so quote the name`;
}

/**
 * One broken rule.
 * @internal
 */
export interface PodSpecViolation {
  readonly rule: PodSpecRule;
  /** what is wrong, naming the container and the value */
  readonly message: string;
  /** how to fix it */
  readonly fix: string;
  /** where, relative to the pod spec: `['containers', 0]` or `['imagePullSecrets']` */
  readonly path: ReadonlyArray<string | number>;
  /** the container's name, for the rules about one container */
  readonly container?: string;
  /** the image's registry, for PULL_SECRET_COVERAGE */
  readonly registry?: string;
  /** the object at `path` (the container), for a reader that finds lines by object */
  readonly node?: object;
}

/**
 * No violations: one frozen list shared by every pod.
 * @internal
 */
export const NO_VIOLATIONS: readonly string[] = Object.freeze([]);

/**
 * Completes `podSpec` in wire mode, for a render, whose violations validation reports: adds the
 * pull secrets its images need, pins the images the lock holds and makes each imagePullPolicy
 * explicit. What only a report needs is skipped. Outside wire mode there is nothing to complete.
 * @internal
 */
export function completePodSpec(podSpec: any, rules: PodSpecRules, context: PodSpecContext): void {
  if (rules.wire) {
    applyRules(podSpec, rules, context, false);
  }
}

/**
 * Applies the rules to `podSpec`, completing it first in wire mode, and returns what is still
 * wrong. Messages name the container and the value, never a credential.
 * @internal
 */
export function checkPodSpec(podSpec: any, rules: PodSpecRules, context: PodSpecContext): readonly string[] {
  const violations = podSpecViolations(podSpec, rules, context);
  if (violations.length === 0) {
    return NO_VIOLATIONS;
  }
  // without their paths, two containers of one name break a rule in the same words
  return [...new Set(violations.map(v => `${v.message}; ${v.fix}`))];
}

/**
 * `checkPodSpec`, with each violation's rule, fix and place kept apart.
 * @internal
 */
export function podSpecViolations(podSpec: any, rules: PodSpecRules, context: PodSpecContext): PodSpecViolation[] {
  return applyRules(podSpec, rules, context, true);
}

/** the one walk of completion and report; `report` false skips what only a report needs */
function applyRules(podSpec: any, rules: PodSpecRules, context: PodSpecContext, report: boolean): PodSpecViolation[] {
  const violations: PodSpecViolation[] = [];
  const pullSecrets = new PullSecrets(podSpec, rules, context, violations);

  for (let i = 0; i < rules.required.length; i++) {
    const secret = rules.required[i];
    if (!pullSecrets.resolvesHere(secret)) {
      // a same-named secret of the pod's namespace would be another secret
      violations.push(pullSecrets.namespaceViolation(secret));
      if (rules.wire) {
        // not written, but the pod names it: messages say so, as `check` does for a pod that names it
        pullSecrets.namedElsewhere(secret);
      }
    } else if (!pullSecrets.names().includes(secret.name)) {
      if (rules.wire) {
        pullSecrets.add(secret);
      } else {
        violations.push({
          rule: PodSpecRule.REQUIRED_PULL_SECRET,
          message: `imagePullSecrets does not name "${secret.name}"`,
          fix: `add {name: "${secret.name}"} to the pod spec`,
          path: ['imagePullSecrets'],
        });
      }
    }
  }

  if (!report && rules.candidates.length === 0 && rules.lock === undefined) {
    // no secret can be added for an image: what remains is each missing imagePullPolicy
    completePullPolicies(podSpec);
    return violations;
  }

  // what only a report needs
  if (report) {
    const invalid = pullSecrets.invalid();
    for (let i = 0; i < invalid.length; i++) {
      const secret = invalid[i];
      violations.push({
        rule: PodSpecRule.PULL_SECRET_INVALID,
        message: `pull secret "${secret.name}" cannot be read by the kubelet (${secret.invalid}), so every image pull of the pod fails`,
        fix: 'fix the secret, e.g. recreate it with kubectl create secret docker-registry',
        path: ['imagePullSecrets'],
      });
    }
    const ephemeral: unknown = podSpec.ephemeralContainers;
    if (ephemeral !== undefined && ephemeral !== null && !(Array.isArray(ephemeral) && ephemeral.length === 0)) {
      violations.push({
        rule: PodSpecRule.EPHEMERAL_CONTAINERS,
        message: 'the pod spec has ephemeralContainers, which the API server refuses when a pod is created and in every pod template',
        fix: 'remove them; add one to a running pod with kubectl debug',
        path: ['ephemeralContainers'],
      });
    }
  }

  // strings and objects are made only for violations
  const images = manyContainers(podSpec) ? new Map<string, ParsedImage>() : undefined;
  // the image names that need no secret but the pod's: while none is added, the same for each container
  const covered = images && !rules.wire ? new Set<string>() : undefined;
  for (let l = 0; l < CONTAINER_LISTS.length; l++) {
    const containers = podSpec[CONTAINER_LISTS[l]];
    if (!Array.isArray(containers)) {
      continue;
    }
    for (let index = 0; index < containers.length; index++) {
      checkContainer(new ContainerCheck(CONTAINER_LISTS[l], index, containers[index] ?? {}, violations), rules, pullSecrets, images, covered);
    }
  }
  return podWithoutRepeats(violations);
}

/** the violations, those of the pod itself once each: a pod may name a secret twice, and they have one place */
function podWithoutRepeats(violations: PodSpecViolation[]): PodSpecViolation[] {
  let pod = 0;
  for (let i = 0; i < violations.length && pod < 2; i++) {
    pod += violations[i].container === undefined && !(violations[i] instanceof ContainerViolation) ? 1 : 0;
  }
  if (pod < 2) {
    return violations;
  }
  const seen = new Set<string>();
  return violations.filter(v => {
    const key = v.container !== undefined || v instanceof ContainerViolation ? undefined : `${v.path.join('.')}\n${v.rule}\n${v.message}`;
    return key === undefined || (!seen.has(key) && seen.add(key));
  });
}

/** whether a pod spec has so many containers that its images are parsed once each (a generated pod may have thousands) */
function manyContainers(podSpec: any): boolean {
  let count = 0;
  for (let l = 0; l < CONTAINER_LISTS.length; l++) {
    const containers = podSpec[CONTAINER_LISTS[l]];
    count += Array.isArray(containers) ? containers.length : 0;
  }
  return count > 16;
}

/** Kubernetes' default imagePullPolicy, made explicit where a container with a valid image leaves it unset */
function completePullPolicies(podSpec: any): void {
  for (let l = 0; l < CONTAINER_LISTS.length; l++) {
    const containers = podSpec[CONTAINER_LISTS[l]];
    for (let i = 0; Array.isArray(containers) && i < containers.length; i++) {
      const container = containers[i];
      const policy = container?.imagePullPolicy;
      if ((policy === undefined || policy === null || policy === '') && typeof container.image === 'string') {
        try {
          container.imagePullPolicy = ParsedImage.parse(container.image).defaultPullPolicy;
        } catch {
          // an image the kubelet cannot parse is reported by validation
        }
      }
    }
  }
}

function describeContainer(list: string, container: any): string {
  const kind = list === 'containers' ? 'container' : list.slice(0, -1).replace('C', ' c');
  return typeof container.name === 'string' ? `${kind} "${container.name}"` : `${kind} without a name`;
}

/** whether any of `servers` covers the image name, by the kubelet's rules */
function anyCovers(servers: string[] | undefined, imageName: string): boolean {
  for (let i = 0; servers !== undefined && i < servers.length; i++) {
    if (KubeletKeyring.covers(servers[i], imageName)) {
      return true;
    }
  }
  return false;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/** the message and fix of a container's violation, from the container, its image and one detail */
type Words = (place: ContainerPlace, ref: ParsedImage | undefined, detail: any) => { message: string; fix: string };

/** one container of a pod spec, and how messages name it */
class ContainerPlace {
  constructor(public readonly list: string, public readonly index: number, public readonly spec: any) {}

  /** `container "app"` */
  public describe(): string {
    return describeContainer(this.list, this.spec);
  }

  /** `container "app" image "registry.example.com/app:1.0"` */
  public image(): string {
    return `${this.describe()} image "${this.spec.image}"`;
  }
}

/**
 * A violation of one container, worded when read: a generated pod may break a rule in each of
 * thousands of containers, and words made at once would all be kept until the report.
 */
class ContainerViolation extends ContainerPlace implements PodSpecViolation {
  constructor(place: ContainerPlace, public readonly rule: PodSpecRule, private readonly words: Words,
    private readonly ref: ParsedImage | undefined, private readonly detail: any, public readonly registry?: string) {
    super(place.list, place.index, place.spec);
  }

  public get message(): string {
    return this.words(this, this.ref, this.detail).message;
  }

  public get fix(): string {
    return this.words(this, this.ref, this.detail).fix;
  }

  public get path(): ReadonlyArray<string | number> {
    return [this.list, this.index];
  }

  public get container(): string | undefined {
    return this.spec.name;
  }

  public get node(): object {
    return this.spec;
  }

  /** its words, as JSON and printers show it: not the container, whose env may hold anything */
  public toJSON(): PodSpecViolation {
    return { rule: this.rule, message: this.message, fix: this.fix, path: this.path, container: this.container, registry: this.registry };
  }

  public [Symbol.for('nodejs.util.inspect.custom')](): PodSpecViolation {
    return this.toJSON();
  }
}

/** one container being checked, and where its violations go */
class ContainerCheck extends ContainerPlace {
  constructor(list: string, index: number, spec: any, private readonly violations: PodSpecViolation[]) {
    super(list, index, spec);
  }

  /** reports a violation worded by `words`, when read */
  public report(rule: PodSpecRule, words: Words, ref?: ParsedImage, detail?: unknown, registry?: string): void {
    this.violations.push(new ContainerViolation(this, rule, words, ref, detail, registry));
  }

  /** reports a violation already worded */
  public reportWords(rule: PodSpecRule, words: { message: string; fix: string }): void {
    this.violations.push({ rule, message: words.message, fix: words.fix, path: [this.list, this.index], container: this.spec.name });
  }
}

// The words of each container violation, made when read
const HAS_NO_IMAGE: Words = place => ({ message: `${place.describe()} has no image`, fix: 'set its image' });
const UNPARSED_IMAGE: Words = (place, _ref, error: string) => ({
  message: `${place.describe()}: ${error}`,
  fix: 'write the image as [registry/]repository[:tag][@digest]',
});
const NO_PULL_POLICY: Words = (place, ref) => ({
  message: `${place.image()} has no explicit imagePullPolicy`,
  fix: `set it (Kubernetes would default to ${ref!.defaultPullPolicy})`,
});
const BAD_PULL_POLICY: Words = (place, _ref, policy: unknown) => ({
  message: `${place.image()} has imagePullPolicy ${JSON.stringify(policy)}, which the API server refuses`,
  fix: `use one of ${PULL_POLICIES.join(', ')}`,
});
const LATEST: Words = (place, ref) => ({
  message: `${place.image()} uses ${ref!.tag ? 'the tag "latest"' : 'no tag, which means "latest"'}`,
  fix: 'pin a version tag or a digest',
});
const NO_DIGEST: Words = (place, ref) => ({
  message: `${place.image()} has no digest`,
  fix: `pin it as ${ref!.toFamiliarString()}@sha256:<digest>`,
});
const NOT_COVERED: Words = (place, ref, pod: PodCoverage) => ({
  message: `${place.image()}: no pull secret covers registry "${ref!.registry}" (${pod.secrets})${pod.node}`,
  fix: `add a RegistrySecret whose server is "${ref!.registry}", or list the registry in publicRegistries if it is public${pod.unknown}`,
});
const NOT_PINNED: Words = (place, ref, digest: string) => ({
  message: `${place.image()} is in the image lock as ${digest} but is not pinned`,
  fix: `write it as ${pinImage(place.spec.image, ref!, digest)}`,
});
const NOT_LOCKED: Words = (place, ref) => ({
  message: `${place.image()} is not in the image lock (as ${lockKey(ref!)})`,
  fix: 'lock it: synth without requireLock (e.g. requireLock: process.env.UPDATE_IMAGE_LOCK !== \'1\'), run '
    + '"cdk8s-private-registry check --pull --lock FILE" on that output, and synth again; or pin it with @sha256:<digest>',
});

/** what a pod's coverage violations say of its secrets and its node, the same for each of its containers */
interface PodCoverage {
  readonly secrets: string;
  readonly node: string;
  readonly unknown: string;
}

/** checks one container, completing it in wire mode, and reports what is still wrong */
function checkContainer(check: ContainerCheck, rules: PodSpecRules, pullSecrets: PullSecrets, images?: Map<string, ParsedImage>,
  covered?: Set<string>): void {
  const container = check.spec;
  if (typeof container.image !== 'string') {
    check.report(PodSpecRule.IMAGE_REFERENCE, HAS_NO_IMAGE);
    return;
  }
  let ref = images?.get(container.image);
  try {
    if (ref === undefined) {
      ref = ParsedImage.parse(container.image);
      images?.set(container.image, ref);
    }
  } catch (e: any) {
    check.report(PodSpecRule.IMAGE_REFERENCE, UNPARSED_IMAGE, undefined, e.message);
    return;
  }

  if (rules.lock && ref.digest === undefined) {
    // before the pull policy, which follows the pinned reference
    ref = checkLock(check, ref, rules);
  }
  const policy = container.imagePullPolicy;
  // Helm renders an unset value as null or ""; the API server defaults both like a missing field
  if (policy === undefined || policy === null || policy === '') {
    if (rules.wire) {
      container.imagePullPolicy = ref.defaultPullPolicy;
    } else {
      check.report(PodSpecRule.IMAGE_PULL_POLICY, NO_PULL_POLICY, ref);
    }
  } else if (!PULL_POLICIES.includes(policy)) {
    check.report(PodSpecRule.IMAGE_PULL_POLICY, BAD_PULL_POLICY, ref, policy);
  }
  if (rules.disallowLatest && (ref.tag === 'latest' || (ref.tag === undefined && ref.digest === undefined))) {
    check.report(PodSpecRule.DISALLOW_LATEST, LATEST, ref);
  }
  if (rules.requireDigest && ref.digest === undefined) {
    check.report(PodSpecRule.REQUIRE_DIGEST, NO_DIGEST, ref);
  }

  const name = ref.name;
  // with Never the kubelet only uses the node's image and pulls nothing
  if (container.imagePullPolicy === 'Never' || covered?.has(name)) {
    return;
  }
  const isPrivate = rules.privateRegistries === undefined || anyCovers(rules.privateRegistries, name);
  // with a secret it cannot read the kubelet pulls nothing either, which PULL_SECRET_INVALID reports
  // once for the pod; the node's credentials come after the pod's secrets, as the kubelet tries
  // them, and WIRE adds no secret for what the node covers
  if (!isPrivate || anyCovers(rules.publicRegistries, name) || pullSecrets.covers(name)
    || (rules.node !== undefined && nodeSourceFor(rules.node, name) !== undefined)) {
    covered?.add(name);
    return;
  }
  if (rules.wire) {
    // the first offered secret that covers the image and that the pod can name
    let elsewhere: PullSecretInfo | undefined;
    for (let i = 0; i < rules.candidates.length; i++) {
      const candidate = rules.candidates[i];
      if (!anyCovers(candidate.servers, name)) {
        continue;
      }
      if (pullSecrets.resolvesHere(candidate)) {
        pullSecrets.add(candidate);
        return;
      }
      elsewhere ??= candidate;
    }
    if (elsewhere) {
      check.reportWords(PodSpecRule.PULL_SECRET_NAMESPACE, pullSecrets.namespaceWords(elsewhere));
    }
  }
  check.report(PodSpecRule.PULL_SECRET_COVERAGE, NOT_COVERED, ref, pullSecrets.coverage(), ref.registry);
}

/** pins the container's image to the lock's digest in wire mode, or reports what the lock asks */
function checkLock(check: ContainerCheck, ref: ParsedImage, rules: PodSpecRules): ParsedImage {
  const container = check.spec;
  const digest = rules.lock!.get(lockKey(ref)!);
  if (digest !== undefined && rules.wire) {
    container.image = pinImage(container.image, ref, digest);
    return ParsedImage.parse(container.image);
  }
  if (digest !== undefined) {
    check.report(PodSpecRule.IMAGE_LOCK, NOT_PINNED, ref, digest);
  } else if (rules.requireLock) {
    check.report(PodSpecRule.IMAGE_LOCK, NOT_LOCKED, ref);
  }
  return ref;
}

/**
 * Why a pod or ServiceAccount in `namespace` cannot name `secret`, and the fix.
 * @param what `pod` or `service account`
 * @internal
 */
export function namespaceMismatch(secret: PullSecretInfo, what: string, namespace: string | undefined): { message: string; fix: string } {
  const where = namespace === undefined ? 'has no namespace' : `is in namespace "${namespace}"`;
  const mismatch = namespaceMismatchOf(secret, what, namespace, where);
  if (secret.copyable !== true) {
    return mismatch;
  }
  const into = namespace === undefined ? '' : `, or list "${namespace}" in its copyToNamespaces`;
  return { message: mismatch.message, fix: `${mismatch.fix}; or set copyToPodNamespaces: true on the RegistrySecret to write a copy into each namespace whose pods name it${into}` };
}

function namespaceMismatchOf(secret: PullSecretInfo, what: string, namespace: string | undefined, where: string): { message: string; fix: string } {
  if (secret.namespace === undefined || secret.namespace === '') {
    return {
      message: `pull secret "${secret.name}" has no namespace but the ${what} ${where}: a Secret written without a namespace `
        + 'is created in whichever namespace kubectl apply is given, and imagePullSecrets resolve only in the '
        + `${what}'s own namespace`,
      fix: `give the secret a namespace (its chart's namespace, e.g. new Chart(app, id, { namespace: "${namespace}" })), `
        + 'or make one secret per namespace that uses it',
    };
  }
  return {
    message: `pull secret "${secret.name}" is in namespace "${secret.namespace}" but the ${what} ${where}: `
      + `imagePullSecrets resolve only in the ${what}'s own namespace`,
    fix: `put the secret and the ${what} in the same namespace`,
  };
}

function describeNamespace(namespace: string | undefined): string {
  return namespace === undefined ? 'has no namespace' : `is in namespace "${namespace}"`;
}

/** no secrets: one frozen list for every pod that names none of another namespace */
const NO_SECRETS: PullSecretInfo[] = Object.freeze([]) as any;

/** no names: one frozen list for every pod whose ServiceAccount gives none */
const NO_NAMES: string[] = Object.freeze([]) as any;

/** The secrets a pod pulls with: its own imagePullSecrets, else its ServiceAccount's. */
class PullSecrets {
  private cache?: PullSecretInfo[];
  private namesCache?: string[];
  private coverageCache?: PodCoverage;
  /** secrets found only in another namespace than the pod's, with that namespace */
  private elsewhere?: Map<string, string | undefined>;
  /** required secrets the pod names that are in another namespace, so not written */
  private away?: PullSecretInfo[];

  constructor(private readonly podSpec: any, private readonly rules: PodSpecRules,
    private readonly context: PodSpecContext, private readonly violations: PodSpecViolation[]) {}

  public names(): string[] {
    // pullSecretSource inlined, with no object for its answer
    this.namesCache ??= namesOwnSecrets(this.podSpec)
      ? namedSecrets(this.podSpec.imagePullSecrets)
      : this.context.serviceAccount(serviceAccountOf(this.podSpec)) ?? NO_NAMES;
    return this.namesCache;
  }

  /** whether the pod can name `secret` (see `resolvesIn`) */
  public resolvesHere(secret: PullSecretInfo): boolean {
    return resolvesIn(secret, this.context.namespace);
  }

  public namespaceViolation(secret: PullSecretInfo): PodSpecViolation {
    return { rule: PodSpecRule.PULL_SECRET_NAMESPACE, ...this.namespaceWords(secret), path: ['imagePullSecrets'] };
  }

  public namespaceWords(secret: PullSecretInfo): { message: string; fix: string } {
    return namespaceMismatch(secret, 'pod', this.context.namespace);
  }

  /** what a coverage violation says of the pod now; one for the pod until a secret is added */
  public coverage(): PodCoverage {
    if (!this.coverageCache) {
      const node = this.rules.node;
      const unknown = this.resolved().filter(s => s.servers === undefined).map(s => `"${s.name}"`);
      this.coverageCache = {
        secrets: this.describe(),
        node: node !== undefined && node.length > 0 ? `, nor does the node (${node.map(describeNodeSource).join(', ')})` : '',
        unknown: unknown.length > 0 ? `; if ${unknown.join(' or ')} is an existing secret for it, declare it with RegistrySecret.fromSecretName` : '',
      };
    }
    return this.coverageCache;
  }

  /** a required secret of another namespace: the pod names it, though it is not written */
  public namedElsewhere(secret: PullSecretInfo): void {
    (this.away ??= []).push(secret);
    (this.elsewhere ??= new Map()).set(secret.name, secret.namespace);
  }

  public add(secret: PullSecretInfo): void {
    // the ServiceAccount admission plugin fills in only pods that name no secret, so a pod that
    // relied on its account keeps the account's secrets when it gets one of its own
    const names = this.names();
    const list: Array<{ name: string }> = new Array(names.length + 1);
    for (let i = 0; i < names.length; i++) {
      list[i] = { name: names[i] };
    }
    list[names.length] = { name: secret.name };
    this.podSpec.imagePullSecrets = list;
    this.cache = undefined;
    this.coverageCache = undefined;
    // what names() would read from the list
    this.namesCache = typeof secret.name === 'string' && secret.name !== '' ? [...names, secret.name] : undefined;
  }

  public resolved(): PullSecretInfo[] {
    if (!this.cache) {
      const names = this.names();
      const resolved: PullSecretInfo[] = new Array(names.length);
      for (let i = 0; i < names.length; i++) {
        resolved[i] = this.resolve(names[i]);
      }
      this.cache = resolved;
    }
    return this.cache;
  }

  /** whether a secret of the pod covers the image name, or cannot be read (which fails every pull of the pod) */
  public covers(imageName: string): boolean {
    const resolved = this.resolved();
    for (let i = 0; i < resolved.length; i++) {
      const s = resolved[i];
      if (s.invalid !== undefined || anyCovers(s.servers, imageName)) {
        return true;
      }
    }
    return false;
  }

  /** the secrets of the pod's namespace that it names and the kubelet cannot read */
  public invalid(): PullSecretInfo[] {
    const found: PullSecretInfo[] = [];
    const names = this.names();
    for (let i = 0; i < names.length; i++) {
      const here = this.find(names[i], true);
      if (here?.invalid !== undefined) {
        found.push(here);
      }
    }
    return found;
  }

  public describe(): string {
    const source = pullSecretSource(this.podSpec);
    const away = this.away ?? NO_SECRETS;
    // a pod that names a secret of another namespace names its own: its ServiceAccount's do not count
    const named = 'secrets' in source || away.length > 0;
    const secrets = 'secrets' in source ? [...this.resolved(), ...away] : away.length > 0 ? away : this.resolved();
    if (secrets.length === 0) {
      const unnamed = 'secrets' in source ? notNames(this.podSpec.imagePullSecrets) : '';
      return named ? `the pod names no pull secret${unnamed}` : `the pod names no pull secret and serviceAccount "${source.serviceAccount}" gives none`;
    }
    const via = named ? 'imagePullSecrets' : `serviceAccount "${source.serviceAccount}"`;
    return `${via} gives ` + secrets.map(s => this.elsewhere?.has(s.name)
      ? `"${s.name}", which ${describeNamespace(this.elsewhere.get(s.name))}`
      : s.servers === undefined
        ? `"${s.name}", whose servers are unknown`
        : `"${s.name}" for [${s.servers.map(redactUserinfo).join(', ')}]`).join(', ');
  }

  /**
   * the first secret named `name`: one the pod can name (`here`), or one in any namespace; the
   * rules' secrets come first, then those of the manifests
   */
  private find(name: string, here: boolean): PullSecretInfo | undefined {
    // in that order, stopping at the first secret that fits
    for (let l = 0; l < 4; l++) {
      const list = l === 0 ? this.rules.required : l === 1 ? this.rules.candidates : l === 2 ? this.rules.known : this.context.secrets(name);
      for (let i = 0; i < list.length; i++) {
        if (list[i].name === name && (!here || this.resolvesHere(list[i]))) {
          return list[i];
        }
      }
    }
    return undefined;
  }

  private resolve(name: string): PullSecretInfo {
    const here = this.find(name, true);
    if (here) {
      return here;
    }
    const elsewhere = this.find(name, false);
    if (elsewhere) {
      (this.elsewhere ??= new Map()).set(name, elsewhere.namespace);
      this.violations.push(this.namespaceViolation(elsewhere));
      return { name, servers: [] };
    }
    return { name };
  }
}
