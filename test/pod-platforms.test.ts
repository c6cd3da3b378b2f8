import { formatPlatform, parsePlatform } from '../src/rules/platforms';
import { ClusterPlatforms, DEFAULT_PLATFORM, podPlatforms } from '../src/rules/pod-platforms';

// The scheduler's rules (k8s.io/component-helpers, scheduling/corev1/nodeaffinity): nodeSelector
// ANDed with the required node affinity; its terms ORed, each term's expressions ANDed; a term with
// nothing in it skipped; required affinity with no term left matches no node.

const DEFAULT: ClusterPlatforms = { platforms: [DEFAULT_PLATFORM], setting: '--platform', given: false };
const POOLS: ClusterPlatforms = { platforms: ['linux/amd64', 'linux/arm64'].map(parsePlatform), setting: '--platform', given: true };

function names(podSpec: any, cluster: ClusterPlatforms): string[] {
  return podPlatforms(podSpec, cluster).platforms.map(p => formatPlatform(p.platform));
}

function affinity(...terms: Array<Array<[string, string, string[]]>>) {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: terms.map(t => ({ matchExpressions: t.map(([key, operator, values]) => ({ key, operator, values })) })),
      },
    },
  };
}

describe('podPlatforms', () => {
  test('an unconstrained pod runs on the default, and says so; with --platform on every pool', () => {
    // GIVEN a pod that names no platform
    const spec = { containers: [{ image: 'x' }] };
    // THEN it runs on linux/amd64 by default, and the reason names the default
    expect(podPlatforms(spec, DEFAULT).platforms).toEqual([{ platform: DEFAULT_PLATFORM, why: 'the default linux/amd64: no --platform given' }]);
    // AND with two pools on both
    expect(podPlatforms(spec, POOLS).platforms.map(p => [formatPlatform(p.platform), p.why]))
      .toEqual([['linux/amd64', '--platform'], ['linux/arm64', '--platform']]);
  });

  test('nodeSelector kubernetes.io/arch pins the pod, with or without --platform', () => {
    const spec = { nodeSelector: { 'kubernetes.io/arch': 'arm64' } };
    expect(podPlatforms(spec, DEFAULT).platforms).toEqual([{ platform: { os: 'linux', architecture: 'arm64' }, why: 'nodeSelector kubernetes.io/arch' }]);
    expect(names(spec, POOLS)).toEqual(['linux/arm64']);
  });

  test('the deprecated beta labels, which the kubelet still sets, pin the pod too', () => {
    const spec = { nodeSelector: { 'beta.kubernetes.io/arch': 'arm64', 'beta.kubernetes.io/os': 'linux' } };
    expect(podPlatforms(spec, DEFAULT).platforms).toEqual([{
      platform: { os: 'linux', architecture: 'arm64' },
      why: 'nodeSelector beta.kubernetes.io/os, nodeSelector beta.kubernetes.io/arch',
    }]);
    expect(names(spec, POOLS)).toEqual(['linux/arm64']);
  });

  test('an In affinity on both architectures needs both; NotIn removes one', () => {
    const both = { affinity: affinity([['kubernetes.io/arch', 'In', ['amd64', 'arm64']]]) };
    expect(names(both, DEFAULT)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(podPlatforms(both, DEFAULT).platforms[1].why).toBe('required node affinity kubernetes.io/arch In [amd64, arm64]');
    const notArm = { affinity: affinity([['kubernetes.io/arch', 'NotIn', ['arm64']]]) };
    expect(names(notArm, POOLS)).toEqual(['linux/amd64']);
  });

  test('terms are ORed, expressions ANDed, and nodeSelector ANDed with them', () => {
    // GIVEN two terms: arm64 in one pool, or amd64 with an unknown label
    const spec = {
      nodeSelector: { 'kubernetes.io/os': 'linux', 'pool': 'fast' },
      affinity: affinity(
        [['kubernetes.io/arch', 'In', ['arm64']], ['pool', 'In', ['a']]],
        [['kubernetes.io/arch', 'In', ['amd64']], ['kubernetes.io/os', 'In', ['windows']]],
      ),
    };
    // THEN only the first term can match: its pool label may be on some node; the second needs windows
    expect(names(spec, POOLS)).toEqual(['linux/arm64']);
    expect(names(spec, DEFAULT)).toEqual(['linux/arm64']);
  });

  test('spec.os.name and nodeSelector kubernetes.io/os pick the OS', () => {
    const spec = { os: { name: 'windows' }, nodeSelector: { 'node.kubernetes.io/windows-build': '10.0.20348' } };
    expect(podPlatforms(spec, DEFAULT).platforms).toEqual([{
      platform: { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348' },
      why: 'nodeSelector node.kubernetes.io/windows-build, spec.os.name, the default architecture amd64: no --platform given',
    }]);
    // AND a Windows pod on Linux pools runs nowhere, and says why
    const none = podPlatforms({ os: { name: 'windows' } }, POOLS);
    expect(none.platforms).toEqual([]);
    expect(none.none).toBe('the pod may run on none of the cluster\'s platforms (--platform linux/amd64,linux/arm64) (spec.os.name: windows)');
  });

  test('an empty term is skipped, and required affinity with no term left matches no node', () => {
    const spec = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } };
    expect(names(spec, POOLS)).toEqual([]);
    expect(podPlatforms(spec, POOLS).none).toMatch(/its required node affinity has no term a node can match$/);
  });

  test('Exists, DoesNotExist and an operator the API refuses', () => {
    expect(names({ affinity: affinity([['kubernetes.io/arch', 'Exists', []]]) }, POOLS)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(names({ affinity: affinity([['kubernetes.io/arch', 'DoesNotExist', []]]) }, POOLS)).toEqual([]);
    expect(names({ affinity: affinity([['kubernetes.io/arch', 'Like', ['arm64']]]) }, POOLS)).toEqual([]);
  });

  test('a pod that excludes the default and names nothing else runs nowhere by default', () => {
    const result = podPlatforms({ affinity: affinity([['kubernetes.io/arch', 'NotIn', ['amd64']]]) }, DEFAULT);
    expect(result.none).toBe('the pod may run on no platform: it excludes the default linux/amd64 and names no other (give the cluster\'s with --platform) '
      + '(required node affinity kubernetes.io/arch NotIn [amd64])');
  });
});
