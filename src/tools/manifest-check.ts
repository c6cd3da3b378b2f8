// The pod-spec rules applied to manifests read from YAML: the one loop shared by the cdk8s
// validation plugin and the `check` command. Imports nothing from cdk8s.
import { isNode, LineCounter, parseAllDocuments } from 'yaml';
import { ManifestIndex } from '../rules/manifest-index';
import { objectRef, podSpecOf, podSpecPath, PodSpecRule, PodSpecRules, podSpecViolations, PullSecretInfo } from '../rules/pod-spec-check';
import { RegistryMatch } from '../rules/registry-match';

/**
 * What each rule asks for and how to comply, for reports and help texts.
 * @internal
 */
export const RULE_DESCRIPTIONS: { readonly [rule in PodSpecRule]: { readonly recommendation: string; readonly fix: string } } = {
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
  [PodSpecRule.REQUIRED_PULL_SECRET]: {
    recommendation: 'every pod names the pull secrets its construct requires',
    fix: 'add the secret to imagePullSecrets',
  },
  [PodSpecRule.PULL_SECRET_INVALID]: { recommendation: 'every pull secret a pod names can be read by the kubelet', fix: 'fix the secret\'s docker config, e.g. recreate it with kubectl create secret docker-registry' },
  [PodSpecRule.EPHEMERAL_CONTAINERS]: { recommendation: 'no pod or pod template sets ephemeralContainers', fix: 'remove ephemeralContainers; add one to a running pod with kubectl debug' },
};

/**
 * A Kubernetes object read from a YAML stream.
 * @internal
 */
export interface ManifestDocument {
  readonly manifest: any;
  /** the 1-based line of the node at `path` in the manifest, or of the nearest node above it */
  line(path: ReadonlyArray<string | number>): number;
}

/**
 * The objects of one YAML stream.
 * @internal
 */
export interface ManifestFile {
  /** how reports name the stream: a path, or `<stdin>` */
  readonly file: string;
  readonly documents: ManifestDocument[];
}

/**
 * A YAML stream that does not parse.
 * @internal
 */
export class ManifestParseError extends Error {
  constructor(public readonly file: string, public readonly line: number, public readonly column: number, public readonly reason: string) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'ManifestParseError';
  }
}

/**
 * Parses a multi-document YAML (or JSON) stream. Empty documents are skipped and the items of
 * a `List` (as `kubectl get -o yaml` prints) are read as objects of their own.
 * @throws ManifestParseError with the file, line and column of the first error
 * @internal
 */
export function parseManifests(file: string, text: string): ManifestFile {
  const lineCounter = new LineCounter();
  const lineOf = (offset: number) => lineCounter.linePos(offset);
  const documents: ManifestDocument[] = [];
  // the parser's own messages may quote the text (an alias, a tag), and the text may hold a
  // password: report only the kind of error and where it is; warnings stay silent for the same reason
  for (const doc of parseAllDocuments(text, { lineCounter, prettyErrors: false, logLevel: 'error' })) {
    const error = doc.errors[0];
    if (error) {
      const { line, col } = lineOf(error.pos[0]);
      throw new ManifestParseError(file, line, col, yamlErrorReason(error.code));
    }
    let value: any;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e: any) {
      const { line, col } = lineOf(doc.range[0]);
      throw new ManifestParseError(file, line, col, e instanceof ReferenceError ? 'an alias names an anchor that is not defined before it' : 'the document cannot be read as data');
    }
    const line = (path: ReadonlyArray<string | number>) => {
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) {
          return lineOf(node.range[0]).line;
        }
      }
      return lineOf(doc.range[0]).line;
    };
    if (isObject(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item: any, i: number) => documents.push({ manifest: item, line: path => line(['items', i, ...path]) }));
    } else if (isObject(value)) {
      documents.push({ manifest: value, line });
    }
  }
  return { file, documents };
}

/**
 * What to check in manifests.
 * @internal
 */
export interface ManifestCheckOptions {
  /** server keys whose images need a pull secret; undefined: every registry */
  readonly privateRegistries?: string[];
  /** secrets that exist in the cluster without being among the manifests */
  readonly existingSecrets?: PullSecretInfo[];
  readonly disallowLatest?: boolean;
  readonly requireDigest?: boolean;
  /** how users of the caller declare an existing secret for `registry` and the private registries, for fixes */
  readonly settings: {
    /** e.g. `--private-registry` */
    readonly privateRegistries: string;
    /** e.g. `--existing-secret NAME=${registry}` */
    existingSecret(registry: string): string;
  };
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
  readonly rule: PodSpecRule;
  /** what is wrong */
  readonly message: string;
  /** how to fix it */
  readonly fix: string;
}

/**
 * The outcome of `checkManifests`.
 * @internal
 */
export interface ManifestCheckResult {
  readonly violations: ManifestViolation[];
  /** how many pods and pod templates were checked */
  readonly podSpecs: number;
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
 * Applies the rules to every pod and pod template in `files`. A pull secret or ServiceAccount
 * in any of the files counts for pods in all of them, as if they were applied together.
 * @internal
 */
export function checkManifests(files: ManifestFile[], options: ManifestCheckOptions): ManifestCheckResult {
  const index = new ManifestIndex();
  for (const { manifest } of files.flatMap(f => f.documents)) {
    index.addManifest(manifest);
  }
  // after the manifests' own secrets, which win where both resolve: applying them replaces the existing ones
  for (const secret of options.existingSecrets ?? []) {
    index.addSecret(secret);
  }
  const rules: PodSpecRules = {
    required: [],
    candidates: [],
    known: [],
    wire: false,
    publicRegistries: [],
    privateRegistries: options.privateRegistries,
    disallowLatest: options.disallowLatest ?? false,
    requireDigest: options.requireDigest ?? false,
  };

  const violations: ManifestViolation[] = [];
  let podSpecs = 0;
  for (const { file, documents } of files) {
    for (const { manifest, line } of documents) {
      const podSpec = podSpecOf(manifest);
      if (!isObject(podSpec)) {
        continue;
      }
      podSpecs++;
      const namespace: string | undefined = manifest.metadata?.namespace;
      const found = podSpecViolations(podSpec, rules, {
        namespace,
        secrets: name => index.secrets(name),
        serviceAccount: name => index.serviceAccount(name, namespace),
      });
      for (const v of found) {
        const path = [...podSpecPath(manifest)!, ...v.path];
        violations.push({
          file,
          line: line(path),
          object: objectRef(manifest),
          kind: manifest.kind,
          namespace,
          name: manifest.metadata?.name,
          container: v.container,
          path: path.map((key, i) => typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`).join(''),
          rule: v.rule,
          message: v.message,
          fix: v.rule === PodSpecRule.PULL_SECRET_COVERAGE ? coverageFix(v.registry!, options) : v.fix,
        });
      }
    }
  }
  return { violations, podSpecs };
}

/** the coverage fix in the words of the caller's settings, instead of the constructs' */
function coverageFix(registry: string, options: ManifestCheckOptions): string {
  const fix = `name in imagePullSecrets a docker-registry secret whose server is "${registry}", `
    + `defined in the same manifests or declared with ${options.settings.existingSecret(registry)}`;
  return options.privateRegistries === undefined
    ? `${fix}; if "${registry}" is public, list only your private registries with ${options.settings.privateRegistries}`
    : fix;
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

function isObject(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
