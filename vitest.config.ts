import { defineConfig } from 'vitest/config';

/**
 * Two projects in one run. `unit` has no globalSetup, so `vitest run test/unit` starts no
 * redis-server (and passes without one on PATH); its setup file makes any ioredis connection
 * throw. `redis` (store and integration tests) starts one throwaway redis-server for itself,
 * only when a file of it is part of the run. The root config has no globalSetup: Vitest 4 runs
 * the root's for every run, whichever projects take part.
 */
const shared = { testTimeout: 30_000, hookTimeout: 30_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    ...shared,
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/helpers/no-redis.ts'],
        },
      },
      {
        test: {
          ...shared,
          name: 'redis',
          include: ['test/store/**/*.test.ts', 'test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/global-redis.ts'],
        },
      },
    ],
  },
});
