export * from './constructs/registry-secret';
export * from './constructs/external-secret-props';
export * from './constructs/credential-value';
export * from './constructs/private-image-pull';
export * from './constructs/private-image-pod';
export * from './constructs/private-image-workloads';
export * from './constructs/private-image-service-account';
export * from './constructs/private-registry-policy';
export * from './constructs/node-credentials';
export * from './constructs/image-reference';
// checkImageLock and lockDigests stay internal to the constructs
export { ImageLock } from './constructs/image-lock';
