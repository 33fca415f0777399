import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry.js';
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

const HELPDESK_YAML = `
helpdesk:
  name: Helpdesk
  docs: https://helpdesk.example/docs/oauth
  authorizationUrl: https://{subdomain}.helpdesk.example/oauth/authorizations/new
  tokenUrl: https://{subdomain}.helpdesk.example/oauth/tokens
  apiBaseUrl: https://{subdomain}.helpdesk.example/api/v2
  scopes:
    - { name: read, description: 'Read tickets, users and organizations' }
    - { name: write, description: Create and change them }
  defaultScopes: [read]
  pkce: supported
  tokenEndpointAuthMethod: client_secret_post
  revocation:
    kind: bearer-api
    method: DELETE
    url: https://{subdomain}.helpdesk.example/api/v2/oauth/tokens/current.json
  connectionParams:
    - name: subdomain
      description: Your Helpdesk subdomain (acme in acme.helpdesk.example)
      pattern: "[a-z0-9][a-z0-9-]{0,62}"
      example: acme
`;

describe('PROVIDERS_FILE', () => {
  it('adds a provider from YAML, read like the built-ins: credentials, endpoint overrides, placeholders from the connection', () => {
    const config = loadConfig({
      PROVIDERS_FILE: providersFile(HELPDESK_YAML),
      HELPDESK_CLIENT_ID: 'zd-client',
      HELPDESK_CLIENT_SECRET: 'zd-secret',
      HELPDESK_API_BASE_URL: 'http://127.0.0.1:9/api/v2/',
    });
    expect([...config.providerRegistry.keys()].at(-1)).toBe('helpdesk');
    // The file's entry, and the sandbox (on outside production).
    expect(config.providerRegistry.size).toBe(BUILT_IN_PROVIDERS.size + 2);
    expect(config.providers.helpdesk).toMatchObject({ clientId: 'zd-client', clientSecret: 'zd-secret', apiBaseUrl: 'http://127.0.0.1:9/api/v2' });
    const helpdesk = resolveProvider('helpdesk', config, { subdomain: 'acme' });
    expect(helpdesk).toMatchObject({
      configured: true,
      authorizationUrl: 'https://acme.helpdesk.example/oauth/authorizations/new',
      tokenUrl: 'https://acme.helpdesk.example/oauth/tokens',
      issuer: 'https://acme.helpdesk.example',
      apiBaseUrl: 'http://127.0.0.1:9/api/v2',
      revocation: { kind: 'bearer-api', url: 'https://acme.helpdesk.example/api/v2/oauth/tokens/current.json' },
    });
  });

  it('loads the README’s worked example', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const example = /```yaml\n(# providers\.yaml\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const config = loadConfig({ PROVIDERS_FILE: providersFile(example!), GITEA_BASE_URL: 'https://git.example.com', GITEA_CLIENT_ID: 'a', GITEA_CLIENT_SECRET: 'b' });
    expect(resolveProvider('gitea', config).tokenUrl).toBe('https://git.example.com/login/oauth/access_token');
    expect(config.providerRegistry.get('google')?.defaultScopes).toEqual(['openid', 'https://www.googleapis.com/auth/userinfo.email']);
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
    ['a bad URL', HELPDESK_YAML.replace('tokenUrl: https://{subdomain}.helpdesk.example/oauth/tokens', 'tokenUrl: helpdesk.example/oauth/tokens'), 'PROVIDERS_FILE: entry "helpdesk": tokenUrl: must be an http(s) URL (placeholders like {subdomain} allowed)'],
    ['a missing field', HELPDESK_YAML.replace('  pkce: supported\n', ''), 'PROVIDERS_FILE: entry "helpdesk": pkce: is required'],
    ['a misspelt field', HELPDESK_YAML.replace('  pkce: supported\n', '  pkce: supported\n  tokenURL: https://x.test\n'), 'PROVIDERS_FILE: entry "helpdesk": (entry): unknown field "tokenURL"'],
    ['a bad value in a built-in override', 'slack:\n  scopeSeparator: ";"\n', 'PROVIDERS_FILE: entry "slack": scopeSeparator: must be one of " ", ","'],
    ['an id that differs from its key', 'helpdesk:\n  id: other\n', 'PROVIDERS_FILE: entry "helpdesk": id: must be "helpdesk", its key, or left out'],
    ['a list instead of a map', '- id: helpdesk\n', 'must map provider ids to entries'],
    ['an entry that is not an object', 'helpdesk: yes\n', 'PROVIDERS_FILE: entry "helpdesk": must be an object of fields'],
  ])('stops start-up naming the entry and the field: %s', (_name, text, message) => {
    const error = configError({ PROVIDERS_FILE: providersFile(text) });
    expect(error.variable).toBe('PROVIDERS_FILE');
    expect(error.message).toContain(message);
  });

  it('says where a file is unreadable or not YAML, without echoing its content', () => {
    expect(configError({ PROVIDERS_FILE: path.join(directory, 'missing.yaml') }).message).toBe(
      `PROVIDERS_FILE: cannot read ${path.join(directory, 'missing.yaml')} (ENOENT)`,
    );
    const broken = configError({ PROVIDERS_FILE: providersFile('helpdesk:\n  name: [unclosed secret-value\n') });
    expect(broken.message).toMatch(/is not valid YAML or JSON at line \d+$/);
    expect(broken.message).not.toContain('secret-value');
  });
});

describe('provider variables for every registry entry', () => {
  const withHelpdesk = (env: NodeJS.ProcessEnv) => loadConfig({ PROVIDERS_FILE: providersFile(HELPDESK_YAML), ...env });

  it('wants a client id and secret together, named after the id', () => {
    expect(configError({ PROVIDERS_FILE: providersFile(HELPDESK_YAML), HELPDESK_CLIENT_ID: 'x' }).message).toBe(
      'HELPDESK_CLIENT_SECRET: must be set together with HELPDESK_CLIENT_ID',
    );
    expect(withHelpdesk({}).providers.helpdesk?.clientId).toBeUndefined();
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
    const forge = `
forge:
  name: Forge (self-managed)
  docs: https://forge.example/docs/oauth
  authorizationUrl: "{baseUrl}/oauth/authorize"
  tokenUrl: "{baseUrl}/oauth/token"
  apiBaseUrl: "{baseUrl}/api/v4"
  pkce: supported
  tokenEndpointAuthMethod: client_secret_post
  revocation: { kind: rfc7009, url: "{baseUrl}/oauth/revoke" }
  configParams:
    - { name: baseUrl, description: 'the instance URL, e.g. https://forge.example.com', pattern: 'https?://.+' }
`;
    const file = providersFile(forge);
    expect(loadConfig({ PROVIDERS_FILE: file }).providers.forge?.params).toEqual({});
    expect(configError({ PROVIDERS_FILE: file, FORGE_CLIENT_ID: 'a', FORGE_CLIENT_SECRET: 'b' }).message).toBe(
      'FORGE_BASE_URL: is required to connect Forge (self-managed) (the instance URL, e.g. https://forge.example.com)',
    );
    expect(configError({ PROVIDERS_FILE: file, FORGE_BASE_URL: 'https://forge.example.com/sub' }).message).toContain('must be an http(s) origin');
    const config = loadConfig({ PROVIDERS_FILE: file, FORGE_BASE_URL: 'https://forge.example.com', FORGE_CLIENT_ID: 'a', FORGE_CLIENT_SECRET: 'b' });
    expect(resolveProvider('forge', config).tokenUrl).toBe('https://forge.example.com/oauth/token');
  });
});
