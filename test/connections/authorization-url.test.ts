import { describe, expect, it } from '@jest/globals';
import { buildAuthorizationUrl } from '../../src/providers/oauth/authorization-url.js';
import { validateScopes } from '../../src/providers/oauth/validate-scopes.js';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry.js';
import { resolveProvider, type ProvidersConfig } from '../../src/providers/resolve-provider.js';

const credentials = { clientId: 'client-id', clientSecret: 'client-secret' };
const config: ProvidersConfig = {
  providers: { google: credentials, slack: credentials, microsoft: { ...credentials, params: { tenant: 'contoso.onmicrosoft.com' } }, asana: credentials },
};
const request = { state: 'st', redirectUri: 'https://app.example/oauth/callback', codeChallenge: 'ch' };
const paramsOf = (url: string) => new URL(url).searchParams;

describe('authorization URLs per provider', () => {
  it('Google: offline access, consent, incremental scopes, PKCE, space-separated scopes', () => {
    const google = resolveProvider('google', config);
    const url = buildAuthorizationUrl(google, { ...request, scopes: validateScopes(google, undefined) });
    expect(url.startsWith('https://accounts.google.com/o/oauth2/v2/auth?')).toBe(true);
    const params = paramsOf(url);
    expect(Object.fromEntries(params)).toMatchObject({
      response_type: 'code',
      client_id: 'client-id',
      redirect_uri: request.redirectUri,
      state: 'st',
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: 'true',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    expect(params.get('scope')?.split(' ')).toEqual(google.defaultScopes);
  });

  it('Slack: oauth/v2/authorize, comma-separated bot scopes, user scopes in user_scope, no PKCE', () => {
    const slack = resolveProvider('slack', config);
    const url = buildAuthorizationUrl(slack, { ...request, scopes: validateScopes(slack, ['chat:write', 'channels:read', 'user:search:read']) });
    expect(url.startsWith('https://slack.com/oauth/v2/authorize?')).toBe(true);
    const params = paramsOf(url);
    expect(params.get('scope')).toBe('chat:write,channels:read');
    expect(params.get('user_scope')).toBe('search:read');
    expect(params.get('code_challenge')).toBeNull();
  });

  it('Microsoft: the tenant in the path, offline_access always requested, and no revocation', () => {
    const microsoft = resolveProvider('microsoft', config);
    const url = buildAuthorizationUrl(microsoft, { ...request, scopes: ['User.Read'] });
    expect(url.startsWith('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?')).toBe(true);
    expect(paramsOf(url).get('scope')).toBe('User.Read offline_access');
    expect(microsoft.tokenUrl).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token');
    expect(microsoft.issuer).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    expect(microsoft.revocation.kind).toBe('none');
    expect(resolveProvider('microsoft', { providers: { microsoft: credentials } }).tokenUrl).toContain('/common/');
  });

  it('Asana: the seed’s endpoint with PKCE and the default scope', () => {
    const asana = resolveProvider('asana', config);
    const params = paramsOf(buildAuthorizationUrl(asana, { ...request, scopes: validateScopes(asana, null) }));
    expect(params.get('scope')).toBe('default');
    expect(params.get('code_challenge_method')).toBe('S256');
  });

  it('Atlassian: the audience its API needs and the consent prompt, as catalog data', () => {
    const atlassian = resolveProvider('atlassian', { providers: { atlassian: credentials } });
    const params = paramsOf(buildAuthorizationUrl(atlassian, { ...request, scopes: validateScopes(atlassian, undefined) }));
    expect(Object.fromEntries(params)).toMatchObject({ audience: 'api.atlassian.com', prompt: 'consent', state: 'st', client_id: 'client-id' });
  });

  it('every provider declares its default scopes among its scopes, and is unconfigured without credentials', () => {
    for (const id of BUILT_IN_PROVIDERS.keys()) {
      const provider = resolveProvider(id, { providers: {} });
      expect(provider.configured).toBe(false);
      expect(provider.credentials).toBeUndefined();
      const names = provider.scopes.map((scope) => scope.name);
      for (const scope of provider.defaultScopes) expect(names).toContain(scope);
    }
  });

  it('endpoint overrides replace the public endpoints; the issuer follows the authorization server', () => {
    const google = resolveProvider('google', {
      providers: { google: { ...credentials, authorizationUrl: 'http://127.0.0.1:9999/auth', tokenUrl: 'http://127.0.0.1:9999/token' } },
    });
    expect(google.authorizationUrl).toBe('http://127.0.0.1:9999/auth');
    expect(google.tokenUrl).toBe('http://127.0.0.1:9999/token');
    expect(google.issuer).toBe('http://127.0.0.1:9999');
  });
});
