// The package's main module is its construct API and nothing else: whatever it exports is a promise of semver.
import * as path from 'path';
import * as api from '../src';

describe('the index', () => {
  test('exports the constructs, their enum and value classes, and no rule, helper or plugin', () => {
    // THEN (interfaces and props are types only, and leave no runtime export)
    expect(Object.getOwnPropertyNames(api).filter(name => name !== '__esModule').sort()).toEqual([
      'CredentialValue', 'ExternalSecretsApiVersion', 'ImageLock', 'ImageReference', 'NodeCredentials', 'PolicyMode', 'PrivateImageCronJob',
      'PrivateImageDaemonSet',
      'PrivateImageDeployment', 'PrivateImageJob', 'PrivateImagePod', 'PrivateImagePull', 'PrivateImageServiceAccount',
      'PrivateImageStatefulSet', 'PrivateRegistryPolicy', 'RegistrySecret', 'SecretStoreKind',
    ]);
  });

  test('the validation plugin loads from validation/, where cdk8s-cli is pointed', () => {
    // WHEN cdk8s-cli requires the folder named by `package:` in cdk8s.yaml
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const plugin = require(path.join(__dirname, '..', 'validation'));

    // THEN
    expect(typeof plugin.PrivateRegistryValidation).toBe('function');
    expect(typeof new plugin.PrivateRegistryValidation().validate).toBe('function');
  });
});
