export * from './catalogue';
export * from './outbox';
export * from './publishers';
export * from './consumer';
export * from './local-bus';
