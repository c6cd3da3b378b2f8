import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CredentialValue, RegistrySecret } from '../src';
import { TreeIndex } from '../src/wiring/tree-index';

describe('the app\'s secrets and ServiceAccounts, as a pod\'s pull depends on them', () => {
  test('a RegistrySecret is known by its servers, without reading its credentials', () => {
    // GIVEN
    const chart = Testing.chart();
    new RegistrySecret(chart, 'regcred', {
      metadata: { name: 'regcred', namespace: 'ci' }, server: 'ghcr.io', username: CredentialValue.fromString('u'), password: CredentialValue.fromEnvironment('TREE_INDEX_UNSET'),
    });

    // WHEN
    const index = TreeIndex.of(chart);

    // THEN: the unset variable is not read
    expect(index.secrets('regcred')).toEqual([{ name: 'regcred', namespace: 'ci', servers: ['ghcr.io'], copyable: true }]);
  });

  test('a Secret and a ServiceAccount from anywhere else (Include, Helm, L1) are read from their JSON', () => {
    // GIVEN
    const chart = Testing.chart();
    const config = JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('u:p').toString('base64') } } });
    new ApiObject(chart, 'secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'vendor', namespace: 'prod' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(config).toString('base64') } });
    new kplus.k8s.KubeServiceAccount(chart, 'sa', { metadata: { name: 'builder', namespace: 'prod' }, imagePullSecrets: [{ name: 'vendor' }] });

    // WHEN
    const index = TreeIndex.of(chart);

    // THEN
    expect(index.secrets('vendor')).toMatchObject([{ name: 'vendor', namespace: 'prod', servers: ['quay.io'] }]);
    expect(index.serviceAccount('builder', 'prod')).toEqual(['vendor']);
    expect(index.serviceAccount('builder', 'other')).toBeUndefined();
  });

  test('outside a synth each call reads the tree as it is', () => {
    // GIVEN
    const chart = Testing.chart();
    const before = TreeIndex.of(chart);

    // WHEN
    RegistrySecret.fromSecretName(chart, 'late', 'late', { servers: ['ghcr.io'] });

    // THEN
    expect(before.secrets('late')).toEqual([]);
    expect(TreeIndex.of(chart).secrets('late')).toEqual([{ name: 'late', namespace: undefined, servers: ['ghcr.io'], inEveryNamespace: true }]);
  });
});
