export * from './image-reference';
export * from './docker-config';
export * from './registry-match';
export * from './registry-secret';
export * from './private-image-pod';
