// jest setup: every manifest any test synthesizes with Testing.synth is validated against the
// Kubernetes 1.27 schema, so no test can pass on output the API server would reject.
import { Testing } from 'cdk8s';
import type { validateManifests } from './k8s-schema';

// compiled once per jest process, by the test environment (schema-environment.ts's SHARED_VALIDATOR)
const SHARED_VALIDATOR = '__k8sSchema127ValidateManifests';
const validate = (globalThis as any)[SHARED_VALIDATOR] as typeof validateManifests | undefined;
if (typeof validate !== 'function') {
  throw new Error(`no ${SHARED_VALIDATOR} on the test's global: set testEnvironment to test/support/schema-environment.ts in the jest config`);
}

const synth = Testing.synth;
Testing.synth = (chart) => {
  const manifests = synth(chart);
  const errors = validate(manifests);
  if (errors.length > 0) {
    throw new Error(`${chart.node.path}: the synthesized manifests fail the Kubernetes 1.27 schema:\n  ${errors.join('\n  ')}`);
  }
  return manifests;
};
