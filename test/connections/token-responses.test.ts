import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPair, SignJWT } from 'jose';
import { loadConfig } from '../../src/config.js';
import { openIntegrationToken } from '../../src/connections/integration-token-columns.js';
import { resolveProvider } from '../../src/providers/resolve-provider.js';
import { exchangeAuthorizationCode } from '../../src/providers/oauth/token-endpoint.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { FakeProviderServer } from '../support/fake-provider-server.js';
import {
  REDIRECT_URI,
  TEST_KEYS,
  buildServices,
  expireAccessToken,
  newPrincipal,
  queryAsSuperuser,
  storedIntegration,
  type Harness,
} from './connection-harness.js';

/**
 * Token endpoints that answer the way real providers do when things go wrong (or just
 * differently), served from a local fake: malformed bodies, Slack's `ok: false`, Microsoft's
 * tenant-specific issuer, 503 / 429 on refresh, an unreachable revocation endpoint.
 */
const fake = new FakeProviderServer((status, message) => ({ status, json: { error: 'invalid_request', error_description: message } }));
let db: TestDatabase;
let harness: Harness;

type Answer = Parameters<FakeProviderServer['enqueue']>[2];
/** What each token endpoint answers next, in order. */
const answers = new Map<string, Answer[]>();
const answerWith = (path: string, ...responses: Answer[]) => answers.set(path, [...(answers.get(path) ?? []), ...responses]);
for (const path of ['/-/oauth_token', '/api/oauth.v2.access', '/common/oauth2/v2.0/token']) {
  fake.route('POST', path, (request, check) => {
    check(request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') === true, 'token requests are form-encoded');
    const grant = request.form().get('grant_type');
    check(grant === 'authorization_code' || grant === 'refresh_token', 'grant_type');
    const next = answers.get(path)?.shift();
    check(next !== undefined, `unexpected request to ${path}`);
    return next ?? { status: 500 };
  });
}

beforeAll(async () => {
  const origin = await fake.start();
  db = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    ASANA_CLIENT_ID: 'asana-client',
    ASANA_CLIENT_SECRET: 'asana-secret',
    ASANA_AUTHORIZATION_URL: `${origin}/-/oauth_authorize`,
    ASANA_TOKEN_URL: `${origin}/-/oauth_token`,
    ASANA_REVOCATION_URL: `http://127.0.0.1:9/-/oauth_revoke`,
    SLACK_CLIENT_ID: 'slack-client',
    SLACK_CLIENT_SECRET: 'slack-secret',
    SLACK_AUTHORIZATION_URL: `${origin}/oauth/v2/authorize`,
    SLACK_TOKEN_URL: `${origin}/api/oauth.v2.access`,
    ALLOWED_REDIRECT_URIS: REDIRECT_URI,
    INTEGRATION_ENCRYPTION_KEYS: TEST_KEYS,
  });
  harness = buildServices(db.database, config);
});

afterEach(() => {
  expect(fake.violations).toEqual([]);
  fake.reset();
  answers.clear();
});

afterAll(async () => {
  await harness?.pubsub.close();
  await fake.close();
  await db?.close();
});

/** Starts a flow and completes it with a code, the token endpoint answering `answer`. */
async function connect(providerId: 'asana' | 'slack', answer: Answer) {
  const principal = newPrincipal();
  const { state } = await harness.services.connections.startConnection(principal, { providerId, redirectUri: REDIRECT_URI });
  answerWith(providerId === 'asana' ? '/-/oauth_token' : '/api/oauth.v2.access', answer);
  return { principal, result: harness.services.connections.completeConnection(principal, { state, code: 'the-code' }) };
}

const asanaTokens = (overrides: Record<string, unknown> = {}) => ({
  status: 200,
  json: {
    access_token: 'asana-access-1',
    token_type: 'bearer',
    expires_in: 3600,
    refresh_token: 'asana-refresh-1',
    data: { gid: '1201', name: 'Ada', email: 'ada@example.test' },
    ...overrides,
  },
});

describe('token responses', () => {
  it.each([
    ['not JSON', { status: 200, text: '<html>oops</html>', headers: { 'content-type': 'text/html' } }],
    ['no access token', { status: 200, json: { token_type: 'bearer' } }],
    ['a number for a token', { status: 200, json: { access_token: 5, token_type: 'bearer' } }],
    ['an unknown token type', { status: 200, json: { access_token: 'a', token_type: 'mac' } }],
  ])('a malformed token response (%s) is OAUTH_EXCHANGE_FAILED and stores nothing', async (_name, answer) => {
    const { principal, result } = await connect('asana', answer);
    await expect(result).rejects.toMatchObject({ code: 'OAUTH_EXCHANGE_FAILED' });
    expect(await queryAsSuperuser(db.url, 'select id from integrations where organization_id = $1', [principal.organizationId])).toEqual([]);
  });

  it('Asana: maps the user from the token response', async () => {
    const { result } = await connect('asana', asanaTokens());
    const integration = await result;
    expect(integration.metadata).toEqual({ userGid: '1201', name: 'Ada', email: 'ada@example.test' });
    expect(integration.externalAccountId).toBe('1201');
    const [exchange] = fake.requests.filter((request) => request.path === '/-/oauth_token');
    expect(exchange?.form().get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(exchange?.form().get('client_secret')).toBe('asana-secret');
  });

  it('Slack: the bot token, comma scopes and team id; ok:false becomes the exchange error with Slack’s code', async () => {
    const { result } = await connect('slack', {
      status: 200,
      json: {
        ok: true,
        access_token: 'xoxb-bot',
        token_type: 'bot',
        scope: 'chat:write,channels:read',
        bot_user_id: 'U0BOT',
        app_id: 'A0APP',
        team: { id: 'T123', name: 'Acme' },
        enterprise: null,
        authed_user: { id: 'U1', scope: 'search:read', access_token: 'xoxp-user', token_type: 'user' },
      },
    });
    const integration = await result;
    expect(integration.externalAccountId).toBe('T123');
    expect(integration.scopes).toEqual(['chat:write', 'channels:read', 'user:search:read']);
    expect(integration.metadata).toMatchObject({ teamId: 'T123', teamName: 'Acme', botUserId: 'U0BOT', authedUserId: 'U1' });
    const stored = await storedIntegration(db.url, integration.id);
    expect(stored.token_expires_at).toBeNull();
    const [exchange] = fake.requests.filter((request) => request.path === '/api/oauth.v2.access');
    // Slack: HTTP Basic client authentication, and no PKCE for a confidential app.
    const basic = Buffer.from((exchange?.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
    // RFC 6749 §2.3.1: each part form-urlencoded before joining.
    expect(basic.split(':').map((part) => decodeURIComponent(part))).toEqual(['slack-client', 'slack-secret']);
    expect(exchange?.form().get('code_verifier')).toBeNull();

    const refused = await connect('slack', { status: 200, json: { ok: false, error: 'invalid_code' } });
    await expect(refused.result).rejects.toMatchObject({ code: 'OAUTH_EXCHANGE_FAILED', details: expect.objectContaining({ providerError: 'invalid_code' }) });
  });

  it('Slack: a user-only install uses the authed_user token', async () => {
    const { result } = await connect('slack', {
      status: 200,
      json: {
        ok: true,
        app_id: 'A0APP',
        team: { id: 'T9', name: 'Solo' },
        authed_user: { id: 'U7', scope: 'chat:write', access_token: 'xoxp-user-token', token_type: 'user' },
      },
    });
    const integration = await result;
    expect(integration.scopes).toEqual(['user:chat:write']);
    expect(integration.externalAccountId).toBe('T9');
    const stored = await storedIntegration(db.url, integration.id);
    expect(openIntegrationToken(harness.cipher, integration.id, 'access_token', stored.access_token!)).toBe('xoxp-user-token');
  });

  it('Microsoft multi-tenant: the ID token issuer is the user’s tenant, read from tid', async () => {
    const tid = '9188040d-6c67-4c5b-b112-36a304b66dad';
    const { privateKey } = await generateKeyPair('RS256');
    const idToken = await new SignJWT({ tid, email: 'megan@contoso.test', name: 'Megan', oid: 'oid-1' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(`https://login.microsoftonline.com/${tid}/v2.0`)
      .setAudience('ms-client')
      .setSubject('sub-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    answerWith('/common/oauth2/v2.0/token', {
      status: 200,
      json: { access_token: 'eyJ-graph', token_type: 'Bearer', expires_in: 3600, refresh_token: 'ms-refresh', id_token: idToken, scope: 'User.Read' },
    });
    const provider = resolveProvider('microsoft', {
      providers: { microsoft: { clientId: 'ms-client', clientSecret: 'ms-secret', tokenUrl: `${fake.url}/common/oauth2/v2.0/token`, params: { tenant: 'common' } } },
    });
    expect(provider.authorizationUrl).toBe('https://login.microsoftonline.com/common/oauth2/v2.0/authorize');
    const tokens = await exchangeAuthorizationCode(provider, fetch, {
      callbackParameters: new URLSearchParams({ code: 'c' }),
      redirectUri: REDIRECT_URI,
      codeVerifier: 'v'.repeat(43),
    });
    expect(tokens.externalAccountId).toBe(tid);
    expect(tokens.account).toEqual({ tenantId: tid, email: 'megan@contoso.test', name: 'Megan', objectId: 'oid-1' });
  });
});

describe('refresh failures that must keep the stored tokens', () => {
  it.each([
    ['503 (retried, then PROVIDER_UNAVAILABLE)', { status: 503, text: 'unavailable' }, 'PROVIDER_UNAVAILABLE', 3],
    ['429 (RATE_LIMITED, not retried)', { status: 429, headers: { 'retry-after': '30' }, json: { error: 'slow_down' } }, 'RATE_LIMITED', 1],
  ])('%s', async (_name, answer, code, attempts) => {
    const { result } = await connect('asana', asanaTokens());
    const integration = await result;
    await expireAccessToken(db.url, integration.id);
    const before = await storedIntegration(db.url, integration.id);
    answerWith('/-/oauth_token', ...Array.from({ length: attempts }, () => answer));

    await expect(harness.services.tokens.withAccessToken(integration.id, async () => 'never')).rejects.toMatchObject({ code });
    expect(fake.count('POST', '/-/oauth_token')).toBe(1 + attempts);
    const after = await storedIntegration(db.url, integration.id);
    expect(after).toMatchObject({ status: 'connected', needs_reauthorization: false, access_token: before.access_token, refresh_token: before.refresh_token });
  });
});

describe('disconnect when the provider cannot be reached', () => {
  it('wipes the tokens anyway, marks it DISCONNECTED and records the failed revocation', async () => {
    const { principal, result } = await connect('asana', asanaTokens());
    const integration = await result;
    const disconnected = await harness.services.disconnects.disconnectIntegration(principal, integration.id);
    expect(disconnected.status).toBe('disconnected');
    expect(disconnected.errorMessage).toMatch(/could not be reached/);
    const stored = await storedIntegration(db.url, integration.id);
    expect(stored).toMatchObject({ access_token: null, refresh_token: null });
  });
});
