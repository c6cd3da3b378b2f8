// `check --image-credential-provider-config`: NodeCredentials from the command line, our CLI run as a
// node process. An integration test; test/node-credentials.test.ts holds the rest of NodeCredentials.
import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

const ECR_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4';

function tempFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'node-credentials-')), name);
  writeFileSync(file, text);
  return file;
}

describe('check --image-credential-provider-config', () => {
  const BIN = path.join(__dirname, '..', 'bin', 'cdk8s-private-registry.js');
  const CONFIG = `{"kind": "CredentialProviderConfig", "apiVersion": "kubelet.config.k8s.io/v1", "providers": [
  {"name": "ecr-credential-provider", "matchImages": ["*.dkr.ecr.*.amazonaws.com"], "defaultCacheDuration": "12h",
   "apiVersion": "credentialprovider.kubelet.k8s.io/v1"}]}`;
  const POD = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - {name: web, image: "${ECR_IMAGE}", imagePullPolicy: IfNotPresent}
`;

  function check(args: string[]) {
    const result = spawnSync(process.execPath, [BIN, 'check', ...args], { input: POD, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  test('an image the kubelet\'s providers cover passes without a pull secret', () => {
    // GIVEN
    const config = tempFile('config.json', CONFIG);

    // WHEN
    const covered = check(['--image-credential-provider-config', config, '-']);
    const without = check(['-']);

    // THEN
    expect(covered).toEqual({ status: 0, stdout: 'no violations: 1 pod spec checked\n', stderr: '' });
    expect(without.status).toBe(1);
    expect(without.stdout).toContain('[pull-secret-coverage]');
  }, 30_000);

  test('a config the kubelet refuses is a usage error with the kubelet\'s reason', () => {
    // GIVEN
    const config = tempFile('config.json', CONFIG.replace('"12h"', '"-1m"'));

    // WHEN
    const { status, stderr } = check(['--image-credential-provider-config', config, '-']);

    // THEN
    expect(status).toBe(2);
    expect(stderr).toContain('defaultCacheDuration must be greater than or equal to 0');
  }, 30_000);
});
