import { defineConfig } from 'vitest/config';

// CALSYNC_TEST_REPORT=path adds a JSON report (used by .ci/run to print "N passed, N failed").
const jsonReport = process.env.CALSYNC_TEST_REPORT;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here; more workers only make the child-process and rate-limited tests slower.
    maxWorkers: 2,
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
