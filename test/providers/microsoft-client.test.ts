import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { IntegrationError } from '../../src/providers/integration-error.js';
import { MicrosoftClient } from '../../src/providers/microsoft/microsoft-client.js';
import { resolveProvider } from '../../src/providers/resolve-provider.js';
import { createFakeMicrosoft, GRAPH_ACCESS_TOKEN, graphError } from '../support/fake-microsoft.js';

const TEAM_ID = '172b0cce-e65d-44ce-9a49-91d9f2e8493a';
const CHANNEL_ID = '19:561fbdbbfca848a484f0a6f00ce9dbbd@thread.tacv2';

const fake = createFakeMicrosoft();
let client: MicrosoftClient;

beforeAll(async () => {
  const origin = await fake.server.start();
  client = new MicrosoftClient(
    resolveProvider('microsoft', {
      providers: { microsoft: { clientId: 'ms-client-id', clientSecret: 'ms-client-secret', params: { tenant: 'contoso.onmicrosoft.com' }, apiBaseUrl: `${origin}/v1.0` } },
    }),
  );
});

afterEach(() => {
  // Every request the client sent must have matched the provider's documented API.
  const violations = [...fake.server.violations];
  fake.server.reset();
  expect(violations).toEqual([]);
});

afterAll(() => fake.server.close());

describe('MicrosoftClient OAuth (delegated to the OAuth module)', () => {
  it('builds a v2 authorization URL with the tenant in the path, PKCE and offline_access', () => {
    const url = new URL(client.getAuthorizationUrl('state-1', 'https://app.com/oauth/callback', ['User.Read', 'Mail.Send'], 'challenge'));
    expect(url.host).toBe('login.microsoftonline.com');
    expect(url.pathname).toBe('/contoso.onmicrosoft.com/oauth2/v2.0/authorize');
    expect(url.toString()).toContain('code_challenge=challenge');
    expect(url.searchParams.get('scope')?.split(' ')).toEqual(['User.Read', 'Mail.Send', 'offline_access']);
  });

  it('says clearly that Microsoft has no token revocation, sending nothing', async () => {
    const outcome = await client.revokeToken('some-refresh-token');
    expect(outcome.revoked).toBe(false);
    expect(outcome).toMatchObject({ reason: expect.stringContaining('no per-grant token revocation') });
    expect(fake.server.requests).toHaveLength(0);
  });
});

describe('MicrosoftClient Graph calls against a local Graph', () => {
  it('reads /me', async () => {
    const me = await client.getUserProfile(GRAPH_ACCESS_TOKEN);
    expect(me).toMatchObject({ displayName: 'Adele Vance', mail: 'AdeleV@contoso.com' });
    expect(fake.server.requests[0]?.headers.authorization).toBe(`Bearer ${GRAPH_ACCESS_TOKEN}`);
  });

  it('lists joined teams and a team’s channels', async () => {
    const teams = await client.listJoinedTeams(GRAPH_ACCESS_TOKEN);
    expect(teams.map((team) => team.displayName)).toEqual(['Contoso Team']);
    const channels = await client.listChannels(GRAPH_ACCESS_TOKEN, TEAM_ID);
    expect(channels).toEqual([expect.objectContaining({ id: CHANNEL_ID, displayName: 'General' })]);
  });

  it('follows @odata.nextLink to the last page of calendars', async () => {
    const calendars = await client.listCalendars(GRAPH_ACCESS_TOKEN);
    expect(calendars.map((calendar) => calendar.name)).toEqual(['Calendar', 'Birthdays']);
    expect(fake.server.count('GET', '/v1.0/me/calendars')).toBe(2);
  });

  it('posts an HTML channel message with the ids escaped in the path', async () => {
    const message = await client.sendChannelMessage(GRAPH_ACCESS_TOKEN, TEAM_ID, CHANNEL_ID, '<b>Hello</b> team');
    expect(message.id).toBe('1616990032035');
    expect(fake.server.requests[0]?.path).toBe(`/v1.0/teams/${TEAM_ID}/channels/19%3A561fbdbbfca848a484f0a6f00ce9dbbd%40thread.tacv2/messages`);
    expect(fake.channelMessages).toEqual([{ teamId: TEAM_ID, channelId: CHANNEL_ID, message: { body: { contentType: 'html', content: '<b>Hello</b> team' } } }]);
  });

  it('creates an event in the default calendar', async () => {
    const event = await client.createEvent(GRAPH_ACCESS_TOKEN, {
      subject: 'Team Meeting',
      start: { dateTime: '2025-12-01T10:00:00', timeZone: 'UTC' },
      end: { dateTime: '2025-12-01T11:00:00', timeZone: 'UTC' },
      attendees: [{ emailAddress: { address: 'colleague@contoso.com' }, type: 'required' }],
    });
    expect(event.id).toBe('AAMkAGViNDU7zAAAAA7zAAAZe6CkAAA=');
    expect(fake.events).toHaveLength(1);
  });

  it('sends mail and accepts Graph’s empty 202', async () => {
    await expect(client.sendMail(GRAPH_ACCESS_TOKEN, { to: 'MeganB@contoso.com', subject: 'Welcome', html: '<p>Hi</p>' })).resolves.toBeUndefined();
    expect(fake.sentMail).toEqual([
      {
        message: { subject: 'Welcome', body: { contentType: 'HTML', content: '<p>Hi</p>' }, toRecipients: [{ emailAddress: { address: 'MeganB@contoso.com' } }] },
        saveToSentItems: true,
      },
    ]);
  });

  it('rejects with an IntegrationError carrying Graph’s error body', async () => {
    const error = await client.listChannels(GRAPH_ACCESS_TOKEN, 'no-such-team').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ service: 'microsoft', statusCode: 404 });
    expect((error as IntegrationError).response).toMatchObject({ error: { code: 'NotFound' } });
  });

  it('tests the connection with /me', async () => {
    await expect(client.testConnection(GRAPH_ACCESS_TOKEN)).resolves.toBe(true);
    await expect(client.testConnection('expired')).resolves.toBe(false);
  });

  it('honours 429 with Retry-After, then succeeds', async () => {
    fake.server.enqueue('GET', '/v1.0/me/joinedTeams', {
      ...graphError(429, 'TooManyRequests', 'Too many requests'),
      headers: { 'retry-after': '1' },
    });
    await expect(client.listJoinedTeams(GRAPH_ACCESS_TOKEN)).resolves.toHaveLength(1);
    expect(fake.server.count('GET', '/v1.0/me/joinedTeams')).toBe(2);
  });

  it('does not send the token to a nextLink on another host', async () => {
    fake.server.enqueue('GET', '/v1.0/me/calendars', { json: { value: [], '@odata.nextLink': 'https://evil.example/v1.0/me/calendars?$skiptoken=x' } });
    await expect(client.listCalendars(GRAPH_ACCESS_TOKEN)).rejects.toThrow(/another host/);
    expect(fake.server.requests).toHaveLength(1);
  });
});

describe('MicrosoftClient and Graph’s documented errors', () => {
  it('reports a 403 Graph says is about the token’s privileges as a refused connection test', async () => {
    fake.server.enqueue('GET', '/v1.0/me', graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'));
    await expect(client.testConnection(GRAPH_ACCESS_TOKEN)).resolves.toBe(false);
    fake.server.enqueue('GET', '/v1.0/me/joinedTeams', graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'));
    await expect(client.listJoinedTeams(GRAPH_ACCESS_TOKEN)).rejects.toMatchObject({ code: 'PROVIDER_PERMISSION_DENIED', providerError: { code: 'ErrorAccessDenied' } });
  });

  it('throws any other 403 from a connection test: it says nothing about the token', async () => {
    fake.server.enqueue('GET', '/v1.0/me', graphError(403, 'notAllowed', 'The action is not allowed by the system.'));
    await expect(client.testConnection(GRAPH_ACCESS_TOKEN)).rejects.toMatchObject({ code: 'PROVIDER_REQUEST_REJECTED', statusCode: 403 });
  });

  it('keeps Graph’s code and message in the error a user and a log see', async () => {
    const error = await client.listChannels(GRAPH_ACCESS_TOKEN, 'no-such-team').catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      providerError: { code: 'NotFound', message: 'No team found with Group Id' },
      message: 'microsoft rejected the request (HTTP 404): NotFound: No team found with Group Id',
    });
  });
});
