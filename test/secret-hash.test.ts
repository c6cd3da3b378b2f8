import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { CredentialValue, RegistrySecret } from '../src';
import { kubectlAppendHashName, kubectlDockerConfigJsonBase64, kubectlDockerConfigSecretFromFile } from './support/kubectl';
import { kubectlSecretHash } from '../src/rules/secret-hash';

describe('kubectlSecretHash', () => {
  test.each([
    ['regcred', { server: 'registry.gitlab.com', username: 'test-user', password: 'test-password' }],
    ['a.b-c', { username: 'tëst', password: 'p<&>"\\', email: 'e@example.com' }],
  ])('is the suffix kubectl create secret docker-registry %s --append-hash adds', (name, flags) => {
    // GIVEN
    const data = { '.dockerconfigjson': kubectlDockerConfigJsonBase64(flags) };

    // WHEN
    const hash = kubectlSecretHash({ name, type: 'kubernetes.io/dockerconfigjson', data });

    // THEN
    expect(`${name}-${hash}`).toBe(kubectlAppendHashName(name, flags));
  });

  test('is the suffix kubectl create secret generic --from-file --append-hash adds', () => {
    // GIVEN
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'secret-hash-')), 'config.json');
    fs.writeFileSync(file, '{\n\t"auths": {\n\t\t"ghcr.io": {\n\t\t\t"auth": "dTpw"\n\t\t}\n\t}\n}');
    const secret = kubectlDockerConfigSecretFromFile('login', file, { appendHash: true });

    // WHEN
    const hash = kubectlSecretHash({ name: 'login', type: secret.type, data: secret.data });

    // THEN
    expect(secret.metadata.name).toBe(`login-${hash}`);
  });

  test.each([true, false])('is the hash RegistrySecret gives with appendHash, immutable %s', (immutable) => {
    // GIVEN
    const chart = Testing.chart();
    new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, appendHash: true, immutable, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
    const [manifest] = Testing.synth(chart);

    // WHEN
    const hash = kubectlSecretHash({ name: 'regcred', type: manifest.type, data: manifest.data, immutable: manifest.immutable });

    // THEN
    expect(manifest.metadata.name).toBe(`regcred-${hash}`);
  });

  test('sorts data keys by their bytes and uses the hash alphabet', () => {
    // GIVEN
    const data = { b: 'Yg==', a: 'YQ==', B: 'Qg==' };

    // WHEN
    const hash = kubectlSecretHash({ name: 'n', type: 'Opaque', data });

    // THEN
    expect(hash).toBe(kubectlSecretHash({ name: 'n', type: 'Opaque', data: { B: 'Qg==', a: 'YQ==', b: 'Yg==' } }));
    expect(hash).toMatch(/^[245-9bcdfghkmt]{10}$/);
  });
});
