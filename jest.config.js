/** Three projects so each layer can be run alone; `npm test` runs them all. */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };
const common = { testEnvironment: 'node', transform, rootDir: __dirname };

module.exports = {
  maxWorkers: 2,
  // Hooks start brokers, databases and processes; on a loaded 2-core machine 5 s is not enough.
  testTimeout: 30_000,
  globalSetup: '<rootDir>/tests/support/test-backends.ts',
  globalTeardown: '<rootDir>/tests/support/test-backends-teardown.ts',
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
  // Longest files first (recorded durations, as CI has no jest cache), so no long file runs last.
  testSequencer: '<rootDir>/tests/support/slowest-first-sequencer.js',
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
