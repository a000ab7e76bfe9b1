import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./redsqs-setup.ts'],
    // One redsqs for the run: its queues, reset() and clock are shared, so files run one at a time.
    fileParallelism: false,
  },
});
