// `cdk8s-private-registry check`: the pod-spec rules on any multi-document YAML, such as the
// output of `helm template` or `kustomize build`. Run by bin/cdk8s-private-registry.js.
import { readFileSync } from 'fs';
import { parseArgs } from 'util';
import { checkManifests, groupBy, ManifestFile, ManifestParseError, ManifestViolation, objectKey, parseManifests, RULE_DESCRIPTIONS, validateServer } from './manifest-check';
import { PodSpecRule, PullSecretInfo } from '../rules/pod-spec-check';

const COMMAND = 'cdk8s-private-registry';
const STDIN = '-';

/** the rules `check` applies, for the help text */
const RULES: Array<[PodSpecRule, string]> = [
  [PodSpecRule.IMAGE_PULL_POLICY, ''],
  [PodSpecRule.IMAGE_REFERENCE, ''],
  [PodSpecRule.PULL_SECRET_COVERAGE, ''],
  [PodSpecRule.PULL_SECRET_NAMESPACE, ''],
  [PodSpecRule.DISALLOW_LATEST, 'with --disallow-latest: '],
  [PodSpecRule.REQUIRE_DIGEST, 'with --require-digest: '],
];

const USAGE = `Usage: ${COMMAND} check [options] FILE...

Checks every pod and pod template in multi-document Kubernetes YAML or JSON, such as the output of
\`helm template\` or \`kustomize build\`. FILE "-" reads standard input:

  helm template my-release ./chart | npx ${COMMAND} check --private-registry registry.gitlab.com -

Rules:
${RULES.map(([rule, when]) => `  ${rule.padEnd(22)} ${when}${RULE_DESCRIPTIONS[rule].recommendation}`).join('\n')}

Pull secrets (Secrets of type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg) and
ServiceAccounts anywhere in the input count for the pods of their namespace, as if the whole input
were applied together. Server keys match images by the kubelet's rules.

Options:
  --private-registry SERVER   A registry whose images need a pull secret; repeatable.
                              Default: every registry is private, so every image needs a
                              covering pull secret. Name your private registries to leave
                              public images (docker.io, quay.io, ...) unchecked.
  --existing-secret [NAMESPACE/]NAME=SERVER[,SERVER...]
                              A pull secret that exists in the cluster but is not in the
                              input; repeatable. Without NAMESPACE it counts in every
                              namespace. A Secret of that name in the input wins.
  --disallow-latest           Refuse images tagged latest or not tagged at all.
  --require-digest            Refuse images without a digest.
  --format text|json          text (default): one line per violation, grouped by object.
                              json: an array of {file, line, object, kind, namespace, name,
                              container, path, rule, message, fix}.
  -h, --help                  Show this help.

Exit status: 0 when nothing is wrong, 1 on violations, 2 on a usage error or unreadable input.
`;

/** A usage error or unreadable input: exit status 2, no stack trace. */
class CommandError extends Error {}

interface CheckArgs {
  readonly files: string[];
  readonly format: 'text' | 'json';
  readonly privateRegistries?: string[];
  readonly existingSecrets: PullSecretInfo[];
  readonly disallowLatest: boolean;
  readonly requireDigest: boolean;
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
    if (args[0] === '--help' || args[0] === '-h' || (args[0] === 'check' && args.slice(1).some(a => a === '--help' || a === '-h'))) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (args[0] !== 'check') {
      throw new CommandError(`unknown command ${JSON.stringify(args[0])}; expected "check"`);
    }
    const options = parseCheckArgs(args.slice(1));
    const files = await readInputs(options.files);
    const result = checkManifests(files, {
      privateRegistries: options.privateRegistries,
      existingSecrets: options.existingSecrets,
      disallowLatest: options.disallowLatest,
      requireDigest: options.requireDigest,
      settings: {
        existingSecret: registry => `--existing-secret NAME=${registry}`,
        privateRegistries: '--private-registry',
      },
    });
    process.stdout.write(options.format === 'json'
      ? JSON.stringify(result.violations, null, 2) + '\n'
      : textReport(result.violations, result.podSpecs));
    return result.violations.length > 0 ? 1 : 0;
  } catch (e: any) {
    if (e instanceof CommandError || e instanceof ManifestParseError) {
      process.stderr.write(`${COMMAND}: error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function parseCheckArgs(args: string[]): CheckArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        'format': { type: 'string' },
        'private-registry': { type: 'string', multiple: true },
        'existing-secret': { type: 'string', multiple: true },
        'disallow-latest': { type: 'boolean' },
        'require-digest': { type: 'boolean' },
      },
    });
  } catch (e: any) {
    throw new CommandError(`${e.message}; run "${COMMAND} check --help"`);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    throw new CommandError(`no FILE given; give one or more files, or "${STDIN}" for standard input`);
  }
  if (positionals.filter(f => f === STDIN).length > 1) {
    throw new CommandError(`"${STDIN}" is given more than once; standard input can be read only once`);
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw new CommandError(`--format ${JSON.stringify(format)} is not supported; expected text or json`);
  }
  const privateRegistries = values['private-registry']?.map(server => validateArg(server, '--private-registry'));
  return {
    files: positionals,
    format,
    privateRegistries,
    existingSecrets: (values['existing-secret'] ?? []).map(parseExistingSecret),
    disallowLatest: values['disallow-latest'] ?? false,
    requireDigest: values['require-digest'] ?? false,
  };
}

/** `[NAMESPACE/]NAME=SERVER[,SERVER...]` */
function parseExistingSecret(spec: string): PullSecretInfo {
  const eq = spec.indexOf('=');
  const ref = eq < 0 ? '' : spec.slice(0, eq);
  const slash = ref.indexOf('/');
  const namespace = slash < 0 ? undefined : ref.slice(0, slash);
  const name = ref.slice(slash + 1);
  const servers = eq < 0 ? [] : spec.slice(eq + 1).split(',').filter(s => s !== '');
  if (name === '' || namespace === '' || servers.length === 0) {
    throw new CommandError(`--existing-secret ${JSON.stringify(spec)} is malformed; expected [NAMESPACE/]NAME=SERVER[,SERVER...], e.g. regcred=registry.gitlab.com`);
  }
  return { name, namespace, servers: servers.map(server => validateArg(server, `--existing-secret ${spec}`)) };
}

function validateArg(server: string, option: string): string {
  try {
    return validateServer(server, option);
  } catch (e: any) {
    throw new CommandError(e.message);
  }
}

async function readInputs(paths: string[]): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  const errors: string[] = [];
  for (const path of paths) {
    const name = path === STDIN ? '<stdin>' : path;
    let text: string;
    try {
      text = path === STDIN ? await readStdin() : readFileSync(path, 'utf8');
    } catch (e: any) {
      errors.push(`cannot read ${name}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message}`);
      continue;
    }
    try {
      files.push(parseManifests(name, text));
    } catch (e: any) {
      if (!(e instanceof ManifestParseError)) {
        throw e;
      }
      errors.push(e.message);
    }
  }
  if (errors.length > 0) {
    throw new CommandError(errors.join(`\n${COMMAND}: error: `));
  }
  if (files.every(f => f.documents.length === 0)) {
    // an empty stream usually means the command before the pipe failed: do not pass it
    throw new CommandError(`no Kubernetes object in ${paths.map(p => p === STDIN ? '<stdin>' : p).join(', ')}`);
  }
  return files;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function textReport(violations: ManifestViolation[], podSpecs: number): string {
  const checked = `${podSpecs} pod spec${podSpecs === 1 ? '' : 's'} checked`;
  if (violations.length === 0) {
    return `no violations: ${checked}\n`;
  }
  const lines: string[] = [];
  const objects = groupBy(violations, objectKey);
  for (const group of objects.values()) {
    lines.push(`${group[0].object} in ${group[0].file}`);
    for (const v of group) {
      lines.push(`  ${v.file}:${v.line} [${v.rule}] ${v.message}; ${v.fix}`);
    }
  }
  const count = violations.length;
  lines.push('', `${count} violation${count === 1 ? '' : 's'} in ${objects.size} object${objects.size === 1 ? '' : 's'}; ${checked}`);
  return lines.join('\n') + '\n';
}
