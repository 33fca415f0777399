import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { IntegrationError } from '../../src/providers/integration-error.js';
import { resolveProvider } from '../../src/providers/resolve-provider.js';
import { SlackClient } from '../../src/providers/slack/slack-client.js';
import { ProviderBreakerRegistry } from '../../src/resilience/provider-breakers.js';
import { createFakeSlack, SLACK_BOT_TOKEN, slackError } from '../support/fake-slack.js';

const fake = createFakeSlack();
let client: SlackClient;
let provider: ReturnType<typeof resolveProvider>;

beforeAll(async () => {
  const origin = await fake.server.start();
  provider = resolveProvider('slack', {
      providers: {
        slack: {
          clientId: '1234.5678',
          clientSecret: 'slack-client-secret',
          apiBaseUrl: `${origin}/api`,
          tokenUrl: `${origin}/api/oauth.v2.access`,
          revocationUrl: `${origin}/api/auth.revoke`,
        },
      },
    });
  client = new SlackClient(provider);
});

afterEach(() => {
  // Every request the client sent must have matched the provider's documented API.
  const violations = [...fake.server.violations];
  fake.server.reset();
  fake.uploads.length = 0;
  fake.completed.length = 0;
  expect(violations).toEqual([]);
});

afterAll(() => fake.server.close());

describe('SlackClient OAuth (delegated to the OAuth module)', () => {
  it('builds the oauth/v2/authorize URL with comma-separated scopes', () => {
    const url = new URL(client.getAuthorizationUrl('state-token', 'https://app.com/integrations/callback', ['chat:write', 'channels:read', 'users:read']));
    expect(url.origin + url.pathname).toBe('https://slack.com/oauth/v2/authorize');
    expect(url.searchParams.get('scope')).toBe('chat:write,channels:read,users:read');
    expect(url.searchParams.get('client_id')).toBe('1234.5678');
    expect(url.searchParams.get('state')).toBe('state-token');
  });

  it('exchanges a code at oauth.v2.access with HTTP Basic client authentication', async () => {
    fake.server.route('POST', '/api/oauth.v2.access', (request, check) => {
      // RFC 6749 §2.3.1 form-encoding leaves `.` as it is: Slack sees its client id literally.
      const [id, secret] = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
        .toString('utf8')
        .split(':');
      check(id === '1234.5678' && secret === 'slack-client-secret', 'client credentials in HTTP Basic, id not percent-encoded');
      check(request.form().get('code') === 'slack-code', 'code');
      check(request.form().get('redirect_uri') === 'https://app.com/integrations/callback', 'redirect_uri');
      check(request.form().get('code_verifier') === null, 'no PKCE for a confidential Slack app');
      return {
        json: {
          ok: true,
          access_token: SLACK_BOT_TOKEN,
          token_type: 'bot',
          scope: 'chat:write,channels:read',
          bot_user_id: 'U0BOT',
          app_id: 'A0APP',
          team: { name: 'Acme', id: 'T0123ABC' },
          enterprise: null,
          authed_user: { id: 'U0123ABC' },
        },
      };
    });
    const tokens = await client.exchangeCodeForToken('slack-code', 'https://app.com/integrations/callback');
    expect(tokens.accessToken).toBe(SLACK_BOT_TOKEN);
    expect(tokens.externalAccountId).toBe('T0123ABC');
  });

  it('revokes with auth.revoke, the token as bearer', async () => {
    await expect(client.revokeToken(SLACK_BOT_TOKEN)).resolves.toEqual({ revoked: true });
    expect(fake.server.count('POST', '/api/auth.revoke')).toBe(1);
  });
});

describe('SlackClient Web API against a local Slack', () => {
  it('posts a message with chat.postMessage as JSON', async () => {
    const posted = await client.sendMessage(SLACK_BOT_TOKEN, 'C001', 'Hello from Targetym!');
    expect(posted).toMatchObject({ channel: 'C001', ts: '1503435956.000247' });
    const [request] = fake.server.requests;
    expect(request?.headers.authorization).toBe(`Bearer ${SLACK_BOT_TOKEN}`);
    expect(request?.json()).toEqual({ channel: 'C001', text: 'Hello from Targetym!' });
  });

  it('lists channels across every page until next_cursor is empty', async () => {
    const channels = await client.listChannels(SLACK_BOT_TOKEN);
    expect(channels.map((channel) => channel.name)).toEqual(['general', 'random', 'engineering', 'hr']);
    expect(fake.server.requests.map((request) => request.query.get('cursor'))).toEqual([null, 'dGVhbTpDMDAz', 'dGVhbTpDMDA0']);
    expect(fake.server.requests.every((request) => request.query.get('limit') === '200')).toBe(true);
  });

  it('reads a user with users.info', async () => {
    const user = await client.getUserInfo(SLACK_BOT_TOKEN, 'U0123ABC');
    expect(user).toMatchObject({ id: 'U0123ABC', real_name: 'Ada Lovelace', profile: { email: 'ada@example.com' } });
  });

  it('creates a channel with conversations.create', async () => {
    const channel = await client.createChannel(SLACK_BOT_TOKEN, 'team-updates');
    expect(channel).toMatchObject({ id: 'C0NEW', name: 'team-updates', is_private: false });
    expect(fake.server.requests[0]?.json()).toEqual({ name: 'team-updates' });
  });

  it('uploads a file through getUploadURLExternal → upload URL → completeUploadExternal', async () => {
    const content = Buffer.from('%PDF-1.7 quarterly report');
    const file = await client.uploadFile(SLACK_BOT_TOKEN, 'C001', content, 'report.pdf', { initialComment: 'Q3 report' });
    expect(file).toEqual({ id: 'F0FILE123', title: 'report.pdf' });
    expect(fake.server.requests.map((request) => request.path)).toEqual([
      '/api/files.getUploadURLExternal',
      '/upload/v1/F0FILE123',
      '/api/files.completeUploadExternal',
    ]);
    expect(fake.server.requests[0]?.form().get('length')).toBe(String(content.length));
    expect(fake.uploads[0]?.bytes.equals(content)).toBe(true);
    expect(fake.completed[0]).toEqual({ files: [{ id: 'F0FILE123', title: 'report.pdf' }], channel_id: 'C001', initial_comment: 'Q3 report' });
  });

  it('answers testConnection from auth.test', async () => {
    await expect(client.testConnection(SLACK_BOT_TOKEN)).resolves.toBe(true);
    await expect(client.testConnection('xoxb-revoked')).resolves.toBe(false);
    expect(await client.authTest(SLACK_BOT_TOKEN)).toMatchObject({ team_id: 'T0123ABC', team: 'Acme' });
  });

  it('turns ok:false into an IntegrationError with Slack’s error string', async () => {
    const error = await client.sendMessage(SLACK_BOT_TOKEN, 'C_ARCHIVED', 'hi').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ service: 'slack', code: 'is_archived', statusCode: 400 });
    expect((error as IntegrationError).response).toEqual({ ok: false, error: 'is_archived' });
  });

  it('maps invalid_auth to a 401 so callers refresh like for any provider', async () => {
    const error = await client.listChannels('xoxb-wrong').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'invalid_auth', statusCode: 401 });
  });

  it('honours 429 with Retry-After, then succeeds', async () => {
    fake.server.enqueue('POST', '/api/chat.postMessage', { status: 429, headers: { 'retry-after': '1' }, json: { ok: false, error: 'ratelimited' } });
    const posted = await client.sendMessage(SLACK_BOT_TOKEN, 'C001', 'after the limit');
    expect(posted.channel).toBe('C001');
    expect(fake.server.count('POST', '/api/chat.postMessage')).toBe(2);
  });
});

describe('SlackClient and Slack’s rate limits answered with HTTP 200', () => {
  it('waits out `ok: false` `ratelimited` for its Retry-After and sends the message again', async () => {
    fake.server.enqueue('POST', '/api/chat.postMessage', { status: 200, headers: { 'retry-after': '1' }, json: { ok: false, error: 'ratelimited' } });
    const posted = await client.sendMessage(SLACK_BOT_TOKEN, 'C001', 'after the limit');
    expect(posted.channel).toBe('C001');
    expect(fake.server.count('POST', '/api/chat.postMessage')).toBe(2);
  });

  it('is RATE_LIMITED, with Slack’s error kept, when the wait is longer than the client waits', async () => {
    const patient = new SlackClient(provider, { maxRetryAfterMs: 5_000, breakers: new ProviderBreakerRegistry() });
    fake.server.enqueue('GET', '/api/conversations.list', { status: 200, headers: { 'retry-after': '30' }, json: { ok: false, error: 'ratelimited' } });
    const error = await patient.listChannels(SLACK_BOT_TOKEN).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ service: 'slack', code: 'RATE_LIMITED', statusCode: 429, retryAfterMs: 30_000, providerError: { code: 'ratelimited' } });
    expect(fake.server.count('GET', '/api/conversations.list')).toBe(1);
  });

  it('treats chat.postMessage’s `rate_limited` (too many messages posted) the same way', async () => {
    const quick = new SlackClient(provider, { retry: { maxAttempts: 2, initialDelay: 5, maxDelay: 10 }, breakers: new ProviderBreakerRegistry() });
    for (let attempt = 0; attempt < 2; attempt += 1) fake.server.enqueue('POST', '/api/chat.postMessage', slackError('rate_limited'));
    const error = await quick.sendMessage(SLACK_BOT_TOKEN, 'C001', 'burst').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', providerError: { code: 'rate_limited' } });
    expect(fake.server.count('POST', '/api/chat.postMessage')).toBe(2);
  });

  it('reads the upload host’s own error', async () => {
    fake.server.enqueue('POST', '/upload/v1/:fileId', { status: 413, json: { message: 'File exceeds the announced length' } });
    const error = await client.uploadFile(SLACK_BOT_TOKEN, 'C001', 'report', 'report.txt').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'PROVIDER_REQUEST_REJECTED', statusCode: 413, providerError: { message: 'File exceeds the announced length' } });
  });

  it('names the missing scope in the error', async () => {
    fake.server.enqueue('POST', '/api/conversations.create', { json: { ok: false, error: 'missing_scope', needed: 'channels:manage', provided: 'chat:write' } });
    const error = await client.createChannel(SLACK_BOT_TOKEN, 'team-updates').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'missing_scope', statusCode: 403, providerError: { code: 'missing_scope', message: 'needs scope channels:manage' } });
    expect((error as Error).message).toContain('missing_scope: needs scope channels:manage');
  });
});
