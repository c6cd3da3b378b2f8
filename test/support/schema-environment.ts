// jest's node environment, with the Kubernetes 1.27 schema (k8s-schema.ts) loaded and compiled once
// per jest process instead of once per test file: jest gives each test file a module registry of
// its own, but loads this environment, and what it imports, outside them. validate-synth.ts calls
// the shared validator through the test's global.
import { TestEnvironment } from 'jest-environment-node';
import { validateManifests } from './k8s-schema';

/** the test global's property that holds the shared `validateManifests` */
export const SHARED_VALIDATOR = '__k8sSchema127ValidateManifests';

export default class SchemaEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    this.global[SHARED_VALIDATOR] = validateManifests;
  }
}
