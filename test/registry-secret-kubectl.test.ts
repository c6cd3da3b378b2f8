// RegistrySecret against kubectl itself, byte for byte: `kubectl create secret docker-registry` (with and without
// --append-hash) and `kubectl create secret generic --from-file`. The construct's own behaviour is in
// registry-secret.test.ts.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { PrivateImagePod, RegistrySecret } from '../src';
import { kubectlAppendHashName, kubectlDockerConfigJson, kubectlDockerConfigSecretFromFile } from './support/kubectl';
import { withCredentials } from './support/secrets';

describe('RegistrySecret', () => {
  test.each([
    [{ server: 'registry.gitlab.com', username: 'onrblt', password: 'glpatdasd' }],
    [{ username: 'test-user', password: 'test-password' }],
    [{ server: 'localhost:5000', username: 'test-user', password: 'p@ss<w>rd&"\\', email: 'ci@example.com' }],
    [{ server: 'https://registry.example.com:8443/v2/', username: 'ünïcode', password: 'pässwörd✓\u2028🙂' }],
  ])('.dockerconfigjson is byte for byte what kubectl writes for %j', (flags) => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    new RegistrySecret(chart, 'secret', withCredentials(flags));

    // THEN
    const [secret] = Testing.synth(chart);
    expect(secret.data['.dockerconfigjson']).toBe(Buffer.from(kubectlDockerConfigJson(flags), 'utf8').toString('base64'));
  });

  test('GIVEN an empty email, as --docker-email= gives kubectl, WHEN the secret is synthesized, THEN it is accepted and the entry has no email, byte for byte as kubectl writes it', () => {
    // GIVEN: a JavaScript caller, or a pipeline that passes an unset variable through
    const flags = { server: 'registry.gitlab.com', username: 'ci', password: 'token', email: '' };
    const chart = Testing.chart();

    // WHEN
    const secret = new RegistrySecret(chart, 'secret', flags as any);
    secret.addRegistry({ server: 'ghcr.io', username: 'ci', password: 'token', email: '' } as any);

    // THEN
    const config = Buffer.from(Testing.synth(chart)[0].data['.dockerconfigjson'], 'base64').toString('utf8');
    expect(JSON.parse(config).auths['registry.gitlab.com']).toEqual({ username: 'ci', password: 'token', auth: 'Y2k6dG9rZW4=' });
    expect(JSON.parse(config).auths['ghcr.io']).toEqual({ username: 'ci', password: 'token', auth: 'Y2k6dG9rZW4=' });
    const single = Testing.chart();
    new RegistrySecret(single, 'secret', flags as any);
    expect(Testing.synth(single)[0].data['.dockerconfigjson']).toBe(Buffer.from(kubectlDockerConfigJson(flags), 'utf8').toString('base64'));
  });
});

describe('RegistrySecret rotation', () => {
  test('appendHash names the secret as kubectl --append-hash does, and pods follow the name', () => {
    // GIVEN
    const chart = Testing.chart();
    const flags = { server: 'registry.gitlab.com', username: 'test-user', password: 'test-password' };

    // WHEN
    const secret = new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, appendHash: true, ...withCredentials(flags) });
    new PrivateImagePod(chart, 'pod', { registrySecrets: [secret], containers: [{ image: 'registry.gitlab.com/team/app:v1' }] });

    // THEN
    const [manifest, pod] = Testing.synth(chart);
    expect(manifest.metadata.name).toBe(kubectlAppendHashName('regcred', flags));
    expect(secret.name).toBe(manifest.metadata.name);
    expect(pod.spec.imagePullSecrets).toEqual([{ name: manifest.metadata.name }]);
  });
});

describe('RegistrySecret.fromDockerConfigFile keeps the file\'s bytes, as kubectl create secret generic --from-file does', () => {
  // what `docker login` writes: indented, with a trailing newline
  const config = `{\n\t"auths": {\n\t\t"registry.gitlab.com": {\n\t\t\t"auth": "${Buffer.from('ci:token<&>').toString('base64')}"\n\t\t}\n\t}\n}\n`;

  test.each([false, true])('with appendHash %s: the same data and the same name as kubectl', (appendHash) => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-config-'));
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, config);
    const chart = Testing.chart();

    // WHEN
    RegistrySecret.fromDockerConfigFile(chart, 'login', file, { metadata: { name: 'login' }, appendHash });
    const [ours] = Testing.synth(chart);
    const kubectl = kubectlDockerConfigSecretFromFile('login', file, { appendHash });

    // THEN
    expect(ours.data).toEqual(kubectl.data);
    expect(Buffer.from(ours.data['.dockerconfigjson'], 'base64').toString('utf8')).toBe(config);
    expect(ours.metadata.name).toBe(kubectl.metadata.name);
    expect(ours.type).toBe(kubectl.type);
  });
});
