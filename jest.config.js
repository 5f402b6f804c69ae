/**
 * swc strips the types, file by file, and checks none: `npm test` type-checks the whole tree with
 * tsc first. (ts-jest did the same in transpile mode, tsconfig's isolatedModules, at a sixth to a third
 * more CPU.) ES2022 as tsconfig.base.json targets, so class fields are defined the same.
 */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const common = { testEnvironment: 'node', transform, rootDir: __dirname };

/** Three projects so each layer can be run alone; `npm test` runs them all. */
module.exports = {
  maxWorkers: 2,
  // Hooks start brokers, databases and processes; on a loaded 2-core machine 5 s is not enough.
  testTimeout: 30_000,
  globalSetup: '<rootDir>/tests/support/test-backends.ts',
  globalTeardown: '<rootDir>/tests/support/test-backends-teardown.ts',
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/shared/test/**/*.test.ts',
        '<rootDir>/services/*/test/unit/**/*.test.ts',
        '<rootDir>/deploy/test/**/*.test.ts',
        '<rootDir>/docs/test/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/services/*/test/integration/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      // The clusters run the built bundles: built once per run, only when an e2e file runs.
      globalSetup: '<rootDir>/tests/support/build-bundles.ts',
      testMatch: ['<rootDir>/tests/e2e/**/*.test.ts', '<rootDir>/bench/test/**/*.test.ts'],
    },
  ],
};
