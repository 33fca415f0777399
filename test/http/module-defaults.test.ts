import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decrypt, encrypt } from '../../src/crypto/encrypt.js';
import { googleClient } from '../../src/providers/google/google-client.js';
import { createFakeGoogle, GOOGLE_ACCESS_TOKEN } from '../support/fake-google.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// The seed's module-level API, as server code in the running service imports it: configured by
// the composition root, not by the caller.
const google = createFakeGoogle();
let subject: TestApp;

beforeAll(async () => {
  await google.server.start();
  subject = await startTestApp({ GOOGLE_CLIENT_ID: 'deployment-client-id', GOOGLE_CLIENT_SECRET: 'deployment-secret', GOOGLE_API_BASE_URL: google.server.url });
});

afterAll(async () => {
  await subject?.close();
  await google.server.close();
});

describe('the module-level API in a started service', () => {
  it('gives googleClient the deployment’s credentials and API base URL', async () => {
    const authorizationUrl = new URL(googleClient.getAuthorizationUrl('state', 'http://localhost:4001/oauth/callback'));
    expect(authorizationUrl.searchParams.get('client_id')).toBe('deployment-client-id');
    await expect(googleClient.testConnection(GOOGLE_ACCESS_TOKEN)).resolves.toBe(true);
    expect(google.server.violations).toEqual([]);
  });

  it('gives encrypt and decrypt the deployment’s key', async () => {
    const sealed = await encrypt('a secret', { ownerId: 'row-1', column: 'note' });
    expect(sealed).not.toContain('a secret');
    await expect(decrypt(sealed, { ownerId: 'row-1', column: 'note' })).resolves.toBe('a secret');
  });
});
