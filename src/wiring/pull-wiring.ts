// The one mechanism that carries the pull rules into cdk8s.
//
// Rules are attached to constructs: a PrivateImagePull (which every PrivateImage* class applies)
// to a pod-bearing ApiObject or to a scope, a PrivateImageServiceAccount to its ServiceAccount, a
// PrivateRegistryPolicy to a scope. A scope's rule covers every object under it at synth, whenever
// the object was added. Whenever cdk8s renders an ApiObject, `toJson` asks the tree, at that moment,
// which rules cover the object and completes its pull fields; validation runs the same function and
// reports what is still wrong. Nothing read in one synth request is used by another.
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { addValidation, Cdk8sHooks, cdk8sJson, installHooks, isOwnApiObject, overridesToJson, RequestValidation, rootOf } from './cdk8s-hooks';
import { containersWithout, keepKeyOrder } from './key-order';
import { manifestForCheck } from './manifest-for-check';
import { MergedRules, PullRule, ScopeRules } from './pull-rule';
import { isExistingSecret, secretInfo, writtenServiceAccountName } from './pull-secrets';
import { SynthRequest } from './synth-request';
import { Lookup, TreeIndex } from './tree-index';
import { kubectlObjects } from '../rules/kubectl-objects';
import { EXISTING_PULL_SECRETS_ANNOTATION, isListKind } from '../rules/manifest-index';
import { NodeCredentialSource } from '../rules/node-credentials';
import { formatPlatform } from '../rules/platforms';
import { ClusterPlatforms, platformMismatch, PLATFORMS_ANNOTATION } from '../rules/pod-platforms';
import { PullSecretInfo, namespaceOf, namespacedKey, objectRef, podSpecOf, pullSecretSource, resolvesIn, runsPods } from '../rules/pod-spec';
import { checkPodSpec, completePodSpec, namespaceMismatch, NO_VIOLATIONS, PodSpecContext } from '../rules/pod-spec-check';

/**
 * The rules attached to each construct. A map, not a property, so that no object of cdk8s changes
 * shape; shared through the global symbol registry, so that two copies of this library agree.
 */
const RULES: WeakMap<IConstruct, PullRule[]> = (globalThis as any)[Symbol.for('cdk8s-private-registry.PullRules')] ??= new WeakMap();
/** by its symbol, as cdk8s checks it: an object of another copy of cdk8s is one too, and is refused with a message */
const IS_API_OBJECT: (c: unknown) => c is ApiObject = ApiObject.isApiObject;
/** whether a rule can decide pull fields of this kind: the kinds that run pods, lists of objects, and ServiceAccounts */
function isWired(kind: unknown): boolean {
  return kind === 'ServiceAccount' || holdsPods(kind);
}

/** whether objects of this kind run pods, or may hold objects that do: a List (from Include, or an L1 object) */
function holdsPods(kind: unknown): boolean {
  return runsPods(kind) || isListKind(kind);
}

/**
 * The mechanism, as static functions over the construct tree.
 * @internal
 */
export class PullWiring {
  /**
   * Installs the hooks into cdk8s, for a construct that needs them without a rule (a secret with
   * copies), and makes `completeChart` complete the objects of each chart cdk8s renders.
   */
  public static install(completeChart: (chart: IConstruct, objects: any[], request: SynthRequest) => any[]): void {
    HOOKS.completeChart = completeChart;
    installHooks(HOOKS);
  }

  /** Makes `rule` apply to `target` (an ApiObject) or to every object under it (a scope). */
  public static addRule(target: IConstruct, rule: PullRule): void {
    installHooks(HOOKS);
    const rules = RULES.get(target);
    if (rules) {
      rules.push(rule);
    } else {
      // a list of one, not an empty list grown to many: there is one per workload
      RULES.set(target, [rule]);
    }
  }

  /**
   * A rule that `obj` names `secrets` in its pull secrets, reported by `owner`; the owner of the
   * first such rule on `obj` reports those that come after it too.
   */
  public static requireSecrets(obj: ApiObject, owner: IConstruct, secrets: readonly kplus.ISecret[], publicRegistries: string[] = NONE,
    lock?: { readonly digests?: ReadonlyMap<string, string>; readonly required?: boolean }, node?: readonly NodeCredentialSource[],
    platforms?: ClusterPlatforms): void {
    if (!RULES.get(obj)?.some(isRequire)) {
      addValidation(owner, new Validation(obj));
    }
    PullWiring.addRule(obj, {
      owner,
      secrets,
      use: 'require',
      wire: true,
      publicRegistries,
      disallowLatest: false,
      requireDigest: false,
      lock: lock?.digests,
      requireLock: lock?.required,
      node,
      platforms,
    });
  }

  /**
   * Makes `rule` apply to every object under `scope`, whenever it was added, and `rule.owner`
   * report at synth each pod under `scope` whose innermost rule it is (an object with a rule of
   * its own reports itself).
   */
  public static addScopeRule(scope: IConstruct, rule: PullRule): void {
    PullWiring.addRule(scope, rule);
    let validation = SCOPE_VALIDATIONS.get(rule.owner);
    if (validation === undefined) {
      validation = new ScopeValidation(rule.owner, scope);
      SCOPE_VALIDATIONS.set(rule.owner, validation);
      addValidation(rule.owner, validation);
    }
    validation.rules.add(rule);
  }

  /**
   * What is wrong with `obj`'s pull fields under the rules over it, as its innermost rule's owner
   * reports it.
   * @param request the synth request running for `obj`'s app, if any
   * @param index the app's secrets and ServiceAccounts, when the caller has them
   * @param rules the rules over `obj`, when the caller has them
   * @param root the root of `obj`'s tree, when the caller has it
   */
  public static violations(obj: ApiObject, request?: SynthRequest, index?: Lookup, rules?: ScopeRules,
    root: IConstruct = rootOf(obj)): readonly string[] {
    return check(obj, root, request, index, rules);
  }

  /** the rules over `obj`, innermost first */
  public static rulesOf(obj: IConstruct): PullRule[] {
    const rules: PullRule[] = [];
    for (let c: IConstruct | undefined = obj; c; c = c.node.scope) {
      const own = RULES.get(c);
      if (own) {
        // the last rule added to a construct is the innermost
        for (let i = own.length - 1; i >= 0; i--) {
          rules.push(own[i]);
        }
      }
    }
    return rules;
  }

}

/** the innermost rule over `obj`, if any */
function innermostRule(obj: IConstruct): PullRule | undefined {
  for (let c: IConstruct | undefined = obj; c; c = c.node.scope) {
    const own = RULES.get(c);
    if (own && own.length > 0) {
      return own[own.length - 1];
    }
  }
  return undefined;
}

/**
 * The objects that run pods under `c` (and `c` itself), in the order of `findAll()`, whose
 * innermost rule is one of `rules`: found in one walk down, not one walk up per object.
 * @param inherited the innermost rule over `c` from above
 */
function collect(c: IConstruct, inherited: PullRule | undefined, rules: ReadonlySet<PullRule>, found: ApiObject[]): void {
  const own = RULES.get(c);
  const innermost = own !== undefined && own.length > 0 ? own[own.length - 1] : inherited;
  if (innermost !== undefined && rules.has(innermost) && IS_API_OBJECT(c) && holdsPods(c.kind)) {
    found.push(c);
  }
  const children = c.node.children;
  for (let i = 0; i < children.length; i++) {
    collect(children[i], innermost, rules, found);
  }
}

/** whether `owner` reports `obj` as its own: `obj` is the owner, or the owner's `Resource` */
function ownObject(obj: IConstruct, owner: IConstruct): boolean {
  return obj === owner || (obj.node.scope === owner && obj.node.id === 'Resource');
}

/** `PullWiring.violations`, for a caller that has `obj`'s root and request */
function check(obj: ApiObject, root: IConstruct, request: SynthRequest | undefined, index?: Lookup, rules?: ScopeRules): readonly string[] {
  if (!isOwnApiObject(obj)) {
    return [`${obj.node.path} was made with another copy of the cdk8s package than this library's, so its pull fields cannot be wired; `
      + 'install one copy (npm ls cdk8s, then npm dedupe)'];
  }
  const over = rules ?? rulesOver(obj, request);
  // completing what validation reads must not change the user's L1 props
  const manifest = manifestForCheck(obj, cdk8sJson, root, over.merged.wire, over.merged.platforms !== undefined);
  return complete(obj, manifest, true, request, index, over);
}

function isRequire(rule: PullRule): boolean {
  return rule.use === 'require';
}

/** no servers */
const NONE: string[] = [];

/** the check at synth of the pods under a scope, one per construct that reports them */
class ScopeValidation implements RequestValidation<SynthRequest> {
  /** the scope rules whose pods this reports: a policy's one, or those of each mixin applied to the scope */
  public readonly rules = new Set<PullRule>();

  constructor(private readonly owner: IConstruct, private readonly scope: IConstruct) {}

  public validate(request: SynthRequest | undefined, root: IConstruct): readonly string[] {
    // cdk8s validates the app again for each chart it writes; within one request the answer is the same
    const found = request?.violations.get(this);
    if (found) {
      return found;
    }
    const index = TreeIndex.of(root, request);
    // the same for every object under the scope without rules of its own
    const rules = rulesOn(this.scope, request);
    const violations: string[] = [];
    const reported: ApiObject[] = [];
    collect(this.scope, innermostRule(this.scope), this.rules, reported);
    for (let i = 0; i < reported.length; i++) {
      const c = reported[i];
      // its innermost rule is on the scope: the rules over it are the scope's
      const own = PullWiring.violations(c, request, index, rules, root);
      const prefix = ownObject(c, this.owner) ? '' : `${c.node.path}: `;
      for (let v = 0; v < own.length; v++) {
        violations.push(prefix + own[v]);
      }
    }
    request?.violations.set(this, violations);
    return violations;
  }
}

/** the ScopeValidation of each construct that reports the pods under a scope */
const SCOPE_VALIDATIONS = new WeakMap<IConstruct, ScopeValidation>();

/** an object's check at synth */
class Validation implements RequestValidation<SynthRequest> {
  constructor(private readonly obj: ApiObject) {}

  public validate(request: SynthRequest | undefined, root: IConstruct): readonly string[] {
    // cdk8s validates the app again for each chart it writes; within one request the answer is the same
    let found = request?.violations.get(this);
    if (found === undefined) {
      found = check(this.obj, root, request);
      request?.violations.set(this, found);
    }
    return found;
  }
}

/**
 * Completes `json`, the JSON cdk8s rendered for `obj`, and returns what is still wrong.
 * @param report false when only the JSON is wanted: then rules that change nothing are not run
 * @param request the synth request running for `obj`'s app, if any
 * @param index the app's secrets and ServiceAccounts, when the caller has them
 * @param scope the rules over `obj`, when the caller has them
 */
function complete(obj: ApiObject, json: any, report: boolean, request: SynthRequest | undefined,
  index?: Lookup, scope?: ScopeRules): readonly string[] {
  if (!isWired(json?.kind)) {
    return NO_VIOLATIONS;
  }
  const over = scope ?? rulesOver(obj, request);
  if (over.sources.length === 0) {
    return NO_VIOLATIONS;
  }
  const rules = over.merged;
  index ??= request?.index;
  const namespace = namespaceOf(json);
  if (json.kind === 'ServiceAccount') {
    // a scope's rules are for its pods: a ServiceAccount names the secrets of the rules on it alone
    return RULES.has(obj) ? completeServiceAccount(json, ownRequired(obj, request), namespace) : NO_VIOLATIONS;
  }
  if (isListKind(json.kind)) {
    // each item as kubectl applies it, in its own namespace; named by the item
    const found = kubectlObjects(json);
    if ('error' in found) {
      // check reports why kubectl refuses it
      return NO_VIOLATIONS;
    }
    let violations: string[] | undefined;
    for (const { manifest } of found.objects) {
      if (runsPods(manifest.kind)) {
        const own = completePod(obj, manifest, report, rules, request, index);
        for (let i = 0; i < own.length; i++) {
          (violations ??= []).push(`${objectRef(manifest)}: ${own[i]}`);
        }
      }
    }
    return violations ?? NO_VIOLATIONS;
  }
  const violations = completePod(obj, json, report, rules, request, index);
  // a rule on the object, or on its construct, is reported by that construct; a scope's names the object
  if (violations.length === 0 || ownObject(obj, over.sources[0].owner)) {
    return violations;
  }
  return violations.map(v => `${objectRef(json)}: ${v}`);
}

/** completes the pod spec of `json`, an object that runs pods (`obj` or an item of it), and returns what is still wrong */
function completePod(obj: ApiObject, json: any, report: boolean, rules: MergedRules, request: SynthRequest | undefined,
  index: Lookup | undefined): readonly string[] {
  const namespace = namespaceOf(json);
  const podSpec = podSpecOf(json);
  if (typeof podSpec !== 'object' || podSpec === null || Array.isArray(podSpec)) {
    return NO_VIOLATIONS;
  }
  if (rules.wire) {
    // the account's name as written, as the pod names its secrets' (the account's own check reports its namespace)
    const account = writtenServiceAccountName(obj);
    if (account !== undefined) {
      podSpec.serviceAccountName = account;
    }
  }
  // an L1 class (KubePod, ...) rebuilds its JSON in the schema's order after this hook: nothing to sort
  const sorts = !report && rules.wire && !overridesToJson(obj);
  // the keys the wiring may add, so that only objects it changed are put back in cdk8s's order
  const specKeys = sorts ? Object.keys(podSpec).length : 0;
  const unset = sorts ? containersWithout(podSpec, 'imagePullPolicy') : NO_CONTAINERS;
  const context = new TreeContext(obj, namespace, request, index);
  let violations = NO_VIOLATIONS;
  if (report) {
    violations = withConflicts(checkPodSpec(podSpec, rules, context), podSpec, context, rules.foreign);
    const mismatch = rules.platforms && platformMismatch(podSpec, rules.platforms);
    if (mismatch) {
      violations = [...violations, `${mismatch.message}; ${mismatch.fix}`];
    }
  } else {
    completePodSpec(podSpec, rules, context);
  }
  if (sorts) {
    keepKeyOrder(podSpec, specKeys);
    unset.forEach(c => keepKeyOrder(c, 0));
  }
  if (!report && rules.wire) {
    const names = pulledWith(podSpec, context);
    annotateExistingSecrets(json, names, existingNamed(names, rules, context), namespace);
    if (rules.platforms) {
      annotate(json, PLATFORMS_ANNOTATION, rules.platforms.platforms.map(formatPlatform).join(','));
    }
  }
  return violations;
}

/** the secrets the kubelet pulls the pod's images with: its own, else its ServiceAccount's */
function pulledWith(podSpec: any, context: TreeContext): string[] {
  const source = pullSecretSource(podSpec);
  return 'secrets' in source ? source.secrets : context.serviceAccount(source.serviceAccount) ?? [];
}

/**
 * The secrets created out of band among `names`, those the pod pulls with: the rules' own, and
 * those declared elsewhere in the app (RegistrySecret.fromSecretName) that the rules do not hold,
 * which validation counts too; the annotation tells `check` and the plugin of them.
 */
function existingNamed(names: string[], rules: MergedRules, context: TreeContext): PullSecretInfo[] {
  let existing = rules.existing;
  for (let i = 0; i < names.length; i++) {
    if (isRuleSecret(names[i], rules, context.namespace)) {
      continue;
    }
    const declared = context.existing(names[i]);
    if (declared !== undefined) {
      existing = existing === rules.existing ? [...existing, declared] : append(existing, declared);
    }
  }
  return existing;
}

/** whether a secret of the rules named `name` is the one a pod in `namespace` gets, as the pod-spec check finds it */
function isRuleSecret(name: string, rules: MergedRules, namespace: string | undefined): boolean {
  for (const list of [rules.required, rules.candidates, rules.known]) {
    for (let i = 0; i < list.length; i++) {
      if (list[i].name === name && resolvesIn(list[i], namespace)) {
        return true;
      }
    }
  }
  return false;
}

const NO_CONTAINERS: any[] = [];

/**
 * `violations`, and why a pull secret the pod names cannot be known from the app: written twice
 * with different content, or declared for servers the one written does not cover
 */
function withConflicts(violations: readonly string[], podSpec: any, context: TreeContext, foreign?: ReadonlyMap<string, string>): readonly string[] {
  if (foreign === undefined && !context.mayConflict()) {
    // most apps: no secret written twice nor declared beside one written, and none of another App
    return violations;
  }
  const source = pullSecretSource(podSpec);
  const names = 'secrets' in source ? source.secrets : context.serviceAccount(source.serviceAccount) ?? [];
  let found: string[] | undefined;
  for (let i = 0; i < names.length; i++) {
    const conflict = foreign?.get(names[i]) ?? context.conflict(names[i]);
    if (conflict !== undefined) {
      (found ??= [...violations]).push(conflict);
    }
  }
  return found ?? violations;
}

/** what a pod spec's check asks of the tree around it, read on first need */
class TreeContext implements PodSpecContext {
  constructor(private readonly obj: ApiObject, public readonly namespace: string | undefined,
    private readonly request: SynthRequest | undefined, private index?: Lookup) {}

  public secrets(name: string): PullSecretInfo[] {
    return this.lookup().secrets(name);
  }

  public serviceAccount(name: string): string[] | undefined {
    return this.lookup().serviceAccount(name, this.namespace);
  }

  public conflict(name: string): string | undefined {
    const lookup = this.lookup();
    return lookup.conflict === undefined ? undefined : lookup.conflict(name, this.namespace);
  }

  public mayConflict(): boolean {
    const lookup = this.lookup();
    return lookup.mayConflict === undefined || lookup.mayConflict();
  }

  public existing(name: string): PullSecretInfo | undefined {
    const lookup = this.lookup();
    return lookup.existing === undefined ? undefined : lookup.existing(name, this.namespace);
  }

  private lookup(): Lookup {
    return this.index ??= TreeIndex.of(this.obj, this.request);
  }
}

/** the rules over `obj`, merged; none: `merged.wire` is false */
function rulesOver(obj: ApiObject, request: SynthRequest | undefined): ScopeRules {
  // an object with no rule of its own has its parent's, the same for all its siblings
  return rulesOn(RULES.has(obj) || !obj.node.scope ? obj : obj.node.scope, request);
}

/**
 * The rules on `c` and above it, merged: those of `c` and of the objects under it that have none
 * of their own. Read once per synth request, by validation and by the render alike.
 */
function rulesOn(c: IConstruct, request: SynthRequest | undefined): ScopeRules {
  let rules = request?.rules.get(c);
  if (!rules) {
    const sources = PullWiring.rulesOf(c);
    rules = { sources, merged: mergeRules(sources, request) };
    request?.rules.set(c, rules);
  }
  return rules;
}

/** the secrets the rules on `obj` itself require, innermost rule first, each once */
function ownRequired(obj: IConstruct, request: SynthRequest | undefined): PullSecretInfo[] {
  const required: PullSecretInfo[] = [];
  const own = RULES.get(obj)!;
  for (let i = own.length - 1; i >= 0; i--) {
    if (isRequire(own[i])) {
      own[i].secrets.forEach(secret => required.push(infoOf(secret, request)));
    }
  }
  return unique(required);
}

/** a ServiceAccount lists its required secrets in `imagePullSecrets`, each once, after its own */
function completeServiceAccount(json: any, required: PullSecretInfo[], namespace: string | undefined): string[] {
  const own: any[] = Array.isArray(json.imagePullSecrets) ? json.imagePullSecrets : [];
  const names = new Set(own.map(s => s?.name));
  const added = required.filter(s => !names.has(s.name));
  if (added.length > 0) {
    const keyCount = Object.keys(json).length;
    json.imagePullSecrets = [...own, ...added.map(s => ({ name: s.name }))];
    keepKeyOrder(json, keyCount, ['apiVersion', 'kind', 'metadata']);
  }
  return required
    .filter(s => !resolvesIn(s, namespace))
    .map(s => {
      const { message, fix } = namespaceMismatch(s, 'service account', namespace);
      return `${message}; ${fix}`;
    });
}

/**
 * the secrets created out of band among `pulled`, those the pod pulls with, as an annotation the
 * plugin and `check` read
 */
function annotateExistingSecrets(json: any, pulled: string[], secrets: PullSecretInfo[], namespace: string | undefined): void {
  if (secrets.length === 0) {
    return;
  }
  const existing = secrets.filter(s => resolvesIn(s, namespace));
  if (existing.length === 0) {
    return;
  }
  const named = new Set(pulled);
  const servers: { [name: string]: string[] } = {};
  for (const s of existing) {
    if (named.has(s.name) && servers[s.name] === undefined && s.servers) {
      servers[s.name] = s.servers;
    }
  }
  const names = Object.keys(servers).sort();
  if (names.length === 0) {
    return;
  }
  annotate(json, EXISTING_PULL_SECRETS_ANNOTATION, JSON.stringify(Object.fromEntries(names.map(n => [n, servers[n]]))));
}

/** sets an annotation of the object `json`, keeping its keys in cdk8s's order */
function annotate(json: any, key: string, value: string): void {
  const metadata = json.metadata ??= {};
  const annotations = metadata.annotations ?? {};
  const keyCount = Object.keys(annotations).length;
  annotations[key] = value;
  keepKeyOrder(annotations, keyCount);
  if (metadata.annotations === undefined) {
    const count = Object.keys(metadata).length;
    metadata.annotations = annotations;
    keepKeyOrder(metadata, count);
  }
}

function mergeRules(sources: PullRule[], request: SynthRequest | undefined): MergedRules {
  // most lists stay empty: they are made on their first secret
  let required = NO_SECRETS;
  let candidates = NO_SECRETS;
  let known = NO_SECRETS;
  let existing = NO_SECRETS;
  let disallowLatest = false;
  let requireDigest = false;
  let requireLock = false;
  let lock: ReadonlyMap<string, string> | undefined;
  let node: NodeCredentialSource[] | undefined;
  let platforms: ClusterPlatforms | undefined;
  let foreign: Map<string, string> | undefined;
  // one pass, no callbacks
  for (let s = 0; s < sources.length; s++) {
    const source = sources[s];
    for (let i = 0; i < source.secrets.length; i++) {
      const secret = source.secrets[i];
      const info = infoOf(secret, request);
      const other = otherApp(secret, source.owner);
      if (other !== undefined) {
        (foreign ??= new Map()).set(info.name, other);
      }
      if (source.use === 'require') {
        required = append(required, info);
      } else if (source.use === 'offer') {
        candidates = append(candidates, info);
      } else {
        known = append(known, info);
      }
      if (isExistingSecret(secret)) {
        existing = append(existing, info);
      }
    }
    disallowLatest ||= source.disallowLatest;
    requireDigest ||= source.requireDigest;
    requireLock ||= source.requireLock === true;
    lock ??= source.lock;
    platforms ??= source.platforms;
    if (source.node !== undefined && source.node.length > 0) {
      (node ??= []).push(...source.node);
    }
  }
  // an offered secret tells what it covers too
  const allKnown = candidates.length === 0 ? known : [...known, ...candidates];
  return {
    // most lists hold one secret or none: nothing to make unique
    required: required.length < 2 ? required : unique(required),
    candidates: candidates.length < 2 ? candidates : unique(candidates),
    known: allKnown.length < 2 ? allKnown : unique(allKnown),
    existing,
    foreign,
    // the innermost rule decides whether to change anything: a VERIFY policy inside a WIRE one verifies
    wire: sources.length > 0 && sources[0].wire,
    publicRegistries: sources.length === 1 ? sources[0].publicRegistries : sources.flatMap(s => s.publicRegistries),
    disallowLatest,
    requireDigest,
    lock,
    requireLock,
    node,
    platforms,
  };
}

/**
 * Why `secret` cannot be named under `owner`'s rule: it is written by another App (whose output
 * this one's does not hold); undefined for a secret of the same App, or a reference to a secret
 * created out of band, which any App may declare.
 */
function otherApp(secret: kplus.ISecret, owner: IConstruct): string | undefined {
  const node = (secret as any).node;
  if (node === undefined || isExistingSecret(secret)) {
    return undefined;
  }
  const root = rootOf(secret as unknown as IConstruct);
  if (root === rootOf(owner)) {
    return undefined;
  }
  return `pull secret "${secret.name}" is made by ${node.path} in another App than ${owner.node.path}: that App writes it, `
    + 'this one does not, so the pod names a secret its manifests lack; make the secret in this App, '
    + `or declare the existing one with RegistrySecret.fromSecretName(scope, id, '${secret.name}', { servers })`;
}

/** no secrets: one frozen list shared by every merge, so that a change to it would throw */
const NO_SECRETS: PullSecretInfo[] = Object.freeze([]) as any;

/** what the rules know of `secret`: read once per synth request */
function infoOf(secret: kplus.ISecret, request: SynthRequest | undefined): PullSecretInfo {
  let info = request?.secrets.get(secret);
  if (!info) {
    info = secretInfo(secret);
    request?.secrets.set(secret, info);
  }
  return info;
}

/** `list` with `item` after its items: a new list when `list` is empty, as NO_SECRETS is */
function append<T>(list: T[], item: T): T[] {
  if (list.length === 0) {
    return [item];
  }
  list.push(item);
  return list;
}

/** each secret once: the same name in the same namespace is the same secret */
function unique(secrets: PullSecretInfo[]): PullSecretInfo[] {
  const seen = new Set<string>();
  return secrets.filter(s => {
    const key = namespacedKey(s.namespace, s.name);
    return !seen.has(key) && seen.add(key);
  });
}

/** what the wiring does where cdk8s renders an object and synthesizes an app */
const HOOKS: Cdk8sHooks<SynthRequest> = {
  newRequest: (root: IConstruct) => new SynthRequest(root),
  renders: isWired,
  render(obj: ApiObject, json: any, request: SynthRequest | undefined): void {
    const over = rulesOver(obj, request);
    // a render under no rule, or under a VERIFY policy, keeps cdk8s's JSON
    if (over.merged.wire) {
      complete(obj, json, false, request, undefined, over);
    }
  },
};
