/** Jest globalTeardown: stops the containers test-backends.ts started, if it started any. */
export { stopTestBackends as default } from './test-backends';
