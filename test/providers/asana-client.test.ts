import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { AsanaClient } from '../../src/providers/asana/asana-client.js';
import { createProviderClient, getProviderClient } from '../../src/providers/clients/provider-client-registry.js';
import { IntegrationError } from '../../src/providers/integration-error.js';
import { resolveProvider } from '../../src/providers/resolve-provider.js';
import { ASANA_ACCESS_TOKEN, asanaError, createFakeAsana } from '../support/fake-asana.js';

const fake = createFakeAsana();
let client: AsanaClient;

beforeAll(async () => {
  const origin = await fake.server.start();
  client = new AsanaClient(
    resolveProvider('asana', {
      providers: {
        asana: { clientId: 'asana-client-id', clientSecret: 'asana-client-secret', apiBaseUrl: `${origin}/api/1.0`, revocationUrl: `${origin}/-/oauth_revoke` },
      },
    }),
  );
});

afterEach(() => {
  // Every request the client sent must have matched the provider's documented API.
  const violations = [...fake.server.violations];
  fake.server.reset();
  fake.tasks.length = 0;
  expect(violations).toEqual([]);
});

afterAll(() => fake.server.close());

describe('AsanaClient, the seed’s custom provider', () => {
  it('is registered like the built-in providers', () => {
    expect(getProviderClient('asana')).toBeInstanceOf(AsanaClient);
    expect(createProviderClient('asana', resolveProvider('asana', { providers: {} }))).toBeInstanceOf(AsanaClient);
  });

  it('builds the authorization URL on app.asana.com with PKCE', () => {
    const url = new URL(client.getAuthorizationUrl('state-a', 'https://app.com/oauth/callback', ['default'], 'challenge'));
    expect(url.origin + url.pathname).toBe('https://app.asana.com/-/oauth_authorize');
    expect(url.toString()).toContain('code_challenge=challenge');
    expect(url.searchParams.get('client_id')).toBe('asana-client-id');
  });

  it('revokes at oauth_revoke with client credentials', async () => {
    fake.server.route('POST', '/-/oauth_revoke', (request, check) => {
      const form = request.form();
      check(form.get('token') === 'asana-refresh-token', 'token');
      check(form.get('client_id') === 'asana-client-id' && form.get('client_secret') === 'asana-client-secret', 'client credentials');
      return { status: 200, text: '' };
    });
    await expect(client.revokeToken('asana-refresh-token')).resolves.toEqual({ revoked: true });
    expect(fake.server.count('POST', '/-/oauth_revoke')).toBe(1);
  });

  it('lists every workspace, following next_page.offset to the end', async () => {
    const workspaces = await client.getWorkspaces(ASANA_ACCESS_TOKEN);
    expect(workspaces.map((workspace) => workspace.name)).toEqual(['Acme Corp', 'Personal Projects']);
    expect(fake.server.requests.map((request) => request.query.get('offset'))).toEqual([null, 'offset-1200000000000020']);
  });

  it('creates a task in a workspace, wrapped in { data }', async () => {
    const task = await client.createTask(ASANA_ACCESS_TOKEN, '1200000000000010', { name: 'Onboard Ada', notes: 'Laptop, badge' });
    expect(task).toMatchObject({ gid: '1200000000000100', name: 'Onboard Ada' });
    expect(fake.tasks).toEqual([{ name: 'Onboard Ada', notes: 'Laptop, badge', workspace: '1200000000000010' }]);
  });

  it('rejects with an IntegrationError carrying Asana’s errors array', async () => {
    const error = await client.getWorkspaces('bad-token').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error).toMatchObject({ service: 'asana', statusCode: 401 });
    expect((error as IntegrationError).response).toMatchObject({ errors: [{ message: 'Not Authorized' }] });
  });

  it('tests the connection', async () => {
    await expect(client.testConnection(ASANA_ACCESS_TOKEN)).resolves.toBe(true);
    await expect(client.testConnection('bad-token')).resolves.toBe(false);
  });

  it('keeps Asana’s error message in the error a user and a log see', async () => {
    fake.server.enqueue('POST', '/api/1.0/tasks', asanaError(400, 'projects: [0]: Not a recognized ID: 1200000000009999'));
    const error = await client.createTask(ASANA_ACCESS_TOKEN, '1200000000000010', { name: 'Lost task', projects: ['1200000000009999'] }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'PROVIDER_REQUEST_REJECTED',
      providerError: { message: 'projects: [0]: Not a recognized ID: 1200000000009999' },
      message: 'asana rejected the request (HTTP 400): projects: [0]: Not a recognized ID: 1200000000009999',
    });
  });

  it('throws a 403 from a connection test: Asana does not say it is about the token', async () => {
    fake.server.enqueue('GET', '/api/1.0/workspaces', asanaError(403, 'Forbidden'));
    await expect(client.testConnection(ASANA_ACCESS_TOKEN)).rejects.toMatchObject({ code: 'PROVIDER_REQUEST_REJECTED', statusCode: 403 });
  });

  it('honours 429 with Retry-After, then succeeds', async () => {
    fake.server.enqueue('POST', '/api/1.0/tasks', { ...asanaError(429, 'You have made too many requests recently.'), headers: { 'retry-after': '1' } });
    await expect(client.createTask(ASANA_ACCESS_TOKEN, '1200000000000010', { name: 'Retry me' })).resolves.toMatchObject({ name: 'Retry me' });
    expect(fake.server.count('POST', '/api/1.0/tasks')).toBe(2);
  });
});
