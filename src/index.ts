export * from './registry-secret';
export * from './credential-value';
export * from './private-image-pull';
export * from './private-image-pod';
export * from './private-image-workloads';
export * from './private-image-service-account';
export * from './private-registry-policy';
export * from './image-reference';
export * from './image-lock';

// cdk8s-cli loads a validation plugin from the package's main module (`package: ./node_modules/cdk8s-private-registry`).
// The plugin is a tool, not part of the construct API, so it stays off the typed exports; read on demand, it
// loads its YAML parser only for cdk8s-cli. TypeScript users import it from 'cdk8s-private-registry/lib/tools/validation-plugin'.
Object.defineProperty(exports, 'PrivateRegistryValidation', {
  enumerable: false,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  get: () => require('./tools/validation-plugin').PrivateRegistryValidation,
});
