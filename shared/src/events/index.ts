export * from './catalogue';
export * from './outbox';
export * from './publishers';
export * from './consumer';
export * from './broadcast-feed';
export * from './local-bus';
