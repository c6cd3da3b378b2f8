// `cdk8s-private-registry check`: the pod-spec rules on any multi-document YAML, such as the
// output of `helm template` or `kustomize build`. Run by bin/cdk8s-private-registry.js.
import { accessSync, constants, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { parseArgs } from 'util';
import { CheckRule, InputError, ManifestCheckResult, ManifestRule, ManifestViolation, RULE_DESCRIPTIONS, describeInputError, groupBy, objectKey, printable } from './check-report';
import { CredentialPlugins } from './credential-plugins';
import { checkManifests, EXISTING_PULL_SECRETS_ANNOTATION } from './manifest-check';
import { ManifestSource, MAX_DOCUMENT_BYTES, STDIN_NAME } from './manifest-stream';
import { answerFix, askRegistries, coveredBy, describeAnswer, lockedDigests, otherUsers, PullAnswer, PullCollector, PULL_SETTINGS, readCaFile, registryHost, registryServer } from './pull-check';
import { PullResult, RegistryCredential } from './registry-client';
import { CredentialProviderSpec, readCredentialProviderConfigFile } from '../rules/credential-provider-config';
import { formatImageLock } from '../rules/lock-file';
import { providerSources } from '../rules/node-credentials';
import { formatPlatform } from '../rules/platforms';
import { ClusterPlatforms, clusterPlatforms, PLATFORMS_ANNOTATION } from '../rules/pod-platforms';
import { PullSecretInfo } from '../rules/pod-spec';
import { PodSpecRule } from '../rules/pod-spec-check';
import { redactUserinfo } from '../rules/server-key';

const COMMAND = 'cdk8s-private-registry';
const STDIN = '-';
/** what a directory argument reads, as `kubectl apply -f DIR` does */
const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];
/** the rule of an input error in JSON output */
const UNREADABLE_INPUT = 'unreadable-input';
/** the rule of an image's answer in JSON output */
const IMAGE_PULL = 'image-pull';
const { concurrency: CONCURRENCY, timeoutSeconds: TIMEOUT_SECONDS } = PULL_SETTINGS;

/** the rules `check` applies, for the help text */
const RULES: Array<[CheckRule, string]> = [
  [PodSpecRule.IMAGE_PULL_POLICY, ''],
  [PodSpecRule.IMAGE_REFERENCE, ''],
  [PodSpecRule.PULL_SECRET_COVERAGE, ''],
  [PodSpecRule.PULL_SECRET_NAMESPACE, ''],
  [ManifestRule.PULL_SECRET_TYPE, ''],
  [ManifestRule.EXISTING_PULL_SECRETS, ''],
  [PodSpecRule.DISALLOW_LATEST, 'with --disallow-latest: '],
  [PodSpecRule.REQUIRE_DIGEST, 'with --require-digest: '],
];

const OPTIONS = {
  'format': { type: 'string' },
  'private-registry': { type: 'string', multiple: true },
  'public-registry': { type: 'string', multiple: true },
  'existing-secret': { type: 'string', multiple: true },
  'disallow-latest': { type: 'boolean' },
  'require-digest': { type: 'boolean' },
  'image-credential-provider-config': { type: 'string' },
  'image-credential-provider-bin-dir': { type: 'string' },
  'pull': { type: 'boolean' },
  'lock': { type: 'string' },
  'concurrency': { type: 'string' },
  'timeout': { type: 'string' },
  'ca-file': { type: 'string', multiple: true },
  'insecure-registry': { type: 'string', multiple: true },
  'platform': { type: 'string', multiple: true },
  'help': { type: 'boolean', short: 'h' },
  'version': { type: 'boolean' },
} as const;

const USAGE = `Usage: ${COMMAND} check [options] FILE|DIR...

Checks every pod and pod template in multi-document Kubernetes YAML or JSON, such as the output of
\`helm template\` or \`kustomize build\`. FILE "-" reads standard input. DIR checks the files
${MANIFEST_EXTENSIONS.map(e => `*${e}`).join(', ')} directly in it, as \`kubectl apply -f DIR\` does (not its subdirectories):

  helm template my-release ./chart | npx ${COMMAND} check --private-registry registry.gitlab.com -

Rules:
${RULES.map(([rule, when]) => `  ${rule.padEnd(22)} ${when}${RULE_DESCRIPTIONS[rule].recommendation}`).join('\n')}

Pull secrets (Secrets of type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg) and
ServiceAccounts anywhere in the input count for the pods of their namespace, as if the whole input
were applied together. So do the secrets an object declares in its annotation
${EXISTING_PULL_SECRETS_ANNOTATION}. Server keys match images by the kubelet's rules.

Options:
  --private-registry SERVER   A registry whose images need a pull secret; repeatable.
                              Default: every registry not given with --public-registry.
  --public-registry SERVER    A registry whose images need no pull secret; repeatable.
                              Default: none. Without either option every image needs a
                              covering pull secret: name your private registries, or your
                              public ones, to leave public images (docker.io, ...) unchecked.
  --existing-secret [NAMESPACE/]NAME=SERVER[,SERVER...]
                              A pull secret that exists in the cluster but is not in the
                              input; repeatable. Without NAMESPACE it counts in every
                              namespace. A Secret of that name in the input wins.
  --image-credential-provider-config FILE
                              The kubelet's CredentialProviderConfig (its flag of the same
                              name): an image a provider's matchImages match needs no pull
                              secret. The file is refused as the kubelet refuses it.
  --image-credential-provider-bin-dir DIR
                              With --pull and --image-credential-provider-config: run the
                              providers' executables in DIR as the kubelet runs them, and try
                              their credentials after the pod's pull secrets. Without it an
                              image only a provider covers is an error: the provider could not
                              be run. A provider's failure is its image's error; its output is
                              never shown.
  --disallow-latest           Refuse images tagged latest or not tagged at all.
  --require-digest            Refuse images without a digest.
  --pull                      Then ask each image's registry for its manifest, as a container
                              runtime does before it pulls (HEAD /v2/NAME/manifests/REF), with
                              the credentials the kubelet would use: the pull secrets in the
                              input that the pod names, or its ServiceAccount's, each matching
                              entry in turn, most specific first; anonymously when none covers
                              the image. The same image with the same credentials is asked
                              once. One line per image: ok and its digest, unauthorized (naming
                              the secrets tried), not found, or unreachable (dns, refused,
                              timeout, tls). No credential is ever printed.
  --lock FILE                 With --pull: write the digest of every image to FILE, keyed by
                              name and tag (an image lock for ImageLock.fromFile), when all
                              are ok. An image pinned with its tag keeps the digest it has.
  --concurrency N             With --pull: at most N requests at once (default ${CONCURRENCY.default}, at most ${CONCURRENCY.max}).
  --timeout SECONDS           With --pull: the most one request may take (default ${TIMEOUT_SECONDS.default}, at most ${TIMEOUT_SECONDS.max}).
                              429 and 5xx answers are retried with backoff, each wait at most
                              the timeout.
  --ca-file FILE              With --pull: also trust the CA certificates (PEM) in FILE; repeatable.
  --insecure-registry HOST[:PORT]
                              With --pull: ask this registry over plain HTTP; repeatable.
                              Every other registry is asked over HTTPS, its certificate verified.
  --platform OS/ARCH[/VARIANT][,...]
                              With --pull: the cluster's node platforms (its node pools), e.g.
                              linux/amd64,linux/arm64; repeatable. A pod whose nodeSelector,
                              required node affinity (kubernetes.io/arch, kubernetes.io/os) or
                              spec.os.name names platforms may run on those of them; any other
                              on all. Every image must offer a manifest each of its pods' nodes
                              pulls, matched as containerd matches (arm/v7 takes arm/v6 too).
                              Default: linux/amd64, or what the pod names itself.
  --format text|json          text (default): one line per violation, grouped by object.
                              json: an array of {file, line, column, object, kind, namespace,
                              name, container, path, rule, message, fix}; every field is
                              present, null where it does not apply. An input that cannot
                              be read is an entry with the rule "${UNREADABLE_INPUT}". With
                              --pull, each image is an entry with the rule "${IMAGE_PULL}",
                              and every entry has a field pull: {image, status, cause,
                              digest, coveredBy, tried: [{secret or provider, server,
                              sameCredentials}], untried,
                              objects: [{object, file, image}], platforms: [{platform, why,
                              object}]}, null on the others.
  -h, --help                  Show this help.
  --version                   Show the version.

One document may hold at most ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB; a larger one is reported and skipped.

Input is read as kubectl reads it: YAML 1.1 as go-yaml v2 decodes it, documents split at lines
that start with "---", a stream of JSON objects when it starts with "{", and any object with
"items" read as a list. Only regular files, directories of them, and "-" (a pipe) are read.

Exit status: 0 when nothing is wrong; 1 on violations or an image that is not ok; 2 on a usage
error (nothing is read); 3 when some input cannot be read (everything readable is still
checked and reported).
`;

/** The exit status when some input cannot be read; a usage error is 2. */
const UNREADABLE_EXIT = 3;

/** A usage error (exit status 2), or input with nothing to check (3); no stack trace. */
class CommandError extends Error {
  constructor(message: string, public readonly status = 2) {
    super(message);
  }
}

interface CheckArgs {
  readonly files: string[];
  readonly format: 'text' | 'json';
  readonly privateRegistries?: string[];
  readonly publicRegistries?: string[];
  readonly existingSecrets: PullSecretInfo[];
  /** the providers of --image-credential-provider-config */
  readonly providers: CredentialProviderSpec[];
  readonly disallowLatest: boolean;
  readonly requireDigest: boolean;
  readonly pull?: {
    readonly lock?: string;
    readonly concurrency: number;
    readonly timeoutMs: number;
    readonly ca: string[];
    readonly insecureRegistries: string[];
    readonly cluster: ClusterPlatforms;
    readonly node?: { readonly providers: readonly CredentialProviderSpec[]; readonly plugins?: CredentialPlugins };
  };
}

/**
 * Runs the command line `args` (without `node` and the script) and resolves to the exit status.
 * @internal
 */
export async function main(args: string[]): Promise<number> {
  try {
    if (args.length === 0) {
      throw new CommandError(`a command is required; run "${COMMAND} check --help"`);
    }
    if (args[0] === '--version' || (args[0] === 'check' && args.slice(1).includes('--version'))) {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    if (args[0] === '--help' || args[0] === '-h' || (args[0] === 'check' && args.slice(1).some(a => a === '--help' || a === '-h'))) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (args[0] !== 'check') {
      throw new CommandError(`unknown command ${JSON.stringify(args[0])}; expected "check"`);
    }
    const options = parseCheckArgs(args.slice(1));
    const { sources, errors } = expandInputs(options.files);
    const collector = options.pull ? new PullCollector(options.pull.cluster) : undefined;
    const result = await checkManifests(sources, {
      collector,
      privateRegistries: options.privateRegistries,
      publicRegistries: options.publicRegistries,
      existingSecrets: options.existingSecrets,
      nodeCredentials: providerSources(options.providers),
      disallowLatest: options.disallowLatest,
      requireDigest: options.requireDigest,
      settings: {
        existingSecret: registry => `--existing-secret NAME=${registry}`,
        publicRegistry: registry => `--public-registry ${registry}`,
        privateRegistries: '--private-registry',
      },
    });
    const all = { ...result, errors: [...errors, ...result.errors] };
    for (const error of all.errors) {
      process.stderr.write(`${COMMAND}: error: ${printable(describeInputError(error))}\n`);
    }
    if (all.errors.length === 0 && result.objects === 0) {
      // an empty stream usually means the command before the pipe failed: do not pass it
      throw new CommandError(`no Kubernetes object in ${printable(sources.map(s => s.name).join(', '))}`, UNREADABLE_EXIT);
    }
    const answers = collector && options.pull
      ? await askRegistries(collector, { ...options.pull, userAgent: `${COMMAND}/${version()}` })
      : undefined;
    if (options.format === 'json') {
      process.stdout.write(jsonReport(all, answers));
    } else {
      for (const piece of textReport(all)) {
        process.stdout.write(piece);
      }
      if (answers) {
        process.stdout.write(pullReport(answers, options.pull!.cluster));
      }
    }
    const failed = answers?.some(a => a.result.status !== 'ok') ?? false;
    if (options.pull?.lock !== undefined) {
      // a lock from part of the input would drop the entries of the rest
      const why = all.errors.length > 0 ? 'not every input could be read' : failed ? 'not every image is ok' : undefined;
      if (why) {
        process.stderr.write(`${COMMAND}: ${printable(options.pull.lock)} not written: ${why}\n`);
      } else {
        try {
          writeFileSync(options.pull.lock, formatImageLock(lockedDigests(answers!)));
        } catch (e: any) {
          throw new CommandError(`--lock ${JSON.stringify(options.pull.lock)} could not be written (${e?.code ?? 'error'}); `
            + 'give a file path in a writable directory, e.g. --lock images.lock.json');
        }
      }
    }
    return all.errors.length > 0 ? UNREADABLE_EXIT : result.violations.length > 0 || failed ? 1 : 0;
  } catch (e: any) {
    if (e instanceof CommandError) {
      process.stderr.write(`${COMMAND}: error: ${e.message}\n`);
      return e.status;
    }
    throw e;
  }
}

function version(): string {
  // src/tools or lib/tools: the package root is two levels up in both
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
}

function parseCheckArgs(args: string[]): CheckArgs {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (e: any) {
    throw new CommandError(`${argumentError(args, e)}; run "${COMMAND} check --help"`);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    throw new CommandError(`no FILE given; give one or more files or directories, or "${STDIN}" for standard input`);
  }
  if (positionals.filter(f => f === STDIN).length > 1) {
    throw new CommandError(`"${STDIN}" is given more than once; standard input can be read only once`);
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw new CommandError(`--format ${JSON.stringify(format)} is not supported; expected text or json`);
  }
  const pullOnly = ['lock', 'concurrency', 'timeout', 'ca-file', 'insecure-registry', 'platform'] as const;
  const misplaced = pullOnly.find(option => values[option] !== undefined);
  if (!values.pull && misplaced) {
    throw new CommandError(`--${misplaced} works only with --pull; add --pull to ask the registries`);
  }
  const providers = values['image-credential-provider-config'] === undefined ? []
    : usage(() => readCredentialProviderConfigFile(values['image-credential-provider-config']!, '--image-credential-provider-config'));
  const binDir = values['image-credential-provider-bin-dir'];
  if (binDir !== undefined && (!values.pull || values['image-credential-provider-config'] === undefined)) {
    throw new CommandError('--image-credential-provider-bin-dir works only with --pull and --image-credential-provider-config');
  }
  return {
    files: positionals,
    format,
    pull: values.pull ? {
      lock: values.lock === undefined ? undefined : writableLock(values.lock),
      concurrency: positiveNumber(values.concurrency, '--concurrency', CONCURRENCY.default, CONCURRENCY.max, true),
      timeoutMs: positiveNumber(values.timeout, '--timeout', TIMEOUT_SECONDS.default, TIMEOUT_SECONDS.max, false) * 1000,
      ca: (values['ca-file'] ?? []).map(file => usage(() => readCaFile(file, '--ca-file'))),
      insecureRegistries: (values['insecure-registry'] ?? []).map(host => usage(() => registryHost(host, '--insecure-registry'))),
      cluster: usage(() => clusterPlatforms(values.platform, '--platform')),
      node: providers.length === 0 ? undefined
        : { providers, plugins: binDir === undefined ? undefined : usage(() => CredentialPlugins.open(providers, binDir)) },
    } : undefined,
    privateRegistries: values['private-registry']?.map(server => validateArg(server, '--private-registry')),
    publicRegistries: values['public-registry']?.map(server => validateArg(server, '--public-registry')),
    existingSecrets: (values['existing-secret'] ?? []).map(parseExistingSecret),
    providers,
    disallowLatest: values['disallow-latest'] ?? false,
    requireDigest: values['require-digest'] ?? false,
  };
}

function positiveNumber(value: string | undefined, option: string, fallback: number, max: number, integer: boolean): number {
  if (value === undefined) {
    return fallback;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)) || n > max) {
    throw new CommandError(`${option} ${JSON.stringify(value)} is not a ${integer ? 'whole number' : 'number'} above 0 and at most ${max}; e.g. ${option} ${fallback}`);
  }
  return n;
}

/** the lock's path, refused before any registry is asked when it cannot be written */
function writableLock(file: string): string {
  let problem: string | undefined;
  if (file.trim() === '') {
    problem = 'is empty';
  } else {
    try {
      const stats = statSync(file);
      if (stats.isDirectory()) {
        problem = 'is a directory';
      } else if (!stats.isFile()) {
        // writing would block on a FIFO until a reader came, or write to a device
        problem = `is not a regular file (it is ${stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : 'a device'})`;
      } else {
        accessSync(file, constants.W_OK);
      }
    } catch (e: any) {
      if (e?.code !== 'ENOENT') {
        problem = `cannot be written (${e?.code ?? 'error'})`;
      } else {
        try {
          accessSync(dirname(file) || '.', constants.W_OK);
        } catch (d: any) {
          problem = `cannot be created: its directory ${d?.code === 'ENOENT' ? 'does not exist' : `cannot be written (${d?.code ?? 'error'})`}`;
        }
      }
    }
  }
  if (problem) {
    throw new CommandError(`--lock ${JSON.stringify(file)} ${problem}; give a file path in a writable directory, e.g. --lock images.lock.json`);
  }
  return file;
}

function pullReport(answers: PullAnswer[], cluster: ClusterPlatforms): string {
  const annotated = answers.some(a => a.platforms.some(need => need.why.includes(PLATFORMS_ANNOTATION)))
    ? `; an object annotated ${PLATFORMS_ANNOTATION}, those it names` : '';
  const platforms = (cluster.given
    ? `platforms ${cluster.platforms.map(formatPlatform).join(', ')} (${cluster.setting})`
    : `platform ${cluster.platforms.map(formatPlatform).join(', ')} (the default: no ${cluster.setting} given), or those a pod names`) + annotated;
  const lines = ['', `image pulls (${answers.length} image${answers.length === 1 ? '' : 's'} asked; ${platforms}):`];
  for (const answer of answers) {
    const others = answer.result.status === 'ok' ? '' : otherUsers(answer);
    lines.push(`  ${printable(`${answer.file}:${answer.line} ${answer.image}: ${describeAnswer(answer)}${others}`)}`);
  }
  const failed = answers.filter(a => a.result.status !== 'ok').length;
  lines.push('', failed === 0 ? `every image is ok: ${answers.length} asked` : `${failed} of ${answers.length} image${answers.length === 1 ? '' : 's'} not ok`);
  return lines.join('\n') + '\n';
}

/** node's parseArgs messages are long and quote unevenly: say in one line what is wrong */
function argumentError(args: string[], e: any): string {
  const options = Object.keys(OPTIONS).map(o => `--${o}`);
  for (const [i, arg] of args.entries()) {
    if (arg === '--') {
      break;
    }
    const name = arg.split('=')[0];
    if (arg.startsWith('-') && arg !== STDIN && name !== '-h' && !options.includes(name)) {
      return `unknown option ${JSON.stringify(name)}; expected one of ${options.join(', ')}, or "--" before a file whose name starts with "-"`;
    }
    const option = OPTIONS[name.slice(2) as keyof typeof OPTIONS];
    if (option?.type === 'string' && !arg.includes('=') && args[i + 1] === undefined) {
      return `${name} needs a value`;
    }
    if (option?.type === 'boolean' && arg.includes('=')) {
      return `${name} takes no value; received ${JSON.stringify(arg)}`;
    }
  }
  return `the options cannot be read (${e.code ?? 'unknown error'})`;
}

/** `[NAMESPACE/]NAME=SERVER[,SERVER...]` */
function parseExistingSecret(spec: string): PullSecretInfo {
  const eq = spec.indexOf('=');
  const ref = eq < 0 ? '' : spec.slice(0, eq);
  const slash = ref.indexOf('/');
  const namespace = slash < 0 ? undefined : ref.slice(0, slash);
  const name = ref.slice(slash + 1);
  const servers = eq < 0 ? [] : spec.slice(eq + 1).split(',').filter(s => s !== '');
  // a server written with a user name or password is refused below: no message repeats them
  const shown = spec.split(/([=,])/).map(redactUserinfo).join('');
  if (name === '' || namespace === '' || servers.length === 0) {
    throw new CommandError(`--existing-secret ${JSON.stringify(shown)} is malformed; expected [NAMESPACE/]NAME=SERVER[,SERVER...], e.g. regcred=registry.gitlab.com`);
  }
  return { name, namespace, servers: servers.map(server => validateArg(server, `--existing-secret ${shown}`)) };
}

function validateArg(server: string, option: string): string {
  return usage(() => registryServer(server, option));
}

/** a refused argument is a usage error */
function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (e: any) {
    throw new CommandError(e.message);
  }
}

/** the files to read: standard input, files, and the manifest files directly in a directory */
function expandInputs(paths: string[]): { sources: ManifestSource[]; errors: InputError[] } {
  const sources: ManifestSource[] = [];
  const errors: InputError[] = [];
  for (const path of paths) {
    if (path === STDIN) {
      sources.push({ name: STDIN_NAME });
      continue;
    }
    let directory = false;
    try {
      directory = statSync(path).isDirectory();
    } catch {
      // reading it reports why it cannot be read
    }
    if (!directory) {
      sources.push({ name: path, path });
      continue;
    }
    const files = readdirSync(path, { withFileTypes: true })
      .filter(entry => !entry.isDirectory() && MANIFEST_EXTENSIONS.some(e => entry.name.endsWith(e)))
      .map(entry => join(path, entry.name))
      .sort();
    // a FIFO or a device named like a manifest is reported by the read, which never opens it to wait
    if (files.length === 0) {
      errors.push({ file: path, reason: `the directory has no ${MANIFEST_EXTENSIONS.map(e => `*${e}`).join(', ')} file (subdirectories are not read)` });
    }
    sources.push(...files.map(file => ({ name: file, path: file })));
  }
  return { sources, errors };
}

/**
 * The text `check` prints for `result`, without the pull answers, in pieces of about 64 KiB: a
 * report of 100,000 violations is 18 MB, which need not be held at once.
 * @internal
 */
export function* textReport(result: ManifestCheckResult): Generator<string> {
  const { violations, podSpecs, errors } = result;
  const checked = `${podSpecs} pod spec${podSpecs === 1 ? '' : 's'} checked`
    + (errors.length === 0 ? '' : `; ${errors.length} input${errors.length === 1 ? '' : 's'} could not be read (see the errors)`);
  if (violations.length === 0) {
    yield `no violations${errors.length === 0 ? '' : ' in what could be read'}: ${checked}\n`;
    return;
  }
  let piece = '';
  const objects = groupBy(violations, objectKey);
  for (const group of objects.values()) {
    piece += printable(`${group[0].object} in ${group[0].file}`) + '\n';
    for (const v of group) {
      piece += `  ${printable(`${v.file}:${v.line} [${v.rule}] ${v.message}; ${v.fix}`)}\n`;
      if (piece.length >= 64 * 1024) {
        yield piece;
        piece = '';
      }
    }
  }
  const count = violations.length;
  yield `${piece}\n${count} violation${count === 1 ? '' : 's'} in ${objects.size} object${objects.size === 1 ? '' : 's'}; ${checked}\n`;
}

/** every entry has every field, null where it does not apply */
function jsonReport(result: ManifestCheckResult, answers?: PullAnswer[]): string {
  const entries = [
    ...result.errors.map(e => jsonEntry({ file: e.file, line: e.line, column: e.column, rule: UNREADABLE_INPUT, message: e.reason })),
    ...result.violations.map(v => jsonEntry(v)),
  ];
  if (answers) {
    entries.forEach(entry => Object.assign(entry, { pull: null }));
    entries.push(...answers.map(answer => ({
      ...jsonEntry({
        file: answer.file,
        line: answer.line,
        object: answer.object,
        kind: answer.kind,
        namespace: answer.namespace,
        name: answer.name,
        container: answer.container,
        path: answer.path,
        rule: IMAGE_PULL,
        message: describeAnswer(answer),
        fix: answerFix(answer),
      }),
      pull: {
        image: answer.image,
        status: answer.result.status,
        cause: answer.result.status === 'unreachable' || answer.result.status === 'unpullable' ? answer.result.cause : null,
        platforms: answer.platforms.map(need => ({ platform: formatPlatform(need.platform), why: need.why, object: need.object })),
        digest: answer.result.status === 'ok' ? answer.result.digest : null,
        coveredBy: coveredBy(answer) ?? null,
        tried: triedBy(answer.result).map(c => ({ ...c.toJSON(), sameCredentials: answer.sameCredentials[answer.credentials.indexOf(c)] ?? [] })),
        untried: answer.untried,
        objects: answer.objects,
      },
    })));
  }
  return JSON.stringify(entries, null, 2) + '\n';
}

/** the credentials the registry refused, or the one it let in */
function triedBy(result: PullResult): readonly RegistryCredential[] {
  if (result.status === 'unauthorized') {
    return result.tried;
  }
  return (result.status === 'ok' || result.status === 'not-found') && result.credential ? [result.credential] : [];
}

function jsonEntry(v: Omit<Partial<ManifestViolation>, 'rule'> & { column?: number; rule: string; message: string }) {
  const text = (value: unknown) => value === undefined || value === null ? null : String(value);
  return {
    file: v.file,
    line: v.line ?? null,
    column: v.column ?? null,
    object: v.object ?? null,
    kind: text(v.kind),
    namespace: text(v.namespace),
    name: text(v.name),
    container: text(v.container),
    path: v.path ?? null,
    rule: v.rule,
    message: v.message,
    fix: v.fix ?? null,
  };
}
