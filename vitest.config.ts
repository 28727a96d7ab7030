import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/unit/globalSetup.ts'],
    // Memory tests check that what the engine keeps is released once its owner is collected.
    execArgv: ['--expose-gc'],
  },
});
