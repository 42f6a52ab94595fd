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
    // Each worker loads the app, the simulator and their dependencies once for all the
    // files it runs, not once per file: that loading was half the suite's CPU (364 s →
    // 166 s in all, 204 s → 105 s of wall time). Files share no state but the modules'
    // own content-keyed caches: each starts its apps, simulators and ledgers afresh and
    // stops them, and the suite passes in shuffled file orders
    // (`npx vitest run --sequence.shuffle.files --sequence.seed=N`).
    isolate: false,
  },
});
