import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { resolveProvider } from '../../src/providers/resolve-provider.js';
import { configError } from './support/config-error.js';

const directory = mkdtempSync(path.join(tmpdir(), 'providers-file-'));
let files = 0;

/** Writes `text` to a fresh file and returns its path. */
function providersFile(text: string, extension = 'yaml'): string {
  files += 1;
  const file = path.join(directory, `providers-${files}.${extension}`);
  writeFileSync(file, text);
  return file;
}


afterAll(() => rmSync(directory, { recursive: true, force: true }));

const ZENDESK_YAML = `
zendesk:
  name: Zendesk
  docs: https://developer.zendesk.com/documentation/ticketing/working-with-oauth/creating-and-using-oauth-tokens-with-the-api/
  authorizationUrl: https://{subdomain}.zendesk.com/oauth/authorizations/new
  tokenUrl: https://{subdomain}.zendesk.com/oauth/tokens
  apiBaseUrl: https://{subdomain}.zendesk.com/api/v2
  scopes:
    - { name: read, description: 'Read tickets, users and organizations' }
    - { name: write, description: Create and change them }
  defaultScopes: [read]
  pkce: supported
  tokenEndpointAuthMethod: client_secret_post
  revocation:
    kind: bearer-api
    method: DELETE
    url: https://{subdomain}.zendesk.com/api/v2/oauth/tokens/current.json
  connectionParams:
    - name: subdomain
      description: Your Zendesk subdomain (acme in acme.zendesk.com)
      pattern: "[a-z0-9][a-z0-9-]{0,62}"
      example: acme
`;

describe('PROVIDERS_FILE', () => {
  it('adds a provider from YAML, read like the built-ins: credentials, endpoint overrides, placeholders from the connection', () => {
    const config = loadConfig({
      PROVIDERS_FILE: providersFile(ZENDESK_YAML),
      ZENDESK_CLIENT_ID: 'zd-client',
      ZENDESK_CLIENT_SECRET: 'zd-secret',
      ZENDESK_API_BASE_URL: 'http://127.0.0.1:9/api/v2/',
    });
    expect([...config.providerRegistry.keys()]).toEqual(['google', 'slack', 'microsoft', 'asana', 'zendesk']);
    expect(config.providers.zendesk).toMatchObject({ clientId: 'zd-client', clientSecret: 'zd-secret', apiBaseUrl: 'http://127.0.0.1:9/api/v2' });
    const zendesk = resolveProvider('zendesk', config, { subdomain: 'acme' });
    expect(zendesk).toMatchObject({
      configured: true,
      authorizationUrl: 'https://acme.zendesk.com/oauth/authorizations/new',
      tokenUrl: 'https://acme.zendesk.com/oauth/tokens',
      issuer: 'https://acme.zendesk.com',
      apiBaseUrl: 'http://127.0.0.1:9/api/v2',
      revocation: { kind: 'bearer-api', url: 'https://acme.zendesk.com/api/v2/oauth/tokens/current.json' },
    });
  });

  it('loads the README’s worked example', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const example = /```yaml\n(# providers\.yaml\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const config = loadConfig({ PROVIDERS_FILE: providersFile(example!), ZENDESK_CLIENT_ID: 'a', ZENDESK_CLIENT_SECRET: 'b' });
    expect(resolveProvider('zendesk', config, { subdomain: 'acme' }).tokenUrl).toBe('https://acme.zendesk.com/oauth/tokens');
  });

  it('reads JSON too', () => {
    const file = providersFile(JSON.stringify({ google: { name: 'Google (staging)' } }), 'json');
    expect(loadConfig({ PROVIDERS_FILE: file }).providerRegistry.get('google')?.name).toBe('Google (staging)');
  });

  it('overrides a built-in field by field, keeping the rest', () => {
    const config = loadConfig({ PROVIDERS_FILE: providersFile('google:\n  defaultScopes: [openid]\n  defaultSubscriptions: []\n') });
    expect(config.providerRegistry.get('google')).toMatchObject({
      defaultScopes: ['openid'],
      defaultSubscriptions: [],
      tokenUrl: 'https://oauth2.googleapis.com/token',
      account: { from: 'id_token' },
    });
  });

  it.each([
    ['a bad URL', ZENDESK_YAML.replace('tokenUrl: https://{subdomain}.zendesk.com/oauth/tokens', 'tokenUrl: zendesk.com/oauth/tokens'), 'PROVIDERS_FILE: entry "zendesk": tokenUrl: must be an http(s) URL (placeholders like {subdomain} allowed)'],
    ['a missing field', ZENDESK_YAML.replace('  pkce: supported\n', ''), 'PROVIDERS_FILE: entry "zendesk": pkce: is required'],
    ['a misspelt field', ZENDESK_YAML.replace('  pkce: supported\n', '  pkce: supported\n  tokenURL: https://x.test\n'), 'PROVIDERS_FILE: entry "zendesk": (entry): unknown field "tokenURL"'],
    ['a bad value in a built-in override', 'slack:\n  scopeSeparator: ";"\n', 'PROVIDERS_FILE: entry "slack": scopeSeparator: must be one of " ", ","'],
    ['an id that differs from its key', 'zendesk:\n  id: other\n', 'PROVIDERS_FILE: entry "zendesk": id: must be "zendesk", its key, or left out'],
    ['a list instead of a map', '- id: zendesk\n', 'must map provider ids to entries'],
    ['an entry that is not an object', 'zendesk: yes\n', 'PROVIDERS_FILE: entry "zendesk": must be an object of fields'],
  ])('stops start-up naming the entry and the field: %s', (_name, text, message) => {
    const error = configError({ PROVIDERS_FILE: providersFile(text) });
    expect(error.variable).toBe('PROVIDERS_FILE');
    expect(error.message).toContain(message);
  });

  it('says where a file is unreadable or not YAML, without echoing its content', () => {
    expect(configError({ PROVIDERS_FILE: path.join(directory, 'missing.yaml') }).message).toBe(
      `PROVIDERS_FILE: cannot read ${path.join(directory, 'missing.yaml')} (ENOENT)`,
    );
    const broken = configError({ PROVIDERS_FILE: providersFile('zendesk:\n  name: [unclosed secret-value\n') });
    expect(broken.message).toMatch(/is not valid YAML or JSON at line \d+$/);
    expect(broken.message).not.toContain('secret-value');
  });
});

describe('provider variables for every registry entry', () => {
  const withZendesk = (env: NodeJS.ProcessEnv) => loadConfig({ PROVIDERS_FILE: providersFile(ZENDESK_YAML), ...env });

  it('wants a client id and secret together, named after the id', () => {
    expect(configError({ PROVIDERS_FILE: providersFile(ZENDESK_YAML), ZENDESK_CLIENT_ID: 'x' }).message).toBe(
      'ZENDESK_CLIENT_SECRET: must be set together with ZENDESK_CLIENT_ID',
    );
    expect(withZendesk({}).providers.zendesk?.clientId).toBeUndefined();
  });

  it('reads <ID>_DEFAULT_SUBSCRIPTIONS against the subscribable resources, or none', () => {
    expect(loadConfig({ GOOGLE_DEFAULT_SUBSCRIPTIONS: 'calendar/primary, drive/changes' }).providers.google?.defaultSubscriptions).toEqual([
      'calendar/primary',
      'drive/changes',
    ]);
    const none = loadConfig({ MICROSOFT_DEFAULT_SUBSCRIPTIONS: 'none' });
    expect(resolveProvider('microsoft', none).defaultSubscriptions).toEqual([]);
    expect(resolveProvider('microsoft', loadConfig({})).defaultSubscriptions).toEqual(['/me/events']);
    expect(configError({ GOOGLE_DEFAULT_SUBSCRIPTIONS: 'mail/everything' }).message).toBe(
      'GOOGLE_DEFAULT_SUBSCRIPTIONS: "mail/everything" is not a subscribable resource (allowed: calendar/{calendarId}, drive/changes, gmail/{labelId})',
    );
    expect(configError({ SLACK_DEFAULT_SUBSCRIPTIONS: 'anything' }).message).toContain('this provider has no subscribable resources');
  });

  it('reads config params as <ID>_<NAME>: required once configured, an origin where they open a URL', () => {
    const gitlab = `
gitlab:
  name: GitLab (self-managed)
  docs: https://docs.gitlab.com/api/oauth2/
  authorizationUrl: "{baseUrl}/oauth/authorize"
  tokenUrl: "{baseUrl}/oauth/token"
  apiBaseUrl: "{baseUrl}/api/v4"
  pkce: supported
  tokenEndpointAuthMethod: client_secret_post
  revocation: { kind: rfc7009, url: "{baseUrl}/oauth/revoke" }
  configParams:
    - { name: baseUrl, description: 'the instance URL, e.g. https://gitlab.example.com', pattern: 'https?://.+' }
`;
    const file = providersFile(gitlab);
    expect(loadConfig({ PROVIDERS_FILE: file }).providers.gitlab?.params).toEqual({});
    expect(configError({ PROVIDERS_FILE: file, GITLAB_CLIENT_ID: 'a', GITLAB_CLIENT_SECRET: 'b' }).message).toBe(
      'GITLAB_BASE_URL: is required to connect GitLab (self-managed) (the instance URL, e.g. https://gitlab.example.com)',
    );
    expect(configError({ PROVIDERS_FILE: file, GITLAB_BASE_URL: 'https://gitlab.example.com/sub' }).message).toContain('must be an http(s) origin');
    const config = loadConfig({ PROVIDERS_FILE: file, GITLAB_BASE_URL: 'https://gitlab.example.com', GITLAB_CLIENT_ID: 'a', GITLAB_CLIENT_SECRET: 'b' });
    expect(resolveProvider('gitlab', config).tokenUrl).toBe('https://gitlab.example.com/oauth/token');
  });
});
