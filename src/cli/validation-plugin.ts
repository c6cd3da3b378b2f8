// A cdk8s validation plugin: the pod-spec rules on everything `cdk8s synth` writes.
// The types below mirror cdk8s-cli's plugin contract (lib/plugins/validation.d.ts), which is not
// a jsii library and stays a dev dependency.
import { describeInputError, groupBy, ManifestViolation, objectKey, printable, RULE_DESCRIPTIONS } from './check-report';
import { CredentialPlugins } from './credential-plugins';
import { checkManifests } from './manifest-check';
import { answerFix, askRegistries, describeAnswer, PullCollector, PullOptions, PULL_SETTINGS, readCaFile, registryHost, registryServer } from './pull-check';
import { CredentialProviderSpec, readCredentialProviderConfigFile } from '../rules/credential-provider-config';
import { NODE_PRESETS, NodeCredentialSource, providerSources } from '../rules/node-credentials';
import { clusterPlatforms } from '../rules/pod-platforms';
import { PullSecretInfo } from '../rules/pod-spec';
import { redactUserinfo } from '../rules/server-key';

/**
 * A pull secret that exists in the cluster without being part of the synthesized output, such as one
 * made with `kubectl create secret docker-registry`: what the rules know of any pull secret, keyed by
 * its name in `existingSecrets`.
 */
export type ExistingSecret = Pick<PullSecretInfo, 'namespace'> & { readonly servers: string[] };

/**
 * Props for `PrivateRegistryValidation`: the `properties` of its entry under `validations:` in
 * `cdk8s.yaml`.
 */
export interface PrivateRegistryValidationProps {
  /**
   * Registries (server keys, matched like a pull secret's) whose images need a pull secret.
   * Combined with `publicRegistries`, an image needs a pull secret when its registry is listed
   * here and not there.
   *
   * @default - every registry not in `publicRegistries`
   */
  readonly privateRegistries?: string[];

  /**
   * Registries (server keys, matched like a pull secret's) whose images need no pull secret,
   * as the constructs' `publicRegistries`.
   *
   * @default - none: without `privateRegistries` either, every image needs a pull secret
   */
  readonly publicRegistries?: string[];

  /**
   * Pull secrets that exist in the cluster, by name. A Secret of the same name in the output is
   * judged by its own servers.
   *
   * @default {}
   */
  readonly existingSecrets?: { [name: string]: ExistingSecret };

  /**
   * The cluster's nodes pull with these credential providers, by the names of their presets:
   * `ecr` (ecr-credential-provider), `gcp` (auth-provider-gcp), `acr` (acr-credential-provider).
   * An image one of them covers needs no pull secret.
   *
   * @default []
   */
  readonly nodeCredentials?: string[];

  /**
   * The kubelet's CredentialProviderConfig file (its `--image-credential-provider-config`): every
   * provider in it covers the images its matchImages match, as `nodeCredentials` do.
   *
   * @default - no file
   */
  readonly imageCredentialProviderConfig?: string;

  /**
   * With `pull: true` and `imageCredentialProviderConfig`: the directory of the providers'
   * executables (the kubelet's `--image-credential-provider-bin-dir`). They are run as the kubelet
   * runs them, and their credentials tried after the pod's pull secrets.
   *
   * @default - no provider is run: an image only a provider covers fails the pull check, saying so
   */
  readonly imageCredentialProviderBinDir?: string;

  /**
   * Refuse images tagged `latest` or not tagged at all.
   *
   * @default false
   */
  readonly disallowLatest?: boolean;

  /**
   * Refuse images without a digest.
   *
   * @default false
   */
  readonly requireDigest?: boolean;

  /**
   * After the rules, ask each image's registry for its manifest with the credentials of the
   * pull secrets in the output, as `cdk8s-private-registry check --pull` does: a rejected token,
   * a tag never pushed or a mistyped repository then fails `cdk8s synth`. Needs network access to
   * the registries; the synth output itself does not change.
   *
   * @default false
   */
  readonly pull?: boolean;

  /**
   * With `pull`: registries (`host[:port]`) asked over plain HTTP.
   *
   * @default []
   */
  readonly insecureRegistries?: string[];

  /**
   * With `pull`: files of PEM CA certificates to trust besides Node's.
   *
   * @default []
   */
  readonly caFiles?: string[];

  /**
   * With `pull`: the most one request may take, in seconds.
   *
   * @default 10
   */
  readonly pullTimeoutSeconds?: number;

  /**
   * With `pull`: at most this many requests at once.
   *
   * @default 8
   */
  readonly pullConcurrency?: number;

  /**
   * With `pull`: the cluster's node platforms (its node pools), `os/arch[/variant]`, e.g.
   * `['linux/amd64', 'linux/arm64']`. Each image must offer a manifest for every platform its pods
   * may run on: those the pod names by `nodeSelector`, required node affinity on
   * `kubernetes.io/arch` and `kubernetes.io/os`, or `spec.os.name`, among these; all of these
   * for a pod that names none.
   *
   * @default - linux/amd64, or the platforms a pod names itself
   */
  readonly platforms?: string[];
}

/**
 * A resource that breaks a rule, as cdk8s-cli's report takes it.
 */
export interface ValidationViolatingResource {
  /** The resource's `metadata.name`, by which cdk8s-cli finds its construct path. */
  readonly resourceName: string;
  /** One entry per violation: the resource as `kind/namespace/name`, the place in it, what is wrong and how to fix it. */
  readonly locations: string[];
  /** The manifest file the resource is in. */
  readonly manifestPath: string;
}

/**
 * A broken rule, as cdk8s-cli's report takes it.
 */
export interface ValidationViolation {
  /** The rule's id, such as `image-pull-policy`. */
  readonly ruleName: string;
  /** What the rule asks for. */
  readonly recommendation: string;
  /** How to comply. */
  readonly fix: string;
  /** The resources that break the rule. */
  readonly violatingResources: ValidationViolatingResource[];
}

/**
 * The report of a validation run (cdk8s-cli's `ValidationReport`).
 */
export interface IValidationReport {
  /** Adds a violation to the report. */
  addViolation(violation: ValidationViolation): void;
  /** Submits the report with the status `success` or `failure`. */
  submit(status: string, metadata?: { [key: string]: string }): void;
}

/**
 * The logger of a validation run (cdk8s-cli's `ValidationLogger`).
 */
export interface IValidationLogger {
  /** Logs a message. */
  log(message: string): void;
}

/**
 * What cdk8s-cli gives a validation plugin (its `ValidationContext`).
 */
export interface IValidationContext {
  /** The manifest files to validate. */
  readonly manifests: string[];
  /** The report to fill in and submit. */
  readonly report: IValidationReport;
  /** The logger to use instead of `console.log`. */
  readonly logger: IValidationLogger;
}

const PROPERTIES = ['privateRegistries', 'publicRegistries', 'existingSecrets', 'disallowLatest', 'requireDigest', 'nodeCredentials', 'imageCredentialProviderConfig', 'imageCredentialProviderBinDir',
  'pull', 'insecureRegistries', 'caFiles', 'pullTimeoutSeconds', 'pullConcurrency', 'platforms'];
const PULL_PROPERTIES = ['insecureRegistries', 'caFiles', 'pullTimeoutSeconds', 'pullConcurrency', 'platforms'] as const;

/**
 * A cdk8s validation plugin that applies this library's rules to every pod and pod template
 * `cdk8s synth` writes, whoever made it: explicit `imagePullPolicy` on every container, images
 * that parse, and a covering pull secret for every image from a private registry. The secret
 * must be in the output, declared in the app with `RegistrySecret.fromSecretName(..., { servers })`
 * (read from the annotation the constructs write), or listed in `existingSecrets`.
 *
 * List it under `validations:` in `cdk8s.yaml`, with these props as `properties`.
 *
 * @see https://cdk8s.io/docs/latest/cli/synth/#validation
 */
export class PrivateRegistryValidation {
  /**
   * Registries whose images need a pull secret; undefined means every registry not in `publicRegistries`.
   */
  public readonly privateRegistries?: string[];

  /**
   * Registries whose images need no pull secret.
   */
  public readonly publicRegistries: string[];

  /**
   * Pull secrets that exist in the cluster, by name.
   */
  public readonly existingSecrets: { [name: string]: ExistingSecret };

  /**
   * Whether images tagged `latest` or not tagged are refused.
   */
  public readonly disallowLatest: boolean;

  /**
   * Whether images without a digest are refused.
   */
  public readonly requireDigest: boolean;

  /** how registries are asked, when `pull` is true */
  private readonly pull?: PullOptions;

  /** what the nodes pull with */
  private readonly node: NodeCredentialSource[];

  constructor(props: PrivateRegistryValidationProps = {}) {
    // cdk8s-cli prints the stack of whatever a plugin's constructor throws (`console.error(e.stack)`
    // in its main): a property error is the user's to fix, so its stack is its one line
    try {
      // properties come from cdk8s.yaml unchecked: a misspelt one must not switch a rule off silently
      const where = 'PrivateRegistryValidation properties';
      if (typeof props !== 'object' || props === null || Array.isArray(props)) {
        throw new Error(`${where}: received ${shown(props)}, expected a mapping`);
      }
      const unknown = Object.keys(props).filter(key => !PROPERTIES.includes(key));
      if (unknown.length > 0) {
        throw new Error(`${where}: unknown ${unknown.map(k => JSON.stringify(k)).join(', ')}; expected ${PROPERTIES.join(', ')}`);
      }
      if (props.privateRegistries !== undefined) {
        if (!Array.isArray(props.privateRegistries) || props.privateRegistries.length === 0) {
          throw new Error(`${where}: privateRegistries is ${shown(props.privateRegistries)}; expected a non-empty list of servers, or no privateRegistries for every registry`);
        }
        props.privateRegistries.forEach((server, i) => registryServer(server, `${where}: privateRegistries[${i}]`));
      }
      if (props.publicRegistries !== undefined) {
        if (!Array.isArray(props.publicRegistries)) {
          throw new Error(`${where}: publicRegistries is ${shown(props.publicRegistries)}; expected a list of servers`);
        }
        props.publicRegistries.forEach((server, i) => registryServer(server, `${where}: publicRegistries[${i}]`));
      }
      const existing = props.existingSecrets ?? {};
      if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) {
        throw new Error(`${where}: existingSecrets is ${shown(existing)}; expected a mapping from secret name to {servers: [...], namespace?}`);
      }
      for (const [name, secret] of Object.entries(existing)) {
        const at = `${where}: existingSecrets.${name}`;
        if (!Array.isArray(secret?.servers) || secret.servers.length === 0) {
          throw new Error(`${at} is ${shown(secret)}; expected {servers: [registry.example.com], namespace?: ...}`);
        }
        secret.servers.forEach((server, i) => registryServer(server, `${at}.servers[${i}]`));
        if (secret.namespace !== undefined && typeof secret.namespace !== 'string') {
          throw new Error(`${at}.namespace is ${shown(secret.namespace)}; expected a string`);
        }
      }
      for (const flag of ['disallowLatest', 'requireDigest', 'pull'] as const) {
        if (props[flag] !== undefined && typeof props[flag] !== 'boolean') {
          throw new Error(`${where}: ${flag} is ${shown(props[flag])}; expected true or false`);
        }
      }

      this.privateRegistries = props.privateRegistries;
      this.publicRegistries = props.publicRegistries ?? [];
      this.existingSecrets = existing;
      this.disallowLatest = props.disallowLatest ?? false;
      this.requireDigest = props.requireDigest ?? false;
      this.pull = pullOptions(where, props);
      const node = nodeSources(where, props);
      this.node = node.sources;
      const binDir = props.imageCredentialProviderBinDir;
      if (binDir !== undefined && (!props.pull || props.imageCredentialProviderConfig === undefined || typeof binDir !== 'string')) {
        throw new Error(`${where}: imageCredentialProviderBinDir is ${shown(binDir)}; it is a directory, and works only with pull: true `
          + 'and imageCredentialProviderConfig');
      }
      if (this.pull && this.node.length > 0) {
        this.pull = {
          ...this.pull,
          node: {
            providers: this.node,
            plugins: binDir === undefined ? undefined : CredentialPlugins.open(node.specs, binDir),
            binDirSetting: 'imageCredentialProviderBinDir in the plugin\'s properties',
          },
        };
      }
    } catch (e) {
      throw e instanceof Error ? oneLine(e) : e;
    }
  }

  /**
   * Checks the manifests of `context`, adds one violation per broken rule to its report and
   * submits the report: `failure` when anything is wrong.
   */
  public async validate(context: IValidationContext): Promise<void> {
    const existingSecrets: PullSecretInfo[] = Object.entries(this.existingSecrets)
      .map(([name, s]) => ({ name, namespace: s.namespace, servers: [...s.servers] }));
    const collector = this.pull ? new PullCollector(this.pull.cluster) : undefined;
    const result = await checkManifests(context.manifests.map(file => ({ name: file, path: file })), {
      collector,
      privateRegistries: this.privateRegistries,
      publicRegistries: this.publicRegistries,
      existingSecrets,
      nodeCredentials: this.node,
      disallowLatest: this.disallowLatest,
      requireDigest: this.requireDigest,
      settings: {
        existingSecret: registry => `existingSecrets (NAME: {servers: [${registry}]}) in the plugin's properties`,
        publicRegistry: registry => `publicRegistries: [${registry}] in the plugin's properties`,
        privateRegistries: 'privateRegistries in the plugin\'s properties',
      },
    });

    for (const [rule, violations] of groupBy(result.violations, v => v.rule)) {
      context.report.addViolation({
        ruleName: rule,
        recommendation: RULE_DESCRIPTIONS[violations[0].rule].recommendation,
        fix: RULE_DESCRIPTIONS[violations[0].rule].fix,
        violatingResources: [...groupBy(violations, objectKey).values()].map(of => ({
          // cdk8s-cli's construct-metadata.json is keyed by metadata.name alone
          resourceName: printable(typeof of[0].name === 'string' ? of[0].name : of[0].object),
          manifestPath: of[0].file,
          locations: of.map(location),
        })),
      });
    }
    const answers = collector ? await askRegistries(collector, this.pull!) : [];
    const failed = answers.filter(a => a.result.status !== 'ok');
    if (failed.length > 0) {
      context.report.addViolation({
        ruleName: 'image-pull',
        recommendation: 'every image\'s registry serves it to the pull secrets of its pod',
        fix: 'fix what each location says',
        // every object that pulls the image with those credentials: each fails at deploy
        violatingResources: failed.flatMap(a => a.objects.map(({ object, file, image }) => ({
          resourceName: printable(object.slice(object.lastIndexOf('/') + 1)),
          manifestPath: file,
          locations: [printable(`${object}${object === a.object ? ` (line ${a.line})` : ''} ${image}: ${describeAnswer(a)}; ${answerFix(a)}`)],
        }))),
      });
    }
    for (const answer of answers) {
      context.logger.log(printable(`cdk8s-private-registry: ${answer.file}:${answer.line} ${answer.image}: ${describeAnswer(answer)}`));
    }
    const errors = result.errors.map(e => printable(describeInputError(e)));
    for (const error of errors) {
      context.logger.log(`cdk8s-private-registry: cannot read ${error}`);
    }
    const count = result.violations.length;
    const pulled = collector ? `, ${answers.length} image(s) asked, ${failed.length} not ok` : '';
    context.logger.log(`cdk8s-private-registry: ${result.podSpecs} pod spec(s) checked, ${count} violation(s)${pulled}`);
    context.report.submit(count > 0 || errors.length > 0 || failed.length > 0 ? 'failure' : 'success', {
      'Pod specs checked': String(result.podSpecs),
      ...collector ? { 'Images asked': `${answers.length}, ${failed.length} not ok` } : {},
      'Private registries': this.privateRegistries?.join(', ') ?? (this.publicRegistries.length > 0 ? 'every registry but the public ones' : 'every registry'),
      ...this.publicRegistries.length > 0 ? { 'Public registries': this.publicRegistries.join(', ') } : {},
      ...this.node.length > 0 ? { 'Node credentials': this.node.map(s => s.name).join(', ') } : {},
      ...errors.length > 0 ? { error: errors.join('\n') } : {},
    });
  }
}

/** the node's credential sources from the plugin's properties */
function nodeSources(where: string, props: PrivateRegistryValidationProps): { sources: NodeCredentialSource[]; specs: CredentialProviderSpec[] } {
  const presets = props.nodeCredentials ?? [];
  if (!Array.isArray(presets)) {
    throw new Error(`${where}: nodeCredentials is ${shown(presets)}; expected a list of ${Object.keys(NODE_PRESETS).join(', ')}`);
  }
  const sources = presets.map((name, i) => {
    if (typeof name !== 'string' || !Object.keys(NODE_PRESETS).includes(name)) {
      throw new Error(`${where}: nodeCredentials[${i}] is ${shown(name)}; expected one of ${Object.keys(NODE_PRESETS).join(', ')}, `
        + 'or give the kubelet\'s file as imageCredentialProviderConfig');
    }
    return NODE_PRESETS[name];
  });
  const file = props.imageCredentialProviderConfig;
  if (file !== undefined) {
    if (typeof file !== 'string' || file === '') {
      throw new Error(`${where}: imageCredentialProviderConfig is ${shown(file)}; expected the path of a CredentialProviderConfig file`);
    }
    const specs = readCredentialProviderConfigFile(file, `${where}: imageCredentialProviderConfig`);
    return { sources: [...sources, ...providerSources(specs)], specs };
  }
  return { sources, specs: [] };
}

/** the client's settings from the plugin's properties, when `pull` is on */
function pullOptions(where: string, props: PrivateRegistryValidationProps): PullOptions | undefined {
  if (!props.pull) {
    const misplaced = PULL_PROPERTIES.find(p => props[p] !== undefined);
    if (misplaced) {
      throw new Error(`${where}: ${misplaced} works only with pull: true`);
    }
    return undefined;
  }
  for (const list of ['insecureRegistries', 'caFiles', 'platforms'] as const) {
    const value = props[list];
    if (value !== undefined && (!Array.isArray(value) || value.some(v => typeof v !== 'string'))) {
      throw new Error(`${where}: ${list} is ${shown(value)}; expected a list of strings`);
    }
  }
  const limits = [['pullTimeoutSeconds', PULL_SETTINGS.timeoutSeconds.max], ['pullConcurrency', PULL_SETTINGS.concurrency.max]] as const;
  for (const [name, max] of limits) {
    const value = props[name];
    if (value !== undefined && (typeof value !== 'number' || !(value > 0 && value <= max) || (name === 'pullConcurrency' && !Number.isInteger(value)))) {
      // String: JSON would print NaN as null
      throw new Error(`${where}: ${name} is ${typeof value === 'number' ? String(value) : shown(value)}; expected a number above 0 and at most ${max}`);
    }
  }
  return {
    insecureRegistries: (props.insecureRegistries ?? []).map((host, i) => registryHost(host, `${where}: insecureRegistries[${i}]`)),
    ca: (props.caFiles ?? []).map((file, i) => readCaFile(file, `${where}: caFiles[${i}]`)),
    timeoutMs: (props.pullTimeoutSeconds ?? PULL_SETTINGS.timeoutSeconds.default) * 1000,
    concurrency: props.pullConcurrency ?? PULL_SETTINGS.concurrency.default,
    cluster: withWhere(where, () => clusterPlatforms(props.platforms, 'platforms')),
    userAgent: 'cdk8s-private-registry',
  };
}

/** the setting's error, naming the plugin */
function withWhere<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (e: any) {
    throw new Error(`${where}: ${e.message}`);
  }
}

/** `e` with a stack of its message alone, so that cdk8s-cli prints one line and no trace */
function oneLine(e: Error): Error {
  const error = new Error(e.message);
  Object.defineProperty(error, 'stack', { value: e.message, configurable: true, writable: true });
  return error;
}

/** a property's value in a message: as JSON, with any user name or password in a string replaced */
function shown(value: unknown): string {
  return JSON.stringify(value, (_key, v) => typeof v === 'string' ? redactUserinfo(v) : v);
}

/** one violation as a location line of the report: where, what and the fix */
function location(v: ManifestViolation): string {
  return printable(`${v.object} at ${v.path} (line ${v.line}): ${v.message}; ${v.fix}`);
}
