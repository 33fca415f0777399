/**
 * The browser end-to-end test, run by `npm run test:e2e` after Chromium is ensured and the client
 * is built: the base config on test/e2e only. The test starts its own service with embedded
 * PostgreSQL, so the base config's global setup (the machine's PostgreSQL and Redis) is left out.
 */
import base from './jest.config.js';

export default {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  // Each step bounds its own waits; this is the outer limit for one step.
  testTimeout: 120000,
};
