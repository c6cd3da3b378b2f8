// The registry secret most tests need: one server, test credentials.
import { Chart } from 'cdk8s';
import { CredentialValue, RegistrySecret } from '../../src';

/** a RegistrySecret named `id` for `server`, with the test user "u" and password "p" */
export function testSecret(chart: Chart, id = 'gitlab', server = 'registry.gitlab.com'): RegistrySecret {
  return new RegistrySecret(chart, id, { metadata: { name: id }, server, username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
}

/** kubectl's flags as RegistrySecret credentials */
export function withCredentials(flags: { server?: string; username: string; password: string; email?: string }) {
  const { username, password, email } = flags;
  return {
    ...flags,
    username: CredentialValue.fromString(username),
    password: CredentialValue.fromString(password),
    email: email === undefined ? undefined : CredentialValue.fromString(email),
  };
}
