import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { GoogleClient } from '../../src/providers/google/google-client.js';
import { IntegrationError } from '../../src/providers/integration-error.js';
import { resolveProvider } from '../../src/providers/resolve-provider.js';
import { ProviderBreakerRegistry } from '../../src/resilience/provider-breakers.js';
import {
  createFakeGoogle,
  GOOGLE_ACCESS_TOKEN,
  googleError,
  googleInsufficientScopes,
  googleRateLimitExceeded,
  googleReasonError,
  googleUserRateLimitExceeded,
  SHARED_DRIVE_FOLDER_ID,
  SHARED_DRIVE_ID,
} from '../support/fake-google.js';

const fake = createFakeGoogle();
let client: GoogleClient;
let provider: ReturnType<typeof resolveProvider>;

beforeAll(async () => {
  const origin = await fake.server.start();
  provider = resolveProvider('google', {
    providers: {
      google: {
        clientId: 'google-client-id.apps.googleusercontent.com',
        clientSecret: 'google-client-secret',
        apiBaseUrl: origin,
        tokenUrl: `${origin}/token`,
        revocationUrl: `${origin}/revoke`,
      },
    },
  });
  client = new GoogleClient(provider);
});

afterEach(() => {
  // Every request the client sent must have matched the provider's documented API.
  const violations = [...fake.server.violations];
  fake.server.reset();
  fake.sent.length = 0;
  expect(violations).toEqual([]);
});

afterAll(() => fake.server.close());

describe('GoogleClient OAuth (delegated to the OAuth module)', () => {
  it('builds the authorization URL on accounts.google.com with PKCE and offline access', () => {
    const url = new URL(
      client.getAuthorizationUrl('state-123', 'http://localhost:4001/oauth/callback', ['https://www.googleapis.com/auth/calendar'], 'challenge'),
    );
    expect(url.host).toBe('accounts.google.com');
    expect(url.toString()).toContain('code_challenge=challenge');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('client_id')).toBe('google-client-id.apps.googleusercontent.com');
    expect(url.searchParams.get('state')).toBe('state-123');
    expect(url.searchParams.get('scope')).toBe('https://www.googleapis.com/auth/calendar');
    expect(url.searchParams.get('access_type')).toBe('offline');
  });

  it('exchanges a code with the PKCE verifier at the token endpoint', async () => {
    fake.server.route('POST', '/token', (request, check) => {
      const form = request.form();
      check(form.get('grant_type') === 'authorization_code', 'grant_type');
      check(form.get('code') === '4/0Aauth-code', 'code');
      check(form.get('redirect_uri') === 'http://localhost:4001/oauth/callback', 'redirect_uri');
      check(form.get('code_verifier') === 'v'.repeat(43), 'code_verifier');
      check(form.get('client_id') === 'google-client-id.apps.googleusercontent.com' && form.get('client_secret') === 'google-client-secret', 'client_secret_post');
      return { json: { access_token: 'ya29.new', expires_in: 3599, refresh_token: '1//refresh', scope: 'https://www.googleapis.com/auth/calendar', token_type: 'Bearer' } };
    });
    const tokens = await client.exchangeCodeForToken('4/0Aauth-code', 'http://localhost:4001/oauth/callback', 'v'.repeat(43));
    expect(tokens.accessToken).toBe('ya29.new');
    expect(tokens.refreshToken).toBe('1//refresh');
    expect(tokens.expiresAt).toBeInstanceOf(Date);
  });

  it('refreshes an access token with the refresh token grant', async () => {
    fake.server.route('POST', '/token', (request, check) => {
      const form = request.form();
      if (form.get('grant_type') !== 'refresh_token') return { status: 400, json: { error: 'unsupported_grant_type' } };
      check(form.get('refresh_token') === '1//refresh', 'refresh_token');
      return { json: { access_token: 'ya29.refreshed', expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/calendar' } };
    });
    const tokens = await client.refreshToken('1//refresh');
    expect(tokens.accessToken).toBe('ya29.refreshed');
    // Google does not rotate refresh tokens: the caller keeps the one it has.
    expect(tokens.refreshToken).toBeUndefined();
  });

  it('revokes at Google’s revoke endpoint with the token alone', async () => {
    fake.server.route('POST', '/revoke', (request, check) => {
      check(request.form().get('token') === '1//refresh', 'token');
      check(request.form().get('client_secret') === null, 'Google revocation takes no client secret');
      return { status: 200, json: {} };
    });
    await expect(client.revokeToken('1//refresh')).resolves.toEqual({ revoked: true });
    expect(fake.server.count('POST', '/revoke')).toBe(1);
  });
});

describe('GoogleClient APIs against a local Google', () => {
  it('lists calendars, following nextPageToken to the last page', async () => {
    const calendars = await client.listCalendars(GOOGLE_ACCESS_TOKEN);
    expect(calendars.map((calendar) => calendar.id)).toEqual(['ada@example.com', 'team@group.calendar.google.com']);
    const pageTokens = fake.server.requests.map((request) => request.query.get('pageToken'));
    expect(pageTokens).toEqual([null, 'page-2']);
  });

  it('creates an event in the calendar named in the path', async () => {
    const event = await client.createEvent(GOOGLE_ACCESS_TOKEN, 'team@group.calendar.google.com', {
      summary: 'Team Meeting',
      start: { dateTime: '2025-12-01T10:00:00Z' },
      end: { dateTime: '2025-12-01T11:00:00Z' },
      attendees: [{ email: 'colleague@example.com' }],
    });
    expect(event.id).toBe('evt123');
    const [request] = fake.server.requests;
    expect(request?.path).toBe('/calendar/v3/calendars/team%40group.calendar.google.com/events');
    expect(request?.headers.authorization).toBe(`Bearer ${GOOGLE_ACCESS_TOKEN}`);
    expect(request?.json()).toMatchObject({ summary: 'Team Meeting', attendees: [{ email: 'colleague@example.com' }] });
  });

  it('invites the attendees of a new event unless told otherwise', async () => {
    const meeting = { summary: 'Team Meeting', start: { dateTime: '2025-12-01T10:00:00Z' }, end: { dateTime: '2025-12-01T11:00:00Z' }, attendees: [{ email: 'colleague@example.com' }] };
    await client.createEvent(GOOGLE_ACCESS_TOKEN, 'primary', meeting);
    await client.createEvent(GOOGLE_ACCESS_TOKEN, 'primary', meeting, { sendUpdates: 'externalOnly' });
    await client.createEvent(GOOGLE_ACCESS_TOKEN, 'primary', meeting, { sendUpdates: 'none' });
    expect(fake.server.requests.map((request) => request.query.get('sendUpdates'))).toEqual(['all', 'externalOnly', 'none']);
  });

  it('creates a Drive folder under a parent', async () => {
    const folder = await client.createFolder(GOOGLE_ACCESS_TOKEN, 'HR Documents', 'parent-folder-id');
    expect(folder).toMatchObject({ id: 'folder123', name: 'HR Documents', mimeType: 'application/vnd.google-apps.folder' });
    expect(fake.server.requests[0]?.json()).toEqual({
      name: 'HR Documents',
      mimeType: 'application/vnd.google-apps.folder',
      parents: ['parent-folder-id'],
    });
  });

  it('creates a Drive folder under a shared drive’s folder', async () => {
    const folder = await client.createFolder(GOOGLE_ACCESS_TOKEN, 'HR Documents', SHARED_DRIVE_FOLDER_ID);
    expect(folder).toMatchObject({ id: 'folder123', name: 'HR Documents', driveId: SHARED_DRIVE_ID });
    expect(fake.server.requests[0]?.query.get('supportsAllDrives')).toBe('true');
  });

  it('creates a top-level Drive folder without parents', async () => {
    await client.createFolder(GOOGLE_ACCESS_TOKEN, 'Root folder');
    expect(fake.server.requests[0]?.json()).toEqual({ name: 'Root folder', mimeType: 'application/vnd.google-apps.folder' });
  });

  it('sends an HTML email as a base64url RFC 2822 message with an RFC 2047 subject', async () => {
    const sent = await client.sendEmail(GOOGLE_ACCESS_TOKEN, 'recipient@example.com', 'Bienvenue à l’équipe', '<p>Email body</p>');
    expect(sent).toMatchObject({ id: '18c0ffee', labelIds: ['SENT'] });
    const [message] = fake.sent;
    expect(message?.headers.get('to')).toBe('recipient@example.com');
    expect(message?.headers.get('subject')).toMatch(/^=\?UTF-8\?B\?/);
    expect(message?.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(message?.html).toBe('<p>Email body</p>');
  });

  it('refuses a subject that would inject headers, sending nothing', async () => {
    await expect(client.sendEmail(GOOGLE_ACCESS_TOKEN, 'recipient@example.com', 'Hi\r\nBcc: eve@evil.test', '<p>x</p>')).rejects.toThrow(/line breaks/);
    expect(fake.server.requests).toHaveLength(0);
  });

  it('reads the user profile from userinfo', async () => {
    const profile = await client.getUserProfile(GOOGLE_ACCESS_TOKEN);
    expect(profile).toMatchObject({ sub: '110169484474386276334', email: 'ada@example.com', name: 'Ada Lovelace' });
  });

  it('rejects with an IntegrationError carrying Google’s error body when the token is refused', async () => {
    const error = await client.listCalendars('invalid-token').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ service: 'google', statusCode: 401 });
    expect((error as IntegrationError).response).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
  });

  it('reports a refused token as a failed connection test, and a good one as passing', async () => {
    await expect(client.testConnection('invalid-token')).resolves.toBe(false);
    await expect(client.testConnection(GOOGLE_ACCESS_TOKEN)).resolves.toBe(true);
  });

  it('retries after a network error', async () => {
    fake.server.enqueue('GET', '/oauth2/v3/userinfo', { dropConnection: true });
    const profile = await client.getUserProfile(GOOGLE_ACCESS_TOKEN);
    expect(profile.sub).toBe('110169484474386276334');
    expect(fake.server.count('GET', '/oauth2/v3/userinfo')).toBe(2);
  });

  it('honours 429 with Retry-After, then succeeds', async () => {
    fake.server.enqueue('GET', '/calendar/v3/users/me/calendarList', {
      ...googleError(429, 'Quota exceeded for quota metric', 'RESOURCE_EXHAUSTED'),
      headers: { 'retry-after': '1' },
    });
    const calendars = await client.listCalendars(GOOGLE_ACCESS_TOKEN);
    expect(calendars).toHaveLength(2);
    expect(fake.server.count('GET', '/calendar/v3/users/me/calendarList')).toBe(3);
  });

  it('turns a 400 error body into an IntegrationError that is not retried', async () => {
    fake.server.enqueue('POST', '/drive/v3/files', googleError(400, 'Invalid value for parents', 'INVALID_ARGUMENT'));
    const error = await client.createFolder(GOOGLE_ACCESS_TOKEN, 'x', 'bad-parent').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 400 });
    expect((error as IntegrationError).response).toMatchObject({ error: { status: 'INVALID_ARGUMENT', message: 'Invalid value for parents' } });
    expect(fake.server.count('POST', '/drive/v3/files')).toBe(1);
  });
});

describe('GoogleClient and Google’s documented errors', () => {
  /** A client with short backoffs and a breaker registry of its own, to read its health. */
  const fastClient = (): { google: GoogleClient; breakers: ProviderBreakerRegistry } => {
    const breakers = new ProviderBreakerRegistry();
    return { google: new GoogleClient(provider, { retry: { maxAttempts: 3, initialDelay: 5, maxDelay: 20 }, breakers }), breakers };
  };

  it('retries a 403 userRateLimitExceeded with backoff, then succeeds', async () => {
    const { google } = fastClient();
    fake.server.enqueue('GET', '/calendar/v3/users/me/calendarList', googleUserRateLimitExceeded());
    const calendars = await google.listCalendars(GOOGLE_ACCESS_TOKEN);
    expect(calendars).toHaveLength(2);
    // The limited request, its retry, and the second page.
    expect(fake.server.count('GET', '/calendar/v3/users/me/calendarList')).toBe(3);
  });

  it('a 403 rateLimitExceeded that outlives the retries is RATE_LIMITED with Google’s words, and not a failure of Google', async () => {
    const { google, breakers } = fastClient();
    for (let attempt = 0; attempt < 3; attempt += 1) fake.server.enqueue('POST', '/calendar/v3/calendars/:calendarId/events', googleRateLimitExceeded());
    const error = await google
      .createEvent(GOOGLE_ACCESS_TOKEN, 'primary', { summary: 'Standup', start: { dateTime: '2025-12-01T10:00:00Z' }, end: { dateTime: '2025-12-01T10:15:00Z' } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({
      code: 'RATE_LIMITED',
      statusCode: 403,
      providerError: { code: 'rateLimitExceeded', message: 'Rate Limit Exceeded' },
      message: 'google rate limit reached (HTTP 403): rateLimitExceeded: Rate Limit Exceeded',
    });
    // A rate limit says the request was not processed: even the POST is sent again.
    expect(fake.server.count('POST', '/calendar/v3/calendars/primary/events')).toBe(3);
    expect(breakers.health('google')).toMatchObject({ circuitState: 'CLOSED', consecutiveFailures: 0 });
  });

  it('reports a rate-limited connection test as a failure to try again, not as a refused token', async () => {
    const { google } = fastClient();
    for (let attempt = 0; attempt < 3; attempt += 1) fake.server.enqueue('GET', '/oauth2/v3/userinfo', googleUserRateLimitExceeded());
    await expect(google.testConnection(GOOGLE_ACCESS_TOKEN)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('reports a token without the scope a call needs as refused, without retrying', async () => {
    const { google } = fastClient();
    fake.server.enqueue('GET', '/oauth2/v3/userinfo', googleInsufficientScopes('oauth2.googleapis.com', 'google.identity.oauth2.v3.UserInfo'));
    await expect(google.testConnection(GOOGLE_ACCESS_TOKEN)).resolves.toBe(false);
    fake.server.enqueue('GET', '/calendar/v3/users/me/calendarList', googleInsufficientScopes('calendar-json.googleapis.com', 'calendar.v3.CalendarList.List'));
    const error = await google.listCalendars(GOOGLE_ACCESS_TOKEN).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'PROVIDER_PERMISSION_DENIED', statusCode: 403, providerError: { code: 'insufficientPermissions' } });
    expect(fake.server.count('GET', '/calendar/v3/users/me/calendarList')).toBe(1);
  });

  it('throws any other 403 from a connection test: it says nothing about the token', async () => {
    const { google } = fastClient();
    fake.server.enqueue('GET', '/oauth2/v3/userinfo', googleReasonError(403, 'forbidden', 'The caller does not have permission'));
    await expect(google.testConnection(GOOGLE_ACCESS_TOKEN)).rejects.toMatchObject({ code: 'PROVIDER_REQUEST_REJECTED', statusCode: 403 });
  });

  it('keeps Google’s reason and message in the error a user and a log see', async () => {
    fake.server.enqueue('POST', '/drive/v3/files', googleReasonError(404, 'notFound', 'File not found: bad-parent.', 'global'));
    const error = await client.createFolder(GOOGLE_ACCESS_TOKEN, 'x', 'bad-parent').catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'PROVIDER_REQUEST_REJECTED',
      providerError: { code: 'notFound', message: 'File not found: bad-parent.' },
      message: 'google rejected the request (HTTP 404): notFound: File not found: bad-parent.',
    });
  });
});
