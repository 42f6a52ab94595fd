import { defineConfig } from 'vitest/config';

// The reliability suite (`npm run test:reliability`): load, faults, kills and
// fuzzing against the running app. Slower than the unit and end-to-end suite.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/support/fast-check-seed.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // `npm test` (vitest.config.ts) also matches these files: they run only here.
    env: { CHANGEPROOF_RELIABILITY: '1' },
  },
});
