export * from './action-metrics';
export * from './node-metrics';
export * from './readiness';
export * from './ops-server';
export * from './withdraw-services';
export * from './rotate-keys';
export * from './usage-error';
