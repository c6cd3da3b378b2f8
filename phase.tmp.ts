import { App, Chart, ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PrivateImagePod, RegistrySecret, CredentialValue } from './src';
const variant = process.argv[2]; const N = Number(process.argv[3] ?? 10000);
const app = new App({ outdir: '/nonexistent' }); const chart = new Chart(app, 'bench');
let t = process.hrtime.bigint(); const lap = (l: string) => { const n = process.hrtime.bigint(); console.log(l.padEnd(12), (Number(n - t) / 1e6).toFixed(0)); t = n; };
if (variant === 'ours') {
  const s = new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, server: 'registry.example.com', username: CredentialValue.fromString('b'), password: CredentialValue.fromString('p') });
  for (let i = 0; i < N; i++) new PrivateImagePod(chart, `pod${i}`, { registrySecrets: [s], containers: [{ name: 'app', image: `registry.example.com/team/app-${i % 50}:v${i}` }] });
} else {
  const s = new kplus.DockerConfigSecret(chart, 'regcred', { metadata: { name: 'regcred' }, data: { auths: { 'registry.example.com': { username: 'b', password: 'p' } } } });
  for (let i = 0; i < N; i++) new kplus.Pod(chart, `pod${i}`, { dockerRegistryAuth: s, containers: [{ name: 'app', image: `registry.example.com/team/app-${i % 50}:v${i}`, imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT }] });
}
lap('construct');
const all = app.node.findAll();
const { SynthRequest } = require('./src/synth-request');
(SynthRequest as any).run(app, () => {
  for (const c of all) c.node.validate();
  lap('validate');
  for (const c of all) c.node.validate();
  lap('validate 2');
  for (const c of all) if (ApiObject.isApiObject(c)) c.toJson();
  lap('toJson');
});
