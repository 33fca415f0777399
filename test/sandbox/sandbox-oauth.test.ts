import { describe, expect, it } from '@jest/globals';
import { SANDBOX_OAUTH_PATH } from '../../src/sandbox/sandbox-provider-entry.js';
import { graphql, useSubscriptionTest } from '../subscriptions/support/subscription-harness.js';
import { passSandboxPages } from './support/sandbox-browser.js';
import { connectSandbox, startSandboxConnection, storedTokens } from './support/sandbox-connection.js';

/**
 * The sandbox's authorization server, mounted in the service (`/sandbox/oauth`), against the
 * service's own OAuth client: connecting through its sign-in and consent pages (PKCE S256, RFC
 * 9207 `iss`), refresh with rotation, revocation on disconnect and `invalid_grant` afterwards.
 * Nothing is faked: the service calls itself over HTTP at PUBLIC_URL, as it would any provider.
 */
const test = useSubscriptionTest();

const issuer = () => `${test.service.url}${SANDBOX_OAUTH_PATH}`;

/** A refresh at the sandbox's token endpoint with the service's own client credentials. */
async function refreshAtSandbox(refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const { clientId, clientSecret } = test.service.app.config.providers.sandbox!;
  const response = await fetch(`${issuer()}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const proxy = (integrationId: string, path: string, init: RequestInit = {}) =>
  fetch(`${test.service.url}/proxy/${integrationId}${path}`, { ...init, headers: { authorization: `Bearer ${test.token}`, 'content-type': 'application/json', ...init.headers } });

describe('the sandbox authorization server', () => {
  it('is listed as configured from the start, with its scopes described', async () => {
    const result = await graphql<{ providers: { id: string; configured: boolean; scopes: { name: string; description: string }[] }[] }>(
      test.service.url,
      test.token,
      '{ providers { id configured scopes { name description } } }',
    );
    const sandbox = result.data!.providers.find((provider) => provider.id === 'sandbox');
    expect(sandbox).toMatchObject({ configured: true });
    expect(sandbox!.scopes.map((scope) => scope.name)).toEqual(['items:read', 'items:write', 'webhooks']);
  });

  it('connects through its sign-in and consent pages with PKCE S256, the account read from its API', async () => {
    const { integrationId, authorizationUrl, consentPage } = await connectSandbox(test, 'Ada Lovelace');
    const asked = new URL(authorizationUrl);
    expect(asked.origin + asked.pathname).toBe(`${issuer()}/auth`);
    expect(asked.searchParams.get('code_challenge_method')).toBe('S256');
    // The consent page lists every scope asked for, by what it allows.
    for (const text of ['See your sandbox items', 'Create sandbox items', 'items:read', 'webhooks', 'Ada Lovelace']) expect(consentPage).toContain(text);

    const [row] = await test.service.app.database.asSystem((em) =>
      em.execute<{ external_account_id: string; scopes: string[]; metadata: Record<string, unknown> }[]>(`select external_account_id, scopes, metadata from integrations where id = ?`, [integrationId]),
    );
    expect(row!.external_account_id).toBe('ada-lovelace');
    expect(row!.metadata).toMatchObject({ name: 'Ada Lovelace' });
    const tokens = await storedTokens(test, integrationId);
    expect(tokens.refreshToken).toEqual(expect.any(String));

    // The proxy reaches the sandbox API with the access token.
    const created = await proxy(integrationId, '/items', { method: 'POST', body: JSON.stringify({ title: 'First' }) });
    expect(created.status).toBe(201);
    const listed = (await (await proxy(integrationId, '/items')).json()) as { items: { title: string }[] };
    expect(listed.items.map((item) => item.title)).toEqual(['First']);
  });

  it('refuses an authorization request without a PKCE challenge', async () => {
    const { clientId } = test.service.app.config.providers.sandbox!;
    const url = new URL(`${issuer()}/auth`);
    url.search = new URLSearchParams({ client_id: clientId!, response_type: 'code', redirect_uri: `${test.service.url}/oauth/callback`, scope: 'items:read', state: 'x' }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    const back = new URL(response.headers.get('location')!);
    expect(back.pathname).toBe('/oauth/callback');
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('sends the browser back with access_denied when the person denies', async () => {
    const { callback } = await passSandboxPages(await startSandboxConnection(test), { deny: true });
    expect(callback.get('error')).toBe('access_denied');
    expect(callback.get('iss')).toBe(issuer());
  });

  it('rotates the refresh token when the service refreshes; the spent one is then invalid_grant', async () => {
    const { integrationId } = await connectSandbox(test, 'Grace Hopper');
    const before = await storedTokens(test, integrationId);
    // The access token is due: the next provider call refreshes it first.
    await test.service.app.database.asSystem((em) => em.execute(`update integrations set token_expires_at = now() - interval '1 minute' where id = ?`, [integrationId]));
    expect((await proxy(integrationId, '/items')).status).toBe(200);

    const after = await storedTokens(test, integrationId);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toEqual(expect.any(String));
    expect(after.refreshToken).not.toBe(before.refreshToken);
    const spent = await refreshAtSandbox(before.refreshToken!);
    expect(spent).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('revokes on disconnect: the refresh token then answers invalid_grant and the API refuses the access token', async () => {
    const { integrationId } = await connectSandbox(test, 'Katherine Johnson');
    const tokens = await storedTokens(test, integrationId);
    const disconnected = await graphql(test.service.url, test.token, 'mutation D($id: ID!) { disconnectIntegration(id: $id) { id status } }', { id: integrationId });
    expect(disconnected.errors).toBeUndefined();

    expect(await refreshAtSandbox(tokens.refreshToken!)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const me = await fetch(`${test.service.url}/sandbox/api/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toContain('invalid_token');
  });
});
