// `check --pull`: every image of every pod spec in the input, asked of its registry with the
// credentials the kubelet would use, read from the pull secrets in the input. The same image with
// the same credentials is asked once, whichever pods and namespaces use it.
import { createHmac, randomBytes } from 'crypto';
import { formatPath } from './check-report';
import { CredentialPlugins } from './credential-plugins';
import { ObjectCollector, ObjectPlace, validateServer } from './manifest-check';
import { ManifestTarget, PullResult, RegistryClient, RegistryClientOptions, RegistryCredential } from './registry-client';
import { readRegularFile } from '../rules/bounded-read';
import { CredentialProviderSpec, providerMatches } from '../rules/credential-provider-config';
import { isExternalSecret, readExternalPullSecret } from '../rules/external-secret';
import { kubeletCredential } from '../rules/kubelet-docker-config';
import { kubeletLookup } from '../rules/kubelet-keyring';
import { askedLockKey } from '../rules/lock-file';
import { FORMAT_NAMES } from '../rules/manifest-format';
import { isObject, isPullSecret, ManifestIndex, pullSecretInfo, readPullSecret, SecretSource } from '../rules/manifest-index';
import { ParsedImage } from '../rules/parsed-image';
import { bestPlatform, formatPlatform } from '../rules/platforms';
import { annotatedPlatforms, ClusterPlatforms, DEFAULT_PLATFORM, PlatformNeed, podPlatforms } from '../rules/pod-platforms';
import { CONTAINER_LISTS, namedSecrets, namespaceOf, namespacedName, objectRef, podSpecOf, podSpecPath, pullSecretSource } from '../rules/pod-spec';
import { hasUserinfo, redactUserinfo } from '../rules/server-key';

/**
 * One question for a registry: an image, and the credentials to try, in the kubelet's order.
 * @internal
 */
export interface PullQuestion {
  /** the image as written where it is first used */
  readonly image: string;
  readonly target: ManifestTarget;
  /**
   * its keys in an image lock, `name:tag`: one, or, for a digest pinned under several tags (`1.4`
   * and `1.4.2`), one per tag; none for a digest without a tag
   */
  readonly lockKeys: readonly string[];
  readonly credentials: readonly RegistryCredential[];
  /** each credential's other secrets with the same content, which the answer holds for too, e.g. `b/regcred` */
  readonly sameCredentials: ReadonlyArray<readonly string[]>;
  /** pull secrets and ServiceAccounts the pods name that are not in the input, whose credentials could not be tried */
  readonly untried: readonly string[];
  /** the ServiceAccount whose pull secrets the pod uses, when it names none itself */
  readonly serviceAccount?: string;
  /** why the kubelet would not pull at all: a pull secret of the pod it cannot read; then nothing is asked */
  readonly unreadable?: string;
  /**
   * why nothing is asked: the only pull secrets of the pod that cover the image are ExternalSecrets,
   * whose credentials are in a store only the operator reads
   */
  readonly remote?: string;
  /** the object that first uses it, as `kind/namespace/name`, and its parts */
  readonly object: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
  /** the container that first uses it, and where it is in the object, e.g. `spec.containers[0]` */
  readonly container?: string;
  readonly path: string;
  /** where it is first used: the container's `image` */
  readonly file: string;
  readonly line: number;
  /** how many containers use it with these credentials */
  readonly uses: number;
  /**
   * every object that uses it with these credentials, as `kind/namespace/name`, with its file and
   * its own spelling of the image (a digest pinned under another tag); the first one first
   */
  readonly objects: ReadonlyArray<{ readonly object: string; readonly file: string; readonly image: string }>;
  /** every platform a pod that uses it may run on, once each, with the first such pod */
  readonly platforms: ReadonlyArray<PlatformNeed & { readonly object: string }>;
  /** why a pod that uses it may run on no platform at all, naming the pod */
  readonly unschedulable?: string;
}

/**
 * A question and the registry's answer.
 * @internal
 */
export interface PullAnswer extends PullQuestion {
  readonly result: PullResult;
}

/**
 * The defaults and limits of `check --pull` and of the plugin's `pull`.
 * @internal
 */
export const PULL_SETTINGS = {
  concurrency: { default: 8, max: 256 },
  timeoutSeconds: { default: 10, max: 600 },
} as const;

interface ContainerUse {
  readonly image: string;
  readonly ref: ParsedImage;
  readonly namespace?: string;
  readonly source: ReturnType<typeof pullSecretSource>;
  readonly place: ObjectPlace;
  readonly at: ReadonlyArray<string | number>;
  readonly object: string;
  readonly kind: string;
  readonly name?: string;
  readonly container?: string;
  readonly platforms: ReturnType<typeof podPlatforms>;
}

/** a pull secret's credentials, or why the kubelet cannot read it */
type SecretCredentials = RegistryCredential[] | { readonly invalid: string; readonly refused?: boolean }
  /** an ESO ExternalSecret's: in this store (or generator), which only the operator reads */
  | { readonly store: string };

/** a copy that shares no memory with the document's text */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/**
 * Gathers, while `check` reads the input, the pull secrets, ServiceAccounts and images; then
 * makes the questions.
 * @internal
 */
export class PullCollector implements ObjectCollector {
  /** the pull secrets and ServiceAccounts of the input, with each secret's credentials */
  private readonly index = new ManifestIndex<SecretCredentials>();
  private uses: ContainerUse[] = [];
  private questions: PullQuestion[] = [];
  /** credentials told apart by their content, under a key of this process that no one sees */
  private readonly hmacKey = randomBytes(32);
  private readonly cluster: ClusterPlatforms;

  /**
   * @param cluster the cluster's node platforms; default linux/amd64, named as `--platform` in messages
   */
  constructor(cluster?: ClusterPlatforms) {
    this.cluster = cluster ?? { platforms: [DEFAULT_PLATFORM], setting: '--platform', given: false };
  }

  /** the cluster's node platforms, and whether the default applied */
  public get clusterPlatforms(): ClusterPlatforms {
    return this.cluster;
  }

  public add(manifest: any, place: ObjectPlace): void {
    // copies throughout: the parsed strings may be slices of the whole document's text
    const name: unknown = typeof manifest.metadata?.name === 'string' ? copy(manifest.metadata.name) : undefined;
    const given = namespaceOf(manifest);
    const namespace = given === undefined ? undefined : copy(given);
    if (typeof name === 'string' && isPullSecret(manifest)) {
      const read = readPullSecret(manifest);
      this.index.addSecret(copy(pullSecretInfo(name, namespace, read)), SecretSource.WRITTEN, this.credentialsOf(read, namespace, name));
    } else if (typeof name === 'string' && isExternalSecret(manifest)) {
      const external = readExternalPullSecret(manifest);
      if (external !== undefined && !('error' in external)) {
        const { store, ...info } = copy(external);
        this.index.addSecret(info, SecretSource.WRITTEN, { store });
      }
    } else if (typeof name === 'string' && manifest.kind === 'ServiceAccount') {
      this.index.addServiceAccount(namespace, name, copy(namedSecrets(manifest.imagePullSecrets)));
    }
    const podSpec = podSpecOf(manifest);
    if (!isObject(podSpec)) {
      return;
    }
    const source = copy(pullSecretSource(podSpec));
    const object: string = copy(objectRef(manifest));
    const kind: string = copy(String(manifest.kind));
    const objectName = typeof name === 'string' ? name : undefined;
    // the platforms the app declared for the object (the constructs' `platforms`) win over the run's;
    // an annotation that cannot be read is a violation of the check
    const annotated = annotatedPlatforms(manifest);
    const platforms = copy(podPlatforms(podSpec, annotated !== undefined && !('error' in annotated) ? annotated : this.cluster));
    for (const list of CONTAINER_LISTS) {
      const containers = podSpec[list];
      for (const [index, container] of (Array.isArray(containers) ? containers : []).entries()) {
        // with Never the kubelet pulls nothing
        if (typeof container?.image !== 'string' || container.imagePullPolicy === 'Never') {
          continue;
        }
        const image: string = copy(container.image);
        let ref: ParsedImage;
        try {
          ref = ParsedImage.parse(image);
        } catch {
          // `check` reports it
          continue;
        }
        this.uses.push({
          image,
          ref,
          namespace,
          source,
          place,
          at: [...podSpecPath(manifest)!, list, index],
          object,
          kind,
          name: objectName,
          container: typeof container.name === 'string' ? copy(container.name) : undefined,
          platforms,
        });
      }
    }
  }

  /** makes the questions, now that every secret and ServiceAccount is known */
  public finish(): void {
    type Found = Omit<PullQuestion, 'uses' | 'objects' | 'lockKeys' | 'sameCredentials' | 'untried' | 'platforms' | 'unschedulable'>
      & { uses: number; untried: string[]; objects: Map<string, { file: string; image: string }>; lockKeys: Set<string>; same: Array<Set<string>> }
      & { platforms: Map<string, PlatformNeed & { object: string }>; unschedulable?: string };
    const byKey = new Map<string, Found>();
    for (const use of this.uses) {
      const { ref, namespace } = use;
      const { credentials, untried, unreadable, remote: external } = this.credentialsFor(use);
      // with no credentials to try, the kubelet would use the operator's: nothing can be asked
      const remote = credentials.length === 0 && external.length > 0
        ? `the credentials of ${external.join(' and ')} are in a store only the External Secrets Operator reads, so check --pull cannot ask with them`
        : undefined;
      const target = { registry: ref.registry, repository: ref.repository, reference: ref.digest ?? ref.tag ?? 'latest' };
      const ids = credentials.map(c => this.identity(c));
      const id = JSON.stringify([target.registry, target.repository, target.reference, unreadable ?? '', remote ?? '', ...ids]);
      const lockKey = askedLockKey(ref);
      let found = byKey.get(id);
      if (!found) {
        found = {
          image: use.image,
          target,
          credentials,
          untried,
          unreadable,
          remote,
          serviceAccount: 'secrets' in use.source ? undefined : use.source.serviceAccount,
          object: use.object,
          kind: use.kind,
          namespace,
          name: use.name,
          container: use.container,
          path: formatPath(use.at),
          file: use.place.file,
          line: use.place.line([...use.at, 'image']),
          uses: 0,
          objects: new Map(),
          lockKeys: new Set(),
          same: credentials.map(() => new Set<string>()),
          platforms: new Map(),
        };
        byKey.set(id, found);
      }
      found.uses++;
      // one read of the image answers every platform of every pod that uses it
      for (const need of use.platforms.platforms) {
        const name = formatPlatform(need.platform);
        if (!found.platforms.has(name)) {
          found.platforms.set(name, { ...need, object: use.object });
        }
      }
      if (use.platforms.none !== undefined) {
        found.unschedulable ??= `${use.object}: ${use.platforms.none}`;
      }
      // what one pod could not try is named, whichever pod asked first
      for (const name of untried) {
        if (!found.untried.includes(name)) {
          found.untried.push(name);
        }
      }
      if (!found.objects.has(use.object)) {
        found.objects.set(use.object, { file: use.place.file, image: use.image });
      }
      if (lockKey !== undefined) {
        found.lockKeys.add(lockKey);
      }
      // the same credentials under another secret's name: a refusal holds for it too
      credentials.forEach((c, i) => c.secret !== found!.credentials[i].secret && found!.same[i].add(c.secret));
    }
    this.questions = [...byKey.values()].map(({ objects, lockKeys, same, platforms, ...question }) =>
      ({
        ...question,
        platforms: [...platforms.values()],
        objects: [...objects].map(([object, { file, image }]) => ({ object, file, image })),
        lockKeys: [...lockKeys],
        sameCredentials: same.map(names => [...names]),
      }));
    // the places hold their files open to read them again
    this.uses = [];
  }

  /** the credentials the kubelet would try for a container, in its order, and what it could not try */
  private credentialsFor(use: ContainerUse): { credentials: RegistryCredential[]; untried: string[]; unreadable?: string; remote: string[] } {
    const { ref, namespace, source } = use;
    const untried: string[] = [];
    const remote: string[] = [];
    let names: string[];
    if ('secrets' in source) {
      names = source.secrets;
    } else {
      const account = this.index.serviceAccount(source.serviceAccount, namespace);
      if (account === undefined && source.serviceAccount !== 'default') {
        untried.push(`serviceAccount "${source.serviceAccount}" (not in the input)`);
      }
      names = account ?? [];
    }
    const entries: RegistryCredential[] = [];
    let unreadable: string | undefined;
    for (const name of names) {
      // a secret without a namespace goes wherever its pods are
      const secret = this.index.written(name, namespace)[0] ?? this.index.written(name, undefined)[0];
      const credentials = secret && this.index.origin(secret);
      if (credentials && 'invalid' in credentials && credentials.refused) {
        // the API server never stores it, so the kubelet finds no such secret and pulls with the others
        untried.push(`secret "${name}" (the API server refuses it: ${credentials.invalid})`);
      } else if (credentials && 'invalid' in credentials) {
        // the kubelet builds its keyring from all of them, and fails every pull when one does not parse
        unreadable ??= `the kubelet cannot read pull secret "${name}" (${credentials.invalid}), so it pulls nothing for the pod`;
      } else if (credentials && 'store' in credentials) {
        // the kubelet will read it once the operator has written it; a server from the store is unknown here
        if (secret.servers === undefined || kubeletLookup(secret.servers.map(server => ({ server })), ref.name).length > 0) {
          const described = `pull secret "${name}" (an ExternalSecret of ${credentials.store})`;
          remote.push(described);
          untried.push(`${described.slice('pull '.length)}, whose credentials only the operator reads`);
        }
      } else if (credentials) {
        entries.push(...credentials);
      } else {
        // the kubelet reads a pull secret in the pod's namespace only
        untried.push(`secret "${name}" (${this.index.secrets(name).length > 0 ? 'in another namespace than the pod' : 'not in the input'})`);
      }
    }
    return { credentials: kubeletLookup(entries, ref.name), untried, unreadable, remote };
  }

  /** the questions, in the order their images are first used */
  public get result(): readonly PullQuestion[] {
    return this.questions;
  }

  private credentialsOf(read: ReturnType<typeof readPullSecret>, namespace: string | undefined, name: string): SecretCredentials {
    const { entries, invalid, refused } = read;
    if (invalid !== undefined) {
      return { invalid: copy(invalid), refused };
    }
    const secret = namespacedName(namespace, name);
    return [...entries ?? []].map(([server, entry]) => {
      // as the kubelet reads an entry: `auth`, when present, gives both, as bytes (fresh copies)
      const { username, password } = kubeletCredential(entry);
      return new RegistryCredential(copy(secret), copy(server), username, password);
    });
  }

  private identity(credential: RegistryCredential): string {
    return createHmac('sha256', this.hmacKey).update(credential.server).update('\0').update(credential.basic()).digest('hex');
  }
}

/**
 * How to ask the registries.
 * @internal
 */
export interface PullOptions extends RegistryClientOptions {
  /** at most this many requests at once; default `PULL_SETTINGS.concurrency.default` */
  readonly concurrency?: number;
  /** the cluster's node platforms, for the collector; default linux/amd64 */
  readonly cluster?: ClusterPlatforms;
  /**
   * the node's credential providers (`--image-credential-provider-config`), and their plugins
   * when they can be run (`--image-credential-provider-bin-dir`)
   */
  readonly node?: {
    readonly providers: ReadonlyArray<Pick<CredentialProviderSpec, 'name' | 'matchImages'>>;
    readonly plugins?: CredentialPlugins;
    /** how the caller's users give the plugins' directory, for messages; default `--image-credential-provider-bin-dir DIR` */
    readonly binDirSetting?: string;
  };
}

/**
 * Asks every question of `collector`, with a client of its own that is closed after.
 * @internal
 */
export async function askRegistries(collector: PullCollector, options: PullOptions): Promise<PullAnswer[]> {
  const concurrency = options.concurrency ?? PULL_SETTINGS.concurrency.default;
  const client = new RegistryClient({ maxSockets: concurrency, content: true, ...options });
  try {
    return await askAll(collector.result, client, concurrency, options.node);
  } finally {
    client.close();
  }
}

/**
 * Whether the node's runtime would pull what the registry serves: not schema 1 (containerd 2.0
 * removed it), an image and not an artifact, and, for an index, a manifest for every platform a
 * pod may run on, matched as containerd matches (src/rules/platforms.ts); a single manifest by its
 * config's platform.
 * @internal
 */
export function judgeContent(question: PullQuestion, result: PullResult): PullResult {
  if (result.status !== 'ok' || !result.content) {
    return result;
  }
  const { manifest, offered } = result.content;
  const { image } = question;
  const digest = result.digest;
  if (manifest.format === 'docker-schema1' || manifest.format === 'docker-schema1-signed') {
    return {
      status: 'unpullable',
      cause: 'schema1',
      digest,
      reason: `${image} is ${FORMAT_NAMES[manifest.format]} (${manifest.mediaType}), which containerd 2.0 and later no longer pull`,
    };
  }
  if (manifest.invalid !== undefined) {
    return { status: 'error', reason: `${image}: ${manifest.invalid}` };
  }
  if (manifest.artifact !== undefined) {
    return { status: 'unpullable', cause: 'artifact', digest, reason: `${image} is not a container image: it is an OCI artifact of type ${manifest.artifact}` };
  }
  if (question.unschedulable !== undefined) {
    return { status: 'unpullable', cause: 'platform', digest, reason: question.unschedulable };
  }
  const missing = question.platforms.filter(need => bestPlatform(need.platform, offered) === undefined);
  if (missing.length === 0) {
    return result;
  }
  // a builder's attestation manifests are listed as unknown/unknown: no node runs them
  const offers = [...new Set(offered.filter(o => o.platform.os !== 'unknown').map(o => formatPlatform(o.platform)))];
  const who = question.objects.length > 1 ? (need: { object: string }) => need.object : () => 'the pod';
  return {
    status: 'unpullable',
    cause: 'platform',
    digest,
    reason: `${image} has no ${missing.map(need => formatPlatform(need.platform)).join(' or ')} manifest `
      + `(it offers ${offers.length > 0 ? offers.join(', ') : 'no platform'}); `
      + missing.map(need => `${who(need)} may run on ${formatPlatform(need.platform)} (${need.why})`).join(', '),
  };
}

/** asks every question, at most `concurrency` at once */
async function askAll(questions: readonly PullQuestion[], client: RegistryClient, concurrency: number, node: PullOptions['node']): Promise<PullAnswer[]> {
  const answers: PullAnswer[] = new Array(questions.length);
  let next = 0;
  const worker = async () => {
    while (next < questions.length) {
      const i = next++;
      const { unreadable, remote } = questions[i];
      const result: PullResult = unreadable ? { status: 'error', reason: unreadable }
        : remote ? { status: 'remote', reason: remote } : await ask(questions[i], client, node);
      answers[i] = { ...questions[i], result: judgeContent(questions[i], result) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, questions.length) }, worker));
  return answers;
}

/**
 * Asks with the pod's credentials, then the node's providers', the kubelet's order
 * (secrets.MakeDockerKeyring: the secrets' keyring, then the node's). A provider that matches the
 * image and gives nothing makes the image's error, unless the pod's own credentials are let in.
 */
async function ask(question: PullQuestion, client: RegistryClient, node: PullOptions['node']): Promise<PullResult> {
  const { target, credentials } = question;
  const imageName = `${target.registry}/${target.repository}`;
  const matching = node?.providers.filter(p => providerMatches(p, imageName)) ?? [];
  if (matching.length === 0) {
    return client.resolve(target, credentials);
  }
  const unrun = matching.filter(p => !node!.plugins?.has(p.name));
  const fromNode = unrun.length > 0
    ? {
      credentials: [],
      errors: [`node provider ${unrun.map(p => `"${p.name}"`).join(', ')} covers ${imageName} but could not be run: `
        + `give ${node!.binDirSetting ?? '--image-credential-provider-bin-dir DIR'}, the directory of its executable, to pull with the node's credentials`],
    }
    : await node!.plugins!.credentialsFor(imageName);
  if (fromNode.errors.length === 0) {
    return client.resolve(target, [...credentials, ...fromNode.credentials]);
  }
  const withSecrets = credentials.length > 0 ? await client.resolve(target, credentials) : undefined;
  return withSecrets?.status === 'ok' ? withSecrets : { status: 'error', reason: fromNode.errors.join('; ') };
}

/**
 * What gave the credential the registry let in, for reports: `secret "ns/name"`, `node provider
 * "name"`, or `anonymous`; undefined when it let none in.
 * @internal
 */
export function coveredBy(answer: Pick<PullAnswer, 'result' | 'serviceAccount'>): string | undefined {
  const { result } = answer;
  if (result.status !== 'ok') {
    return undefined;
  }
  const credential = result.credential;
  if (credential === undefined) {
    return 'anonymous';
  }
  if (credential.provider !== undefined) {
    return `node provider "${credential.provider}"`;
  }
  return answer.serviceAccount === undefined ? `secret "${credential.secret}"` : `secret "${credential.secret}" of serviceAccount "${answer.serviceAccount}"`;
}

/** the most a CA file may hold: Debian's whole ca-certificates.crt is about 220 KiB */
export const MAX_CA_FILE_BYTES = 4 * 1024 * 1024;

/**
 * The PEM certificates of a CA file, checked: a regular file of at most {@link MAX_CA_FILE_BYTES}.
 * @param what names the setting in errors, e.g. `--ca-file`
 * @internal
 */
export function readCaFile(file: string, what: string): string {
  const text = readRegularFile(file, what, MAX_CA_FILE_BYTES).toString('utf8');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`${what} ${JSON.stringify(file)} holds no PEM certificate; expected -----BEGIN CERTIFICATE----- blocks`);
  }
  return text;
}

/**
 * `host[:port]` checked as an image reference names a registry.
 * @param what names the setting in errors, e.g. `--insecure-registry`
 * @internal
 */
export function registryHost(host: unknown, what: string): string {
  refuseUserinfo(host, what, 'HOST[:PORT], e.g. 127.0.0.1:5000');
  let registry: string | undefined;
  try {
    registry = ParsedImage.parse(`${host}/probe`).registry;
  } catch {
    registry = undefined;
  }
  if (typeof host !== 'string' || registry !== host || !(host.includes('.') || host.includes(':') || host === 'localhost')) {
    throw new Error(`${what} ${JSON.stringify(host)} is not a registry host; expected HOST[:PORT] as in an image reference, e.g. 127.0.0.1:5000`);
  }
  return host;
}

/**
 * A registry server given as a setting (`--private-registry`, `privateRegistries`, ...), checked
 * as a pull secret's server key and refused with a user name or password in it.
 * @param what names the setting in errors, e.g. `--private-registry`
 * @internal
 */
export function registryServer(server: unknown, what: string): string {
  refuseUserinfo(server, what, 'host[:port][/path], e.g. registry.gitlab.com');
  return validateServer(server, what);
}

/** refuses a setting with a user name or password before "@", repeating neither */
function refuseUserinfo(value: unknown, what: string, expected: string): void {
  if (typeof value === 'string' && hasUserinfo(value)) {
    throw new Error(`${what} ${JSON.stringify(redactUserinfo(value))} carries a user name or password before "@"; `
      + `expected ${expected}, with credentials only in a pull secret`);
  }
}

/**
 * What an answer says, in one line that names secrets and servers, never a credential.
 * @internal
 */
export function describeAnswer(answer: PullAnswer): string {
  const { result } = answer;
  switch (result.status) {
    case 'ok':
      return `ok ${result.digest}${result.credential?.provider !== undefined ? ` (${coveredBy(answer)})` : ''}`;
    case 'not-found':
      return `not found: ${result.reason}`;
    case 'unreachable':
      return `unreachable (${result.cause}): ${result.reason}`;
    case 'error':
      return `error: ${result.reason}`;
    case 'remote':
      return `not asked: ${result.reason}`;
    case 'unpullable':
      return `not pullable (${result.cause}): ${result.reason}`;
    case 'unauthorized': {
      const tried = result.tried.length > 0
        ? `tried ${result.tried.map(c => {
          const same = answer.sameCredentials[answer.credentials.indexOf(c)] ?? [];
          return same.length > 0 ? `${c} (the same credentials as ${listSome(same.map(name => `"${name}"`))})` : String(c);
        }).join(', ')}`
        : 'tried anonymously: no pull secret of the pod covers its registry';
      const untried = answer.untried.length > 0 ? `; not tried: ${answer.untried.join(', ')}` : '';
      return `unauthorized: ${tried}; ${result.reason}${untried}`;
    }
  }
}

/**
 * The other objects an answer holds for, for a line that names the first: `; also Pod/b/p, ...`.
 * @internal
 */
export function otherUsers(answer: PullAnswer, most = MOST_NAMED): string {
  const others = answer.objects.filter(o => o.object !== answer.object)
    .map(o => o.image === answer.image ? o.object : `${o.object} (as "${o.image}")`);
  return others.length === 0 ? '' : `; also used by ${listSome(others, most)}`;
}

/** how many names a line lists before it counts the rest */
const MOST_NAMED = 5;

function listSome(names: string[], most = MOST_NAMED): string {
  return names.slice(0, most).join(', ') + (names.length > most ? ` and ${names.length - most} more` : '');
}

/**
 * How to fix what an answer says; undefined for ok.
 * @internal
 */
export function answerFix(answer: PullAnswer): string | undefined {
  const { result } = answer;
  switch (result.status) {
    case 'ok':
      return undefined;
    case 'unauthorized':
      return 'check that the pull secret\'s credentials are current and may pull this repository, and that the repository exists; '
        + 'recreate the secret with kubectl create secret docker-registry';
    case 'not-found':
      return 'push the tag, or correct the image reference';
    case 'unreachable':
      return {
        dns: 'correct the registry host name, or run where it resolves',
        refused: 'correct the registry port, or start the registry',
        timeout: 'run where the registry is reachable, or raise --timeout',
        tls: 'give the registry\'s CA with --ca-file, or list a plain-HTTP registry with --insecure-registry',
        connection: 'run where the registry is reachable',
      }[result.cause];
    case 'error':
      return answer.unreadable
        ? 'fix the secret, e.g. recreate it with kubectl create secret docker-registry'
        : 'check the registry\'s address and that it serves the Docker registry API v2';
    case 'remote':
      return 'check the pull where the operator has written the Secret: kubectl get secret NAME -n NAMESPACE -o yaml, '
        + 'given to check --pull with the pod\'s manifests';
    case 'unpullable':
      return {
        platform: 'push the image for every platform its pods may run on (e.g. docker buildx build --platform linux/amd64,linux/arm64 --push), '
          + 'or constrain the pods with nodeSelector kubernetes.io/arch, or give the cluster\'s platforms with --platform',
        schema1: 'push the image again with a current builder, or convert it: skopeo copy --format v2s2 docker://IMAGE docker://IMAGE',
        artifact: 'reference a container image; an artifact (a Helm chart, a signature, an SBOM) is read by its own tool, not pulled by a node',
      }[result.cause];
  }
}

/**
 * The digests of the answers, by image lock key: each image the registry served. An image pinned
 * with its tag keeps its lock entry (the digest it was asked by), so that writing the lock from
 * pinned output changes nothing; an image asked by tag wins over a pinned one of the same tag.
 * @internal
 */
export function lockedDigests(answers: readonly PullAnswer[]): Map<string, string> {
  const digests = new Map<string, string>();
  const byTag = new Set<string>();
  for (const answer of answers) {
    if (answer.result.status !== 'ok') {
      continue;
    }
    const pinned = answer.target.reference.includes(':');
    for (const lockKey of answer.lockKeys) {
      if (!pinned || !byTag.has(lockKey)) {
        digests.set(lockKey, answer.result.digest);
      }
      if (!pinned) {
        byTag.add(lockKey);
      }
    }
  }
  return digests;
}
