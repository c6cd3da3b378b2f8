// jest setup: every manifest any test synthesizes with Testing.synth is validated against the
// Kubernetes 1.27 schema, so no test can pass on output the API server would reject.
import { Testing } from 'cdk8s';
import { validateManifests } from './k8s-schema';

const synth = Testing.synth;
Testing.synth = (chart) => {
  const manifests = synth(chart);
  const errors = validateManifests(manifests);
  if (errors.length > 0) {
    throw new Error(`${chart.node.path}: the synthesized manifests fail the Kubernetes 1.27 schema:\n  ${errors.join('\n  ')}`);
  }
  return manifests;
};
