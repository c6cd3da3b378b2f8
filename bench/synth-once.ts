// One measurement in a fresh process: build and synth N pods with one wiring variant, then
// print {ms, maxRssMb} as JSON. Run by bench/bench.ts.
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CredentialValue, PolicyMode, PrivateImagePod, PrivateRegistryPolicy, RegistrySecret } from '../src';

const [variant, sizeArg] = process.argv.slice(2);
const size = Number(sizeArg);
const credentials = { server: 'registry.example.com', username: 'bench', password: 'bench-password' };
// the same credentials as the constructs take them
const values = {
  server: credentials.server,
  username: CredentialValue.fromString(credentials.username),
  password: CredentialValue.fromString(credentials.password),
};

function image(i: number): string {
  return `registry.example.com/team/app-${i % 50}:v${i}`;
}

function ours(chart: Chart): void {
  const secret = new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, ...values });
  for (let i = 0; i < size; i++) {
    new PrivateImagePod(chart, `pod${i}`, {
      registrySecrets: [secret],
      containers: [{ name: 'app', image: image(i) }],
    });
  }
}

function handWired(chart: Chart): void {
  const secret = new kplus.DockerConfigSecret(chart, 'regcred', {
    metadata: { name: 'regcred' },
    data: { auths: { [credentials.server]: { username: credentials.username, password: credentials.password } } },
  });
  for (let i = 0; i < size; i++) {
    new kplus.Pod(chart, `pod${i}`, {
      dockerRegistryAuth: secret,
      containers: [{ name: 'app', image: image(i), imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT }],
    });
  }
}

// pods from no construct of ours (L1 objects, as from Include or Helm), for the scope-wide policy
function l1Pods(chart: Chart, wired: boolean): void {
  for (let i = 0; i < size; i++) {
    new kplus.k8s.KubePod(chart, `pod${i}`, {
      spec: {
        imagePullSecrets: wired ? [{ name: 'regcred' }] : undefined,
        containers: [{ name: 'app', image: image(i), imagePullPolicy: wired ? 'IfNotPresent' : undefined }],
      },
    });
  }
}

function regcred(chart: Chart): RegistrySecret {
  return new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, ...values });
}

const variants: Record<string, (chart: Chart) => void> = {
  ours,
  'hand-wired': handWired,
  'l1': chart => { regcred(chart); l1Pods(chart, true); },
  'l1+verify': chart => {
    regcred(chart);
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY });
    l1Pods(chart, true);
  },
  'l1+wire': chart => {
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [regcred(chart)] });
    l1Pods(chart, false);
  },
};
const build = variants[variant];
if (!build || !(size > 0)) {
  throw new Error(`usage: synth-once.ts <${Object.keys(variants).join('|')}> <size>`);
}

const start = process.hrtime.bigint();
const app = new App({ outdir: '/nonexistent' });
build(new Chart(app, 'bench'));
const yaml = app.synthYaml();
const ms = Number(process.hrtime.bigint() - start) / 1e6;
if (!yaml.includes('imagePullSecrets')) {
  throw new Error('synth produced no imagePullSecrets');
}
process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
