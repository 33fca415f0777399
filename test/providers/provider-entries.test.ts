import { describe, expect, it } from '@jest/globals';
import { BUILT_IN_PROVIDER_ENTRIES } from '../../src/providers/catalog/index.js';
import type { ProviderEntryInput } from '../../src/providers/provider-definition.js';
import { parseProviderEntry } from '../../src/providers/provider-entry-schema.js';
import { BUILT_IN_PROVIDERS, createProviderRegistry, ProviderEntryError } from '../../src/providers/registry.js';
import { matchesResourcePattern } from '../../src/providers/resource-pattern.js';
import { fillTemplate, placeholdersOf } from '../../src/providers/url-template.js';

/** A complete, minimal entry to break one field at a time. */
const valid: ProviderEntryInput = {
  id: 'zendesk',
  name: 'Zendesk',
  docs: 'https://developer.zendesk.com/documentation/ticketing/working-with-oauth/',
  authorizationUrl: 'https://{subdomain}.zendesk.com/oauth/authorizations/new',
  tokenUrl: 'https://{subdomain}.zendesk.com/oauth/tokens',
  apiBaseUrl: 'https://{subdomain}.zendesk.com/api/v2',
  scopes: [{ name: 'read', description: 'Read everything' }],
  defaultScopes: ['read'],
  pkce: 'supported',
  tokenEndpointAuthMethod: 'client_secret_post',
  revocation: { kind: 'bearer-api', method: 'DELETE', url: 'https://{subdomain}.zendesk.com/api/v2/oauth/tokens/current.json' },
  connectionParams: [{ name: 'subdomain', description: 'Your Zendesk subdomain', example: 'acme' }],
};

/** A webhook subscription API described as data (the generic protocol runs it). */
const subscriptionApi = {
  create: { method: 'POST', path: '/hooks', body: { target: '{webhookUrl}', events: ['{resource}'] } },
  renew: { method: 'PATCH', path: '/hooks/{id}' },
  stop: { method: 'DELETE', path: '/hooks/{id}' },
  response: { id: 'hook.id', expiresAt: 'hook.expires_at', secret: 'hook.secret' },
} as const;

const problemsOf = (entry: unknown) => {
  const parsed = parseProviderEntry(entry);
  if (parsed.success) throw new Error('expected the entry to be refused');
  return parsed.problems;
};

describe('the built-in entries', () => {
  it.each(BUILT_IN_PROVIDER_ENTRIES.map((entry) => [entry.id, entry] as const))('%s is valid by the entry schema', (_id, entry) => {
    const parsed = parseProviderEntry(entry);
    expect(parsed.success ? [] : parsed.problems).toEqual([]);
  });

  it('include the catalog the project promises: at least 30 providers, each one issue #13 names', () => {
    const ids = [...BUILT_IN_PROVIDERS.keys()];
    expect(ids.length).toBeGreaterThanOrEqual(30);
    expect(ids).toEqual(
      expect.arrayContaining([
        ...['google', 'slack', 'microsoft', 'asana', 'github', 'gitlab', 'bitbucket', 'notion', 'linear', 'atlassian', 'hubspot', 'salesforce'],
        ...['zoom', 'dropbox', 'box', 'figma', 'discord', 'intercom', 'zendesk', 'shopify', 'xero', 'quickbooks', 'airtable', 'x'],
        ...['linkedin', 'spotify', 'calendly', 'monday', 'clickup', 'pipedrive', 'miro', 'webex'],
      ]),
    );
  });

  it('are all in the registry, each id once, with documentation and defaults among their scopes', () => {
    expect([...BUILT_IN_PROVIDERS.keys()]).toEqual(BUILT_IN_PROVIDER_ENTRIES.map((entry) => entry.id));
    for (const definition of BUILT_IN_PROVIDERS.values()) {
      expect(definition.docs).toMatch(/^https:\/\//);
      const names = definition.scopes.map((scope) => scope.name);
      for (const scope of definition.defaultScopes) expect(names).toContain(scope);
      for (const resource of definition.defaultSubscriptions) {
        expect(definition.subscribableResources.some((pattern) => matchesResourcePattern(resource, pattern))).toBe(true);
      }
    }
  });

  it('carry the subscribable resources the contract names', () => {
    const resources = (id: string) => ({
      subscribableResources: BUILT_IN_PROVIDERS.get(id)!.subscribableResources,
      defaultSubscriptions: BUILT_IN_PROVIDERS.get(id)!.defaultSubscriptions,
    });
    expect(resources('google')).toEqual({ subscribableResources: ['calendar/{calendarId}', 'drive/changes', 'gmail/{labelId}'], defaultSubscriptions: ['calendar/primary'] });
    expect(resources('microsoft').defaultSubscriptions).toEqual(['/me/events']);
    expect(resources('microsoft').subscribableResources).toContain('/teams/{teamId}/channels/{channelId}/messages');
    expect(resources('asana')).toEqual({ subscribableResources: ['{resourceGid}'], defaultSubscriptions: [] });
    expect(resources('slack')).toEqual({ subscribableResources: [], defaultSubscriptions: [] });
  });
});

describe('the entry schema', () => {
  it('accepts a complete entry and fills in the defaults', () => {
    const parsed = parseProviderEntry(valid);
    if (!parsed.success) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.entry).toMatchObject({
      scopeSeparator: ' ',
      tokenRequest: { body: 'form' },
      tokenResponse: { format: 'json', tokenPaths: [''], errors: 'http-status', expires: true },
      refresh: { supported: true, rotation: false },
      apiAuthorization: { header: 'authorization', prefix: 'Bearer ' },
      connectionParams: [{ name: 'subdomain', pattern: expect.any(String) }],
      subscribableResources: [],
    });
  });

  it.each([
    ['a URL that is not http(s)', { tokenUrl: 'ftp://zendesk.com/token' }, 'tokenUrl', 'must be an http(s) URL'],
    ['a missing field', { name: undefined }, 'name', 'is required'],
    ['a misspelt field', { tokenURL: 'https://x.test' }, '(entry)', 'unknown field "tokenURL"'],
    ['an unknown PKCE mode', { pkce: 'sometimes' }, 'pkce', 'must be one of "required", "supported", "refused"'],
    ['a default scope it does not offer', { defaultScopes: ['write'] }, 'defaultScopes.0', '"write" is not one of the entry\'s scopes'],
    ['an undeclared placeholder', { apiBaseUrl: 'https://{region}.zendesk.com' }, 'apiBaseUrl', '{region} is not a declared param'],
    [
      'a learned value used before it is learned',
      { tokenUrl: '{instanceUrl}/oauth/tokens', learnedParams: [{ name: 'instanceUrl', from: 'token_response', path: 'instance_url' }] },
      'tokenUrl',
      'too late for this URL',
    ],
    [
      'a user-given value opening a URL',
      { apiBaseUrl: '{subdomain}/api/v2' },
      'connectionParams',
      'cannot open a URL',
    ],
    ['a bad revocation kind', { revocation: { kind: 'maybe' } }, 'revocation.kind', 'must be one of "rfc7009"'],
    ['a bad id', { id: 'Zen Desk' }, 'id', 'must be lower-case letters'],
    ['a regular expression that does not compile', { connectionParams: [{ name: 'subdomain', description: 'x', pattern: '([a-z' }] }, 'connectionParams.0.pattern', 'valid regular expression'],
    ['an account lookup without a URL', { account: { from: 'request', id: 'id' } }, 'account.url', 'is required when from is "request"'],
    ['a body for a GET account lookup', { account: { from: 'request', url: 'https://x.test/me', body: { query: '{ me { id } }' }, id: 'id' } }, 'account.body', 'needs method "POST"'],
    ['an undeclared placeholder in an API header', { apiHeaders: { 'x-tenant-id': '{tenantId}' } }, 'apiHeaders.x-tenant-id', '{tenantId} is not a declared param'],
    [
      'a subscription create naming the id it has not been given yet',
      { subscriptionApi: { ...subscriptionApi, create: { method: 'POST', path: '/hooks/{id}' } } },
      'subscriptionApi.create',
      '{id} is not known here ({resource}, {webhookUrl})',
    ],
    [
      'a subscription body placeholder nothing fills',
      { subscriptionApi: { ...subscriptionApi, renew: { method: 'PATCH', path: '/hooks/{id}', body: { ttl: '{lifetime}' } } } },
      'subscriptionApi.renew',
      '{lifetime} is not known here',
    ],
    ['a subscription path with a query', { subscriptionApi: { ...subscriptionApi, stop: { method: 'DELETE', path: '/hooks/{id}?now=1' } } }, 'subscriptionApi.stop.path', 'no query'],
  ])('names the field of %s', (_name, change, field, message) => {
    const problems = problemsOf({ ...valid, ...change });
    expect(problems).toContainEqual({ field, message: expect.stringContaining(message) });
  });

  it('accepts a subscription API whose placeholders are the ones each step knows', () => {
    const parsed = parseProviderEntry({ ...valid, subscribableResources: ['tickets'], subscriptionApi });
    expect(parsed.success && parsed.entry.subscriptionApi).toEqual(subscriptionApi);
  });

  it('never repeats a value in its messages', () => {
    const problems = problemsOf({ ...valid, tokenUrl: 'not-a-url-secret-ish', pkce: 'secret-value' });
    expect(JSON.stringify(problems)).not.toMatch(/secret/);
  });
});

describe('the registry', () => {
  it('refuses a bad entry naming the entry and the field', () => {
    expect(() => createProviderRegistry({ zendesk: { ...valid, tokenUrl: 'zendesk.com/oauth/tokens' } })).toThrow(
      new ProviderEntryError('zendesk', [{ field: 'tokenUrl', message: 'must be an http(s) URL (placeholders like {subdomain} allowed)' }]),
    );
    expect(() => createProviderRegistry({ zendesk: { ...valid, tokenUrl: 'zendesk.com/oauth/tokens' } })).toThrow(
      'entry "zendesk": tokenUrl: must be an http(s) URL',
    );
  });

  it('adds new entries after the built-ins and merges an override of a built-in field by field', () => {
    // An id the catalog does not have: a new entry.
    const registry = createProviderRegistry({ helpdesk: valid, google: { defaultScopes: ['openid'], name: 'Google (EU)' } });
    expect([...registry.keys()].at(-1)).toBe('helpdesk');
    expect(registry.get('google')).toMatchObject({ name: 'Google (EU)', defaultScopes: ['openid'], tokenUrl: 'https://oauth2.googleapis.com/token' });
    // A partial override is checked as the merged whole.
    expect(() => createProviderRegistry({ google: { defaultScopes: ['write'] } })).toThrow('entry "google": defaultScopes.0');
  });
});

describe('URL templates and resource patterns', () => {
  it('fills placeholders percent-encoded, a leading one with a whole origin, and leaves unknown ones', () => {
    expect(placeholdersOf('https://{a}.x/{b}/{a}')).toEqual(['a', 'b']);
    expect(fillTemplate('https://{subdomain}.zendesk.com/{path}', { subdomain: 'acme', path: 'a/b c' })).toBe('https://acme.zendesk.com/a%2Fb%20c');
    expect(fillTemplate('{instanceUrl}/services/data', { instanceUrl: 'https://acme.my.salesforce.com/' })).toBe('https://acme.my.salesforce.com/services/data');
    expect(() => fillTemplate('{instanceUrl}/services/data', { instanceUrl: 'https://evil.test/path' })).toThrow('http(s) origin');
    expect(fillTemplate('https://x.test/revoke/{token}', { subdomain: 'acme' })).toBe('https://x.test/revoke/{token}');
  });

  it('matches a resource against a pattern, one path segment per placeholder', () => {
    expect(matchesResourcePattern('calendar/primary', 'calendar/{calendarId}')).toBe(true);
    expect(matchesResourcePattern('calendar/a/b', 'calendar/{calendarId}')).toBe(false);
    expect(matchesResourcePattern("/me/mailFolders('Inbox')/messages", "/me/mailFolders('{folderId}')/messages")).toBe(true);
    expect(matchesResourcePattern('drive/changes', 'drive/changes')).toBe(true);
    expect(matchesResourcePattern('drive/changesX', 'drive/changes')).toBe(false);
  });
});
