import { beforeAll, describe, expect, it } from '@jest/globals';
import { GRAPH_ACCESS_TOKEN } from '../support/fake-microsoft.js';
import { insertConnectedIntegration, storedSubscription, subscribe, useSubscriptionTest } from './support/subscription-harness.js';

/**
 * A renewal whose access token Graph refuses (401) refreshes the token at the Microsoft identity
 * platform's token endpoint and is sent once more with the new token. The token endpoint is a
 * route of the Graph fake here (at its real path), answering a refresh as
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token documents.
 */
const TOKEN_PATH = '/common/oauth2/v2.0/token';
const REFRESH_TOKEN = 'M.C123_BAY.0.U.-refresh-token-of-alice';
const NEW_ACCESS_TOKEN = 'eyJ0eXAiOiJKV1QiLCJub25jZSI6InJlZnJlc2hlZCJ9.fake.graph';

const test = useSubscriptionTest({
  env: (fakes) => ({ MICROSOFT_TOKEN_URL: `${fakes.microsoft.server.url}${TOKEN_PATH}` }),
  beforeApp: async (fakes) => {
    fakes.microsoft.server.route('POST', TOKEN_PATH, (request, check) => {
      const form = request.form();
      check(form.get('grant_type') === 'refresh_token', 'grant_type=refresh_token');
      check(form.get('client_id') === 'ms-client' && form.get('client_secret') === 'ms-secret', 'client_secret_post credentials');
      if (form.get('refresh_token') !== REFRESH_TOKEN) return { status: 400, json: { error: 'invalid_grant', error_description: 'AADSTS70000: The refresh token is invalid.' } };
      fakes.microsoft.tokens.grant(NEW_ACCESS_TOKEN);
      return { json: { token_type: 'Bearer', scope: 'offline_access User.Read Calendars.ReadWrite', expires_in: 3599, access_token: NEW_ACCESS_TOKEN, refresh_token: `${REFRESH_TOKEN}-2` } };
    });
  },
});
let integrationId: string;

beforeAll(async () => {
  integrationId = await insertConnectedIntegration(test.service.app, test.organizationId, 'microsoft', { refreshToken: REFRESH_TOKEN });
});

describe('a renewal Graph answers 401', () => {
  it('refreshes the access token and is renewed with the new one', async () => {
    const { id } = await subscribe(test.service.url, test.token, integrationId, '/me/events');
    expect(await test.runDue()).toBe(1);
    const created = await storedSubscription(test.service.app, id);
    expect(created.status).toBe('active');

    test.fakes.microsoft.tokens.revoke(GRAPH_ACCESS_TOKEN); // expired at Microsoft: the next call is answered 401
    test.fakes.clock.set(new Date(created.renew_at as string).getTime());
    expect(await test.runDue()).toBe(1);

    const renewed = await storedSubscription(test.service.app, id);
    expect(renewed).toMatchObject({ status: 'active', attempts: 0, last_error: null, external_id: created.external_id });
    expect(new Date(renewed.expires_at as string).getTime()).toBeGreaterThan(new Date(created.expires_at as string).getTime());
    const patches = test.fakes.log.filter({ provider: 'microsoft', direction: 'in', method: 'PATCH', path: `/v1.0/subscriptions/${created.external_id as string}` });
    expect(patches.map((patch) => [patch.headers.authorization, patch.status])).toEqual([
      [`Bearer ${GRAPH_ACCESS_TOKEN}`, 401],
      [`Bearer ${NEW_ACCESS_TOKEN}`, 200],
    ]);
    const refresh = test.fakes.log.first({ provider: 'microsoft', direction: 'in', method: 'POST', path: TOKEN_PATH });
    expect(refresh.seq).toBeGreaterThan(patches[0]!.seq);
    expect(refresh.seq).toBeLessThan(patches[1]!.seq);
    expect(test.fakes.microsoft.server.violations).toEqual([]);
  });
});
