module.exports = {
  testEnvironment: 'node',
  globalSetup: './redsqs-setup.mjs',
  globalTeardown: './redsqs-teardown.mjs',
};
