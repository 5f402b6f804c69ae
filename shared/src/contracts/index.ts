export * from './define';
export * from './registry';
export * from './call';
export * from './identity';
export * from './catalog';
export * from './ordering';
export * from './ticketing';
export * from './notifications';
