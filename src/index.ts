export * from './registry-secret';
export * from './credential-value';
export * from './private-image-pull';
export * from './private-image-pod';
export * from './private-image-workloads';
export * from './private-image-service-account';
export * from './private-registry-policy';
export * from './image-reference';
// checkImageLock and lockDigests stay internal to the constructs
export { ImageLock } from './image-lock';
