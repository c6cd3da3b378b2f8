// The ExternalSecret template of RegistrySecret.fromExternalSecret and fromEcrAuthorizationToken, rendered by ESO's
// own engine (Go's text/template with sprig, test/support/eso-template.ts) over the values the operator would read,
// against `kubectl create secret docker-registry` for the same values: the same bytes.
import { Chart, Testing } from 'cdk8s';
import { CredentialValue, RegistrySecret } from '../src';
import { renderEsoTemplate } from './support/eso-template';
import { kubectlDockerConfigJsonBase64 } from './support/kubectl';

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

/** the `.dockerconfigjson` template an ExternalSecret in `chart` carries */
function templateOf(chart: Chart): string {
  const external = Testing.synth(chart).find(m => m.kind === 'ExternalSecret');
  return external.spec.target.template.data['.dockerconfigjson'];
}

function kubectlBytes(flags: { server?: string; username: string; password: string }): Buffer {
  return Buffer.from(kubectlDockerConfigJsonBase64(flags), 'base64');
}

const FLAGS = [
  { server: 'registry.gitlab.com', username: 'onrblt', password: 'glpatdasd' },
  { server: 'localhost:5000', username: 'test-user', password: 'p@ss<w>rd&"\\:{{ .x }}' },
  { server: 'https://registry.example.com:8443/v2/', username: 'ünïcode', password: 'pässwörd✓\u2028\u2029🙂\t\n' },
  { username: 'test-user', password: 'test-password' },
];

describe('the ExternalSecret template in ESO\'s engine', () => {
  test.each(FLAGS)('from a user name and a password, writes byte for byte what kubectl writes for %j', (flags) => {
    // GIVEN
    const chart = Testing.chart();
    RegistrySecret.fromExternalSecret(chart, 'regcred', {
      secretStoreRef: { name: 'vault' }, registries: [{ server: flags.server, username: { key: 'u' }, password: { key: 'p' } }],
    });

    // WHEN the operator renders it over the values it read
    const rendered = renderEsoTemplate(templateOf(chart), { username0: flags.username, password0: flags.password });

    // THEN
    expect(rendered.equals(kubectlBytes(flags))).toBe(true);
  });

  test.each(FLAGS)('from a ready auth, writes byte for byte what kubectl writes for %j', (flags) => {
    // GIVEN
    const chart = Testing.chart();
    RegistrySecret.fromExternalSecret(chart, 'regcred', { secretStoreRef: { name: 'vault' }, registries: [{ server: flags.server, auth: { key: 'a' } }] });
    const auth = Buffer.from(`${flags.username}:${flags.password}`, 'utf8').toString('base64');

    // WHEN
    const rendered = renderEsoTemplate(templateOf(chart), { auth0: auth });

    // THEN
    expect(rendered.equals(kubectlBytes(flags))).toBe(true);
  });

  test('several registries: the bytes of a RegistrySecret with the same values, which equal kubectl\'s', () => {
    // GIVEN the same three registries, from a store and from values
    const chart = Testing.chart();
    RegistrySecret.fromExternalSecret(chart, 'external', {
      secretStoreRef: { name: 'vault' },
      registries: [
        { server: 'registry.gitlab.com', username: { key: 'gitlab', property: 'user' }, password: { key: 'gitlab', property: 'token' } },
        { server: 'ghcr.io', auth: { key: 'github' } },
        { server: 'docker.io', username: { key: 'hub', property: 'user' }, password: { key: 'hub', property: 'token' } },
      ],
    });
    const values = new RegistrySecret(chart, 'values', { server: 'registry.gitlab.com', username: CredentialValue.fromString('gl'), password: CredentialValue.fromString('t<1>') });
    values.addRegistry({ server: 'ghcr.io', username: CredentialValue.fromString('gh'), password: CredentialValue.fromString('t:2') });
    values.addRegistry({ server: 'docker.io', username: CredentialValue.fromString('hub'), password: CredentialValue.fromString('t&3') });

    // WHEN
    const rendered = renderEsoTemplate(templateOf(chart), {
      username0: 'gl', password0: 't<1>', auth1: Buffer.from('gh:t:2').toString('base64'), username2: 'hub', password2: 't&3',
    });

    // THEN
    const secret = Testing.synth(chart).find(m => m.kind === 'Secret');
    expect(rendered.toString('base64')).toBe(secret.data['.dockerconfigjson']);
  });

  test('a whole .dockerconfigjson from the store is written as it is', () => {
    // GIVEN
    const chart = Testing.chart();
    RegistrySecret.fromExternalSecret(chart, 'regcred', { secretStoreRef: { name: 'vault' }, dockerConfigJson: { key: 'config' }, servers: ['quay.io'] });
    const config = '{\n  "auths": {"quay.io": {"auth": "dTpw"}}\n}\n';

    // WHEN
    const rendered = renderEsoTemplate(templateOf(chart), { dockerconfigjson: config });

    // THEN
    expect(rendered.toString('utf8')).toBe(config);
  });

  test('an auth that is not base64 of user:password fails in the operator instead of writing a broken secret', () => {
    // GIVEN
    const chart = Testing.chart();
    RegistrySecret.fromExternalSecret(chart, 'regcred', { secretStoreRef: { name: 'vault' }, registries: [{ server: 'ghcr.io', auth: { key: 'a' } }] });

    // THEN
    expect(() => renderEsoTemplate(templateOf(chart), { auth0: Buffer.from('no-colon').toString('base64') })).toThrow(/map has no entry for key "_1"/);
    expect(() => renderEsoTemplate(templateOf(chart), {})).toThrow(/map has no entry for key "auth0"/);
  });

  test('ECR: the generator\'s username and password make what kubectl writes for the registry host', () => {
    // GIVEN
    const chart = Testing.chart();
    RegistrySecret.fromEcrAuthorizationToken(chart, 'ecr', { server: ECR });
    const token = 'eyJwYXlsb2FkIjoi' + 'x'.repeat(2000) + '==';

    // WHEN the generator's output (generators/v1/ecr/ecr.go) is rendered
    const rendered = renderEsoTemplate(templateOf(chart), { username: 'AWS', password: token, proxy_endpoint: `https://${ECR}`, expires_at: '1796000000' });

    // THEN
    expect(rendered.equals(kubectlBytes({ server: ECR, username: 'AWS', password: token }))).toBe(true);
  });
});
