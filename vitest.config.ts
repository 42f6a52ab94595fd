import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/support/fast-check-seed.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Most files wait on child processes and HTTP, not the CPU: three workers on a
    // 2-core machine finish the suite in about two thirds of the time one takes.
    maxWorkers: 3,
  },
});
