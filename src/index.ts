export * from './image-reference';
export * from './docker-config';
export * from './registry-match';
export * from './registry-secret';
export * from './private-image-pod';
export * from './private-image-workloads';
export * from './private-image-service-account';
export * from './private-registry-policy';
