import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RegistrySecret } from '../src';
import { checkSecret, isExistingSecret, secretInfo } from '../src/wiring/pull-secrets';

describe('what a secret given to a construct means to the pull rules', () => {
  test('a RegistrySecret reference is a secret created out of band, with its servers', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    const regcred = RegistrySecret.fromSecretName(chart, 'regcred', 'regcred', { servers: ['registry.gitlab.com'], namespace: 'ci' });

    // THEN
    expect(isExistingSecret(regcred)).toBe(true);
    expect(secretInfo(regcred)).toEqual({ name: 'regcred', namespace: 'ci', servers: ['registry.gitlab.com'] });
  });

  test('a cdk8s-plus DockerConfigSecret\'s servers are read from its data, at the moment of asking', () => {
    // GIVEN
    const chart = Testing.chart();
    const secret = new kplus.DockerConfigSecret(chart, 'docker', { metadata: { name: 'docker' }, data: { auths: { 'ghcr.io': { auth: 'dTpw' } } } });

    // WHEN
    const info = secretInfo(secret);

    // THEN
    expect(isExistingSecret(secret)).toBe(false);
    expect(info).toMatchObject({ name: 'docker', servers: ['ghcr.io'] });
  });

  test.each([
    ['regcred', /registrySecrets\[0\] is a string; expected a RegistrySecret; for an existing secret use RegistrySecret\.fromSecretName\(this, 'regcred', 'regcred'/],
    // what could not be a secret's name may be a password: it is not repeated
    ['Pa55word!', /registrySecrets\[0\] is a string; expected a RegistrySecret; for an existing secret use RegistrySecret\.fromSecretName\(this, 'NAME', 'NAME'/],
  ])('a string %j where a secret is wanted is refused with the way to declare one', (value, message) => {
    // WHEN
    const attempt = () => checkSecret('test/pod', 'registrySecrets[0]', value);

    // THEN
    expect(attempt).toThrow(message);
    expect(() => checkSecret('x', 'y', 'Pa55word!')).not.toThrow(/Pa55word/);
  });

  test('an Opaque secret is refused: the kubelet reads pull credentials only from docker config secrets', () => {
    // GIVEN
    const chart = Testing.chart();
    const opaque = new kplus.Secret(chart, 'opaque', { metadata: { name: 'opaque' }, stringData: { token: 'x' } });

    // WHEN
    const attempt = () => checkSecret('test/pod', 'registrySecrets[0]', opaque);

    // THEN
    expect(attempt).toThrow('test/pod: registrySecrets[0] is the secret "opaque" of type "Opaque"; the kubelet reads pull credentials only from kubernetes.io/dockerconfigjson secrets: use a RegistrySecret or a DockerConfigSecret');
  });
});
