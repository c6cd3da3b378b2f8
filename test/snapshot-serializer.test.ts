import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { format } from 'pretty-format';
import { RegistrySecret, CredentialValue } from '../src';
import * as serializer from '../src/tools/snapshot-serializer';

const PASSWORD = 'sentinel-password-123';
const AUTH = Buffer.from(`test-user:${PASSWORD}`).toString('base64');

function chartWithSecrets(app = Testing.app()): Chart {
  const chart = new Chart(app, 'test');
  const secret = new RegistrySecret(chart, 'regcred', { metadata: { name: 'regcred' }, server: 'registry.gitlab.com', username: CredentialValue.fromString('test-user'), password: CredentialValue.fromString(PASSWORD), email: CredentialValue.fromString('ci@example.com') });
  secret.addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString('bot'), password: CredentialValue.fromString(PASSWORD) });
  new kplus.DockerConfigSecret(chart, 'plus', { metadata: { name: 'plus' }, data: { auths: { 'quay.io': { username: 'q', password: PASSWORD } } } });
  return chart;
}

function leaks(text: string): string[] {
  const manifests = Testing.synth(chartWithSecrets());
  const encoded = manifests.filter(m => m.data).map(m => m.data['.dockerconfigjson']);
  return [PASSWORD, AUTH, Buffer.from(PASSWORD).toString('base64'), ...encoded].filter(s => text.includes(s));
}

describe('snapshot serializer', () => {
  expect.addSnapshotSerializer(serializer);

  test('shows a dockerconfigjson Secret as servers and usernames, with credentials redacted', () => {
    // GIVEN
    const manifests = Testing.synth(chartWithSecrets());

    // WHEN
    const printed = format(manifests, { plugins: [serializer] });

    // THEN
    expect(leaks(printed)).toEqual([]);
    expect(printed).toContain('"registry.gitlab.com": Object {');
    expect(printed).toContain('"username": "test-user"');
    expect(printed).toContain('"email": "ci@example.com"');
    expect(printed).toContain('"password": "<redacted>"');
    expect(printed).toContain('"auth": "<redacted>"');
    expect(manifests).toMatchSnapshot();
  });

  test('redacts the base64 in synthesized YAML text too', () => {
    // GIVEN
    const app = new App({ outdir: '/nonexistent' });
    chartWithSecrets(app);

    // WHEN
    const yaml = app.synthYaml();
    const printed = format(yaml, { plugins: [serializer] });

    // THEN
    expect(yaml).toContain('.dockerconfigjson: ');
    expect(leaks(printed)).toEqual([]);
    expect(printed).toContain('password: <redacted>');
    expect(printed).toContain('username: test-user');
  });

  test('does not change what synth writes', () => {
    // GIVEN
    const manifests = Testing.synth(chartWithSecrets());

    // WHEN
    format(manifests, { plugins: [serializer] });

    // THEN
    expect(Buffer.from(manifests[0].data['.dockerconfigjson'], 'base64').toString()).toContain(PASSWORD);
  });

  test('leaves other objects alone', () => {
    expect(serializer.test({ kind: 'Secret', type: 'Opaque', data: { a: 'b' } })).toBe(false);
    expect(serializer.test({ kind: 'ConfigMap', data: { '.dockerconfigjson': 'abc' } })).toBe(false);
    expect(serializer.test('plain text')).toBe(false);
  });
});
