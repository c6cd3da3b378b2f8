// The registry secret most tests need: one server, test credentials.
import { Chart } from 'cdk8s';
import { CredentialValue, RegistrySecret } from '../../src';

/** a RegistrySecret named `id` for `server`, with the test user "u" and password "p" */
export function testSecret(chart: Chart, id = 'gitlab', server = 'registry.gitlab.com'): RegistrySecret {
  return new RegistrySecret(chart, id, { metadata: { name: id }, server, username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p') });
}
