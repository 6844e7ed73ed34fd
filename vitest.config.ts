import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The second reporter ends the run with the count of tests skipped for want of the data sets.
    reporters: ['default', './test/helpers/shared-data-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: keep end-to-end spawns from fighting over them.
    maxWorkers: 2,
  },
});
