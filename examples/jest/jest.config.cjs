module.exports = {
  testEnvironment: 'node',
  globalSetup: './redsqs-setup.mjs',
  globalTeardown: './redsqs-teardown.mjs',
  // One redsqs for the run: its queues, reset and clock are shared, so files run one at a time.
  maxWorkers: 1,
};
