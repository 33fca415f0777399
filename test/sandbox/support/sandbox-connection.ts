import { expect } from '@jest/globals';
import { openIntegrationToken } from '../../../src/connections/integration-token-columns.js';
import { createKeyRing } from '../../../src/crypto/key-ring.js';
import { createTokenCipher } from '../../../src/crypto/token-sealing.js';
import { graphql, type SubscriptionTestContext } from '../../subscriptions/support/subscription-harness.js';
import { passSandboxPages } from './sandbox-browser.js';

export interface SandboxConnection {
  integrationId: string;
  authorizationUrl: string;
  consentPage: string | undefined;
}

const START = 'mutation S($input: StartConnectionInput!) { startConnection(input: $input) { authorizationUrl } }';

/** `startConnection` for the sandbox; the authorization URL it answers. */
export async function startSandboxConnection(test: SubscriptionTestContext): Promise<string> {
  const started = await graphql<{ startConnection: { authorizationUrl: string } }>(test.service.url, test.token, START, {
    input: { providerId: 'sandbox', redirectUri: `${test.service.url}/oauth/callback` },
  });
  expect(started.errors).toBeUndefined();
  return started.data!.startConnection.authorizationUrl;
}

/** Connects the sandbox the way a person does: startConnection, its sign-in and consent pages, `/oauth/callback`. */
export async function connectSandbox(test: SubscriptionTestContext, name = 'Ada Lovelace'): Promise<SandboxConnection> {
  const authorizationUrl = await startSandboxConnection(test);
  const { callback, consentPage } = await passSandboxPages(authorizationUrl, { name });
  const landing = await fetch(`${test.service.url}/oauth/callback?${callback}`, { redirect: 'manual' });
  expect(landing.status).toBe(303);
  expect(new URL(landing.headers.get('location')!).searchParams.get('connected')).toBe('sandbox');
  const [row] = await test.service.app.database.asSystem((em) =>
    em.execute<{ id: string }[]>(`select id from integrations where organization_id = ? and provider_id = 'sandbox' and status = 'connected'`, [test.organizationId]),
  );
  return { integrationId: row!.id, authorizationUrl, consentPage };
}

/** The integration's token columns, opened (what the service would send to the sandbox). */
export async function storedTokens(test: SubscriptionTestContext, integrationId: string): Promise<{ accessToken: string; refreshToken: string | null }> {
  const [row] = await test.service.app.database.asSystem((em) =>
    em.execute<{ access_token: string; refresh_token: string | null }[]>(`select access_token, refresh_token from integrations where id = ?`, [integrationId]),
  );
  const cipher = createTokenCipher(createKeyRing(test.service.app.config.encryptionKeys));
  return {
    accessToken: openIntegrationToken(cipher, integrationId, 'access_token', row!.access_token),
    refreshToken: row!.refresh_token === null ? null : openIntegrationToken(cipher, integrationId, 'refresh_token', row!.refresh_token),
  };
}
