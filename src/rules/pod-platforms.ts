// The platforms a pod may run on, as the scheduler and the kubelet constrain it: `nodeSelector`
// ANDed with the required node affinity, whose terms are ORed and whose expressions are ANDed
// (k8s.io/component-helpers v0.36, scheduling/corev1/nodeaffinity/nodeaffinity.go:
// `RequiredNodeAffinity.Match`, `LazyErrorNodeSelector.Match`, empty terms skipped), and
// `spec.os.name`, which the kubelet refuses on a node of another OS.
import { checkStringArray } from './input';
import { formatPlatform, parsePlatform, Platform } from './platforms';

/** the well-known node labels the kubelet sets from the node's own platform */
export const OS_LABEL = 'kubernetes.io/os';
export const ARCH_LABEL = 'kubernetes.io/arch';
/** set on Windows nodes: `major.minor.build`, the `os.version` images are matched against */
export const WINDOWS_BUILD_LABEL = 'node.kubernetes.io/windows-build';
/** the deprecated labels the kubelet still sets beside them (pkg/kubelet/kubelet_node_status.go, `initialNode`) */
const BETA_OS_LABEL = 'beta.kubernetes.io/os';
const BETA_ARCH_LABEL = 'beta.kubernetes.io/arch';

/**
 * The node platforms of a cluster.
 * @internal
 */
export interface ClusterPlatforms {
  readonly platforms: readonly Platform[];
  /** the setting that gives them, e.g. `--platform`, to name in messages */
  readonly setting: string;
  /** whether the setting was given; if not, the default applies */
  readonly given: boolean;
}

/**
 * With no setting: the one platform most clusters run.
 * @internal
 */
export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

/**
 * A platform a pod may run on, and what says so.
 * @internal
 */
export interface PlatformNeed {
  readonly platform: Platform;
  /** e.g. `nodeSelector kubernetes.io/arch`, or `the default linux/amd64: no --platform given` */
  readonly why: string;
}

interface Requirement {
  readonly key: string;
  readonly operator: string;
  readonly values: readonly string[];
}

/** the labels of a node of a platform: a value, null for a label it does not have, undefined when unknown */
function nodeLabel(p: Platform, key: string): string | null | undefined {
  switch (key) {
    case OS_LABEL:
    case BETA_OS_LABEL:
      return p.os;
    case ARCH_LABEL:
    case BETA_ARCH_LABEL:
      return p.architecture;
    case WINDOWS_BUILD_LABEL:
      return p.os !== 'windows' ? null : p.osVersion?.split('.').slice(0, 3).join('.');
    default:
      // any other label (a node pool, a zone) may be on some node of this platform
      return undefined;
  }
}

/** `labels.Requirement.Matches` for one expression; an unknown label may match */
function requirementMatches(r: Requirement, p: Platform): boolean {
  const value = nodeLabel(p, r.key);
  if (value === undefined) {
    return true;
  }
  switch (r.operator) {
    case 'In':
      return value !== null && r.values.includes(value);
    case 'NotIn':
      return value === null || !r.values.includes(value);
    case 'Exists':
      return value !== null;
    case 'DoesNotExist':
      return value === null;
    case 'Gt':
    case 'Lt': {
      const [a, b] = [Number(value), Number(r.values[0])];
      if (value === null || !/^-?\d+$/.test(value) || r.values.length !== 1 || !/^-?\d+$/.test(r.values[0])) {
        return false;
      }
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      // an operator the API server would refuse: the term fails to parse and matches nothing
      return false;
  }
}

function requirements(list: unknown): Requirement[] {
  return (Array.isArray(list) ? list : []).map((e: any) => ({
    key: String(e?.key ?? ''),
    operator: String(e?.operator ?? ''),
    values: Array.isArray(e?.values) ? e.values.map(String) : [],
  }));
}

function describe(r: Requirement): string {
  return `required node affinity ${r.key} ${r.operator}${r.values.length > 0 ? ` [${r.values.join(', ')}]` : ''}`;
}

const PLATFORM_KEYS = [OS_LABEL, BETA_OS_LABEL, ARCH_LABEL, BETA_ARCH_LABEL, WINDOWS_BUILD_LABEL];
const ARCH_KEYS = [ARCH_LABEL, BETA_ARCH_LABEL];

/**
 * The platforms `podSpec` may run on among the cluster's, each with what constrains it. With no
 * `setting` (the default), the platforms the pod names itself (`In`, `nodeSelector`,
 * `spec.os.name`) are the candidates, and `linux`/`amd64` stand for an OS or an architecture it
 * does not name. `none` says why the pod may run on no platform at all.
 * @internal
 */
export function podPlatforms(podSpec: any, cluster: ClusterPlatforms): { platforms: PlatformNeed[]; none?: string } {
  const selector: { [key: string]: string } = podSpec?.nodeSelector && typeof podSpec.nodeSelector === 'object' ? podSpec.nodeSelector : {};
  const osName: unknown = podSpec?.os?.name;
  const required = podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms: Requirement[][] | undefined = required && typeof required === 'object'
    ? (Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : [])
      // a term with neither expressions nor fields is skipped
      .filter((t: any) => (Array.isArray(t?.matchExpressions) && t.matchExpressions.length > 0)
        || (Array.isArray(t?.matchFields) && t.matchFields.length > 0))
      .map((t: any) => requirements(t.matchExpressions))
    : undefined;

  const fromSelector = (p: Platform) => Object.entries(selector).every(([key, value]) => {
    const label = nodeLabel(p, key);
    return label === undefined || label === String(value);
  });
  // the first term a node of the platform matches, or undefined when none does
  const matchingTerm = (p: Platform) => terms?.find(term => term.every(r => requirementMatches(r, p)));
  const allowed = (p: Platform) => fromSelector(p) && (terms === undefined || matchingTerm(p) !== undefined)
    && (typeof osName !== 'string' || osName === '' || osName === p.os);

  const named = (keys: string[]) => {
    const values = new Set<string>();
    keys.filter(key => typeof selector[key] === 'string').forEach(key => values.add(selector[key]));
    if (keys.includes(OS_LABEL) && typeof osName === 'string' && osName !== '') {
      values.add(osName);
    }
    for (const term of terms ?? []) {
      term.filter(r => keys.includes(r.key) && r.operator === 'In').forEach(r => r.values.forEach(v => values.add(v)));
    }
    return [...values];
  };

  let candidates: Platform[];
  if (cluster.given) {
    candidates = [...cluster.platforms];
  } else {
    const build = typeof selector[WINDOWS_BUILD_LABEL] === 'string' ? selector[WINDOWS_BUILD_LABEL] : undefined;
    const oses = named([OS_LABEL, BETA_OS_LABEL]);
    const arches = named(ARCH_KEYS);
    candidates = (oses.length > 0 ? oses : [DEFAULT_PLATFORM.os]).flatMap(os => (arches.length > 0 ? arches : [DEFAULT_PLATFORM.architecture])
      .map(architecture => ({ os, architecture, ...(os === 'windows' && build ? { osVersion: build } : {}) })));
  }

  const platforms: PlatformNeed[] = [];
  for (const platform of candidates) {
    if (!allowed(platform)) {
      continue;
    }
    const why: string[] = [];
    let archNamed = false;
    for (const key of PLATFORM_KEYS) {
      if (key in selector) {
        why.push(`nodeSelector ${key}`);
        archNamed ||= ARCH_KEYS.includes(key);
      }
    }
    for (const r of matchingTerm(platform) ?? []) {
      if (PLATFORM_KEYS.includes(r.key)) {
        why.push(describe(r));
        archNamed ||= ARCH_KEYS.includes(r.key);
      }
    }
    if (typeof osName === 'string' && osName !== '') {
      why.push('spec.os.name');
    }
    if (!archNamed && cluster.given) {
      why.push(cluster.setting);
    } else if (!archNamed) {
      const osNamed = why.length > 0;
      why.push(`the default ${osNamed ? `architecture ${DEFAULT_PLATFORM.architecture}` : formatPlatform(DEFAULT_PLATFORM)}: no ${cluster.setting} given`);
    }
    platforms.push({ platform, why: why.join(', ') });
  }
  if (platforms.length > 0) {
    return { platforms };
  }
  const constraints = [
    ...PLATFORM_KEYS.filter(key => key in selector).map(key => `nodeSelector ${key}: ${selector[key]}`),
    ...(terms ?? []).flatMap(term => term.filter(r => PLATFORM_KEYS.includes(r.key)).map(describe)),
    ...(typeof osName === 'string' && osName !== '' ? [`spec.os.name: ${osName}`] : []),
  ];
  const among = cluster.given
    ? `none of the cluster's platforms (${cluster.setting} ${cluster.platforms.map(formatPlatform).join(',')})`
    : `no platform: it excludes the default ${formatPlatform(DEFAULT_PLATFORM)} and names no other (give the cluster's with ${cluster.setting})`;
  const terms0 = terms !== undefined && terms.length === 0 ? '; its required node affinity has no term a node can match' : '';
  return { platforms: [], none: `the pod may run on ${among}${constraints.length > 0 ? ` (${constraints.join(', ')})` : ''}${terms0}` };
}

/**
 * The cluster's node platforms from a setting's values, each `os/arch[/variant]` or a
 * comma-separated list of them; the default linux/amd64 when none is given.
 * @param what names the setting in errors and reports, e.g. `--platform`
 * @internal
 */
export function clusterPlatforms(values: readonly unknown[] | undefined, what: string): ClusterPlatforms {
  if (values === undefined || values.length === 0) {
    return { platforms: [DEFAULT_PLATFORM], setting: what, given: false };
  }
  const platforms = new Map<string, Platform>();
  for (const value of values) {
    if (typeof value !== 'string') {
      throw new Error(`${what} ${JSON.stringify(value)} is not a platform; expected OS/ARCH[/VARIANT], e.g. linux/arm64`);
    }
    for (const spec of value.split(',').map(v => v.trim()).filter(v => v !== '')) {
      let platform: Platform;
      try {
        platform = parsePlatform(spec);
      } catch (e: any) {
        throw new Error(`${what}: ${e.message}`);
      }
      platforms.set(formatPlatform(platform), platform);
    }
  }
  if (platforms.size === 0) {
    throw new Error(`${what} is empty; expected OS/ARCH[/VARIANT][,...], e.g. linux/amd64,linux/arm64`);
  }
  return { platforms: [...platforms.values()], setting: what, given: true };
}

/**
 * The annotation with which the constructs' `platforms` setting reaches `check --pull` and the
 * validation plugin: the node platforms of the cluster an object's pods run on, comma-separated.
 * @internal
 */
export const PLATFORMS_ANNOTATION = 'cdk8s-private-registry/platforms';

/**
 * The platforms `manifest` is annotated with, undefined when it is not, or why the annotation
 * cannot be read.
 * @internal
 */
export function annotatedPlatforms(manifest: any): ClusterPlatforms | { readonly error: string } | undefined {
  const annotations = manifest?.metadata?.annotations;
  if (typeof annotations !== 'object' || annotations === null || !Object.prototype.hasOwnProperty.call(annotations, PLATFORMS_ANNOTATION)) {
    return undefined;
  }
  try {
    return clusterPlatforms([annotations[PLATFORMS_ANNOTATION]], `the annotation ${PLATFORMS_ANNOTATION}`);
  } catch (e: any) {
    return { error: e.message };
  }
}

/**
 * Why `podSpec` can run on none of `cluster`'s platforms, and the fix; undefined when it can run
 * on one. Such a pod is never scheduled.
 * @internal
 */
export function platformMismatch(podSpec: any, cluster: ClusterPlatforms): { message: string; fix: string } | undefined {
  const { none } = podPlatforms(podSpec, cluster);
  if (none === undefined) {
    return undefined;
  }
  return {
    message: `${none}, so it is never scheduled`,
    fix: `make its nodeSelector, required node affinity and spec.os.name admit one of ${cluster.platforms.map(formatPlatform).join(', ')}, or add the node platform it needs to ${cluster.setting}`,
  };
}

/**
 * The `platforms` prop of a construct at `where`, checked; undefined when it is not given.
 * @internal
 */
export function platformsProp(where: string, value: unknown): ClusterPlatforms | undefined {
  if (value === undefined) {
    return undefined;
  }
  checkStringArray(where, 'platforms', value, 'OS/ARCH[/VARIANT] strings, e.g. ["linux/amd64", "linux/arm64"]', true);
  if ((value as string[]).length === 0) {
    // not the default: a pod that may run nowhere would pass
    throw new Error(`${where}: platforms is empty; expected OS/ARCH[/VARIANT][,...], e.g. ["linux/amd64", "linux/arm64"], or leave it out`);
  }
  // errors name the construct; reports name the prop
  return { ...clusterPlatforms(value as string[], `${where}: platforms`), setting: 'platforms' };
}
