// The work budget of one synth request: how often the internals that scale with the app run, counted
// in process and held to a fixed budget, so that work that grows with the number of pods fails here
// and not only as a slower time. test/synth-request.test.ts and test/registry-secret.test.ts hold the
// behaviour these counts come from (what one request knows ends with it). Run by bench/bench.ts
// (`workBench()`), or alone: `node -r ts-node/register/transpile-only bench/work.ts`.
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PrivateImagePod, PrivateRegistryPolicy, RegistrySecret } from '../src';
import { KubeletKeyring } from '../src/rules/kubelet-keyring';
import { ManifestIndex } from '../src/rules/manifest-index';
import { PullWiring } from '../src/wiring/pull-wiring';
import { testSecret } from '../test/support/secrets';

const IMAGE = 'registry.gitlab.com/a/b:v1';

interface Row {
  readonly what: string;
  readonly calls: number;
  readonly budget: number;
}

/** runs `body` with `owner[method]` counting the calls whose arguments `counts` accepts, then restores it */
function counted<T extends object>(owner: T, method: keyof T & string, body: () => void, counts: (args: any[]) => boolean = () => true): number {
  const original = (owner as any)[method];
  let calls = 0;
  (owner as any)[method] = function (this: unknown, ...args: any[]) {
    if (counts(args)) {
      calls++;
    }
    return original.apply(this, args);
  };
  try {
    body();
  } finally {
    (owner as any)[method] = original;
  }
  return calls;
}

/** the app's secrets are read once per synth, however many pods ask: once for the policy's validation, at most once to render */
function secretIndexedPerSynth(): Row {
  const chart = Testing.chart();
  const secret = testSecret(chart);
  new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [secret] });
  for (let i = 0; i < 20; i++) {
    // a pod with no secret of its own pulls with its ServiceAccount's: looked up in the app
    new kplus.k8s.KubePod(chart, `pod${i}`, { spec: { containers: [{ name: 'c', image: IMAGE }] } });
  }
  const calls = counted(ManifestIndex.prototype, 'addSecret', () => Testing.synth(chart), ([info]) => info.name === secret.name);
  return { what: 'ManifestIndex.addSecret of the policy\'s secret, 20 L1 pods under a WIRE policy', calls, budget: 2 };
}

/** a pod's secret is read once per synth request, however many pods name it: 20 pods as often as one */
function kplusSecretRenderedPerSynth(): Row[] {
  const synthWith = (pods: number) => {
    const chart = Testing.chart();
    const secret = new kplus.DockerConfigSecret(chart, 'regcred', { data: { auths: { 'registry.gitlab.com': { auth: 'dTpw' } } } });
    for (let i = 0; i < pods; i++) {
      new PrivateImagePod(chart, `pod${i}`, { registrySecrets: [secret], containers: [{ image: IMAGE }] });
    }
    return counted(kplus.k8s.KubeSecret.prototype, 'toJson', () => Testing.synth(chart));
  };
  const one = synthWith(1);
  return [
    { what: 'KubeSecret.toJson of a cdk8s-plus DockerConfigSecret, 1 pod names it', calls: one, budget: one },
    { what: 'KubeSecret.toJson of a cdk8s-plus DockerConfigSecret, 20 pods name it', calls: synthWith(20), budget: one },
  ];
}

/** two charts, so that cdk8s's synthYaml validates the app three times */
function twoCharts(): { app: App; a: Chart } {
  const app = Testing.app();
  const a = new Chart(app, 'a');
  new Chart(app, 'b');
  return { app, a };
}

/** a pod is rendered once per synth request, however often cdk8s validates the app: written once; checked from its model */
function podRenderedPerRequest(): Row {
  const { app, a } = twoCharts();
  const pod = new PrivateImagePod(a, 'pod', { registrySecrets: [testSecret(a)], containers: [{ image: IMAGE }] });
  const calls = counted(pod as any, '_toKube', () => app.synthYaml());
  return { what: 'PrivateImagePod._toKube, one synthYaml of two charts', calls, budget: 1 };
}

/** a policy checks each of its pods once per synth request, however often cdk8s validates the app */
function podCheckedPerRequest(): Row {
  const { app, a } = twoCharts();
  new PrivateRegistryPolicy(a, 'policy', { registrySecrets: [testSecret(a)] });
  const pod = new kplus.k8s.KubePod(a, 'pod', { spec: { containers: [{ name: 'c', image: IMAGE }] } });
  const calls = counted(PullWiring, 'violations', () => app.synthYaml(), ([obj]) => obj === pod);
  return { what: 'PullWiring.violations of an L1 pod under a policy, one synthYaml of two charts', calls, budget: 1 };
}

/** reading N entries takes linear work: each server key is read a fixed number of times */
function serverKeysReadPerEntry(): Row {
  const entries = 4000;
  const auths = Object.fromEntries(Array.from({ length: entries }, (_, i) => [`registry${i}.example.com`, { auth: 'dTpw' }]));
  const calls = counted(KubeletKeyring, 'keyOf', () => RegistrySecret.fromDockerConfigJson(Testing.chart(), 'many', JSON.stringify({ auths })));
  return { what: `KubeletKeyring.keyOf, RegistrySecret.fromDockerConfigJson of ${entries} entries`, calls, budget: 3 * entries };
}

/** the table of counts against their budgets; throws, after printing it, when a count is over its budget */
export function workBench(): string {
  const rows = [secretIndexedPerSynth(), ...kplusSecretRenderedPerSynth(), podRenderedPerRequest(), podCheckedPerRequest(), serverKeysReadPerEntry()];
  const table = [
    '| work per synth request | calls | budget |',
    '|---|---:|---:|',
    ...rows.map(r => `| ${r.what} | ${r.calls} | ${r.budget}${r.calls > r.budget ? ' **over**' : ''} |`),
  ].join('\n');
  const over = rows.filter(r => r.calls > r.budget);
  if (over.length > 0) {
    throw new Error(`${table}\n\nover the work budget: ${over.map(r => r.what).join('; ')}`);
  }
  return table;
}

if (require.main === module) {
  console.log(workBench());
}
