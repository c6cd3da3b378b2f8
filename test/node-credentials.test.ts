import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CredentialValue, NodeCredentials, PolicyMode, PrivateImageDeployment, PrivateImagePod, PrivateRegistryPolicy, RegistrySecret } from '../src';
import { IValidationContext, PrivateRegistryValidation, PrivateRegistryValidationProps, ValidationViolation } from '../src/cli/validation-plugin';
import { nodeSourceFor } from '../src/rules/node-credentials';

const ECR_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4';

function tempFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'node-credentials-')), name);
  writeFileSync(file, text);
  return file;
}

describe('NodeCredentials presets', () => {
  test.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/web', true],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web', true],
    ['evil-dkr.ecr.example.com/web', false],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example/web', false],
    ['dkr.ecr.eu-west-1.amazonaws.com/web', false],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com:8443/web', false],
  ])('ECR preset: %s is covered: %s', (image, covered) => {
    // GIVEN / WHEN
    const source = nodeSourceFor(NodeCredentials.ecr()._sources, image);

    // THEN
    expect(source?.name).toBe(covered ? 'ecr-credential-provider' : undefined);
  });

  test.each([
    ['europe-docker.pkg.dev/project/repo/app', 'auth-provider-gcp'],
    ['gcr.io/project/app', 'auth-provider-gcp'],
    ['eu.gcr.io/project/app', 'auth-provider-gcp'],
    ['myregistry.azurecr.io/app', 'acr-credential-provider'],
    ['pkg.dev.example.com/app', undefined],
    ['azurecr.io/app', undefined],
  ])('GCP and ACR presets: %s is covered by %s', (image, name) => {
    // GIVEN
    const sources = [...NodeCredentials.gcp()._sources, ...NodeCredentials.acr()._sources];

    // WHEN / THEN
    expect(nodeSourceFor(sources, image)?.name).toBe(name);
  });

  test('each preset names its provider', () => {
    expect([NodeCredentials.ecr(), NodeCredentials.gcp(), NodeCredentials.acr()].map(n => n.names))
      .toEqual([['ecr-credential-provider'], ['auth-provider-gcp'], ['acr-credential-provider']]);
  });
});

describe('NodeCredentials factories', () => {
  test('fromMatchImages matches as the kubelet does', () => {
    // GIVEN
    const node = NodeCredentials.fromMatchImages('harbor', ['*.registry.example.com', 'registry.example.com:5000/team']);

    // WHEN / THEN
    expect(nodeSourceFor(node._sources, 'eu.registry.example.com/app')?.name).toBe('harbor');
    expect(nodeSourceFor(node._sources, 'registry.example.com:5000/team/app')?.name).toBe('harbor');
    expect(nodeSourceFor(node._sources, 'registry.example.com:5000/other/app')).toBeUndefined();
  });

  test.each<[string, unknown, unknown, RegExp]>([
    ['a name with a slash', 'a/b', ['x.io'], /name "a\/b" is not a provider name the kubelet accepts/],
    ['no matchImages', 'p', [], /matchImages of "p" is empty/],
    ['a matchImages entry Go cannot parse', 'p', ['%invalid%'], /matchImages\[0\] of "p" is "%invalid%", which the kubelet refuses/],
  ])('fromMatchImages refuses %s', (_case, name, matchImages, error) => {
    expect(() => NodeCredentials.fromMatchImages(name as any, matchImages as any)).toThrow(error);
  });

  test('fromProviderConfigFile reads every provider of the kubelet\'s file', () => {
    // GIVEN
    const file = tempFile('config.yaml', `kind: CredentialProviderConfig
apiVersion: kubelet.config.k8s.io/v1
providers:
  - name: ecr-credential-provider
    matchImages: ["*.dkr.ecr.*.amazonaws.com"]
    defaultCacheDuration: "12h"
    apiVersion: credentialprovider.kubelet.k8s.io/v1
  - name: harbor
    matchImages: ["harbor.example.com"]
    defaultCacheDuration: "0"
    apiVersion: credentialprovider.kubelet.k8s.io/v1
`);

    // WHEN
    const node = NodeCredentials.fromProviderConfigFile(file);

    // THEN
    expect(node.names).toEqual(['ecr-credential-provider', 'harbor']);
    expect(nodeSourceFor(node._sources, 'harbor.example.com/app')?.name).toBe('harbor');
  });

  test('fromProviderConfigFile refuses what the kubelet refuses, naming the file and the reason', () => {
    // GIVEN
    const file = tempFile('config.yaml', 'kind: CredentialProviderConfig\napiVersion: kubelet.config.k8s.io/v1\nproviders:\n  - name: a b\n'
      + '    matchImages: [x.io]\n    defaultCacheDuration: 1m\n    apiVersion: credentialprovider.kubelet.k8s.io/v1\n');

    // WHEN / THEN
    expect(() => NodeCredentials.fromProviderConfigFile(file)).toThrow(/config\.yaml": the kubelet refuses this CredentialProviderConfig: .*provider name cannot contain spaces/);
  });

  test('fromProviderConfigFile reads a directory as the kubelet does, and refuses one without config files', () => {
    // GIVEN
    const empty = mkdtempSync(path.join(tmpdir(), 'node-credentials-dir-'));

    // WHEN / THEN
    expect(() => NodeCredentials.fromProviderConfigFile(empty)).toThrow(/NodeCredentials.fromProviderConfigFile: file ".*": .*no configuration files found in directory/);
  });

  test('fromDockerConfigFile keeps the servers, never the credentials', () => {
    // GIVEN
    const password = 'node-secret-password';
    const file = tempFile('config.json', JSON.stringify({ auths: { 'registry.internal:5000': { username: 'node', password } } }));

    // WHEN
    const node = NodeCredentials.fromDockerConfigFile(file);

    // THEN
    expect(nodeSourceFor(node._sources, 'registry.internal:5000/app')?.kind).toBe('docker-config');
    expect(JSON.stringify(node)).not.toContain(password);
  });
});

describe('constructs with node credentials', () => {
  test('an EKS workload pulls from ECR with no pull secret, and its snapshot shows none', () => {
    // GIVEN
    const chart = Testing.chart();

    // WHEN
    new PrivateImageDeployment(chart, 'web', {
      registrySecrets: [],
      nodeCredentials: [NodeCredentials.ecr()],
      containers: [{ name: 'web', image: ECR_IMAGE, portNumber: 8080 }],
    });

    // THEN
    const manifests = Testing.synth(chart);
    const spec = manifests.find(m => m.kind === 'Deployment').spec.template.spec;
    expect(spec.imagePullSecrets).toBeUndefined();
    expect(spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(manifests).toMatchSnapshot();
  });

  test('a pod without node credentials is refused for the same image', () => {
    // GIVEN
    const chart = Testing.chart();
    const gitlab = new RegistrySecret(chart, 'gitlab', {
      server: 'registry.gitlab.com', username: CredentialValue.fromString('u'), password: CredentialValue.fromString('p'),
    });

    // WHEN
    new PrivateImagePod(chart, 'pod', { registrySecrets: [gitlab], containers: [{ name: 'web', image: ECR_IMAGE }] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/no pull secret covers registry "123456789012.dkr.ecr.eu-west-1.amazonaws.com"/);
  });

  test('a WIRE policy adds no secret to a pod whose only covering source is the node', () => {
    // GIVEN: an offered secret that covers every ECR host, and the node's ECR provider
    const chart = Testing.chart();
    const ecrSecret = new RegistrySecret(chart, 'ecr', {
      server: '*.dkr.ecr.*.amazonaws.com', username: CredentialValue.fromString('AWS'), password: CredentialValue.fromString('p'),
    });
    new PrivateRegistryPolicy(chart, 'policy', { registrySecrets: [ecrSecret], nodeCredentials: [NodeCredentials.ecr()] });

    // WHEN
    new ApiObject(chart, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod' }, spec: { containers: [{ name: 'web', image: ECR_IMAGE }] } });

    // THEN
    const spec = Testing.synth(chart).find(m => m.kind === 'Pod').spec;
    expect(spec.imagePullSecrets).toBeUndefined();
  });

  test('a VERIFY policy names the node sources it tried when nothing covers an image', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY, nodeCredentials: [NodeCredentials.gcp()] });

    // WHEN
    new kplus.Pod(chart, 'pod', { containers: [{ name: 'web', image: ECR_IMAGE, imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT }] });

    // THEN
    expect(() => Testing.synth(chart)).toThrow(/no pull secret covers registry .*, nor does the node \(node provider "auth-provider-gcp"\)/);
  });

  test('publicRegistries keeps its meaning: an image of a public registry is not the node\'s', () => {
    // GIVEN
    const chart = Testing.chart();
    new PrivateRegistryPolicy(chart, 'policy', { mode: PolicyMode.VERIFY, publicRegistries: ['docker.io'], nodeCredentials: [NodeCredentials.ecr()] });

    // WHEN
    new kplus.Pod(chart, 'pod', { containers: [{ name: 'web', image: 'nginx:1.25', imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT }] });

    // THEN
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('a JavaScript caller giving nodeCredentials that are not NodeCredentials is told so', () => {
    const chart = Testing.chart();
    expect(() => new PrivateRegistryPolicy(chart, 'policy', { nodeCredentials: ['ecr'] as any }))
      .toThrow(/policy: nodeCredentials\[0\] is string; expected NodeCredentials, e.g. NodeCredentials.ecr\(\)/);
  });
});

describe('PrivateRegistryValidation with node credentials', () => {
  const PODS = ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4', 'europe-docker.pkg.dev/p/r/api:2'].map((image, i) => `apiVersion: v1
kind: Pod
metadata:
  name: pod${i}
spec:
  containers:
    - name: app
      image: ${image}
      imagePullPolicy: IfNotPresent
`).join('---\n');

  async function validate(props: PrivateRegistryValidationProps) {
    const violations: ValidationViolation[] = [];
    const submitted: string[] = [];
    const metadata: Array<{ [key: string]: string } | undefined> = [];
    const context: IValidationContext = {
      manifests: [tempFile('pods.k8s.yaml', PODS)],
      report: { addViolation: v => violations.push(v), submit: (status, m) => submitted.push(status) && metadata.push(m) },
      logger: { log: () => undefined },
    };
    await new PrivateRegistryValidation(props).validate(context);
    return { violations, submitted, metadata };
  }

  test('nodeCredentials presets cover their images: no violation', async () => {
    // GIVEN / WHEN
    const { violations, submitted, metadata } = await validate({ nodeCredentials: ['ecr', 'gcp'] });

    // THEN
    expect(violations).toEqual([]);
    expect(submitted).toEqual(['success']);
    expect(metadata[0]?.['Node credentials']).toBe('ecr-credential-provider, auth-provider-gcp');
  });

  test('imageCredentialProviderConfig covers the images of its providers; the others are reported, naming the node\'s', async () => {
    // GIVEN
    const file = tempFile('config.yaml', `kind: CredentialProviderConfig
apiVersion: kubelet.config.k8s.io/v1
providers:
  - name: ecr-credential-provider
    matchImages: ["*.dkr.ecr.*.amazonaws.com"]
    defaultCacheDuration: "12h"
    apiVersion: credentialprovider.kubelet.k8s.io/v1
`);

    // WHEN
    const { violations } = await validate({ imageCredentialProviderConfig: file });

    // THEN
    expect(violations).toHaveLength(1);
    expect(violations[0].violatingResources.map(r => r.resourceName)).toEqual(['pod1']);
    expect(violations[0].violatingResources[0].locations[0]).toMatch(/nor does the node \(node provider "ecr-credential-provider"\)/);
  });

  test('an unknown preset is refused with the list of presets', () => {
    expect(() => new PrivateRegistryValidation({ nodeCredentials: ['eks'] }))
      .toThrow(/nodeCredentials\[0\] is "eks"; expected one of ecr, gcp, acr/);
  });
});
