// What a manifest check reports, and how reports print it: the rules, a violation, an input error
// and their formatting, shared by `check`, `check --pull` and the validation plugin.
import { PodSpecRule } from '../rules/pod-spec-check';

/**
 * Rules about manifests that are not about one pod spec alone.
 * @internal
 */
export enum ManifestRule {
  /** a pod names a pull secret that exists with a type the kubelet reads no credentials from */
  PULL_SECRET_TYPE = 'pull-secret-type',
  /** the existing-pull-secrets annotation cannot be read */
  EXISTING_PULL_SECRETS = 'existing-pull-secrets',
  /** an ExternalSecret of an API version this library does not know, so the pull secret it makes cannot be read */
  EXTERNAL_SECRET_VERSION = 'external-secret-version',
  /** the platforms annotation cannot be read, or the pod can run on none of the platforms it names */
  PLATFORMS = 'platforms',
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
  [ManifestRule.EXTERNAL_SECRET_VERSION]: {
    recommendation: 'every ExternalSecret is of an API version this tool reads (external-secrets.io/v1 or v1beta1)',
    fix: 'write the ExternalSecret as external-secrets.io/v1',
  },
  [ManifestRule.PLATFORMS]: {
    recommendation: 'an object annotated with the cluster\'s platforms runs pods that can be scheduled on one of them',
    fix: 'write the annotation as OS/ARCH[/VARIANT][,...] (the constructs\' platforms setting does), and let the pod\'s nodeSelector and node affinity admit one of them',
  },
  [ManifestRule.EXISTING_PULL_SECRETS]: {
    recommendation: 'the existing-pull-secrets annotation maps secret names to lists of servers',
    fix: 'declare the secret with RegistrySecret.fromSecretName(scope, id, name, { servers })',
  },
};

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
 * A path in an object as reports print it: `spec.containers[0]`.
 * @internal
 */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    out += typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`;
  }
  return out;
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
