import * as oauth from 'oauth4webapi';
import type { ResolvedProvider } from '../resolve-provider.js';
import type { OAuthFetch } from './oauth-fetch.js';

/** oauth4webapi's view of a provider: server metadata, our client, and how we authenticate. */
export interface OAuthParties {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  /** Options for every oauth4webapi request: our fetch, and plain HTTP only on loopback. */
  requestOptions: { [oauth.customFetch]: OAuthFetch; [oauth.allowInsecureRequests]?: boolean };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Plain HTTP is refused except for a server on this machine (the test OAuth server). */
const isLoopbackHttp = (url: string): boolean => {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname);
};

/** `application/x-www-form-urlencoded` serialization of one value (WHATWG URL standard). */
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);

/**
 * HTTP Basic client authentication with each part form-encoded first (RFC 6749 §2.3.1), using
 * the WHATWG serializer. oauth4webapi's `ClientSecretBasic` also escapes unreserved characters
 * such as `.`, which every Slack client id contains (`1234.5678` → `1234%2E5678`); servers that
 * compare the decoded Basic credentials literally refuse that. Form-encoding leaves `.` alone,
 * so the header is both spec-conformant and what Slack documents for oauth.v2.access.
 */
const formEncodedClientSecretBasic =
  (clientSecret: string): oauth.ClientAuth =>
  (_as, client, _body, headers) => {
    headers.set('authorization', clientBasicAuthorization({ clientId: client.client_id, clientSecret }));
  };

/**
 * Sends token requests the way the entry says (`tokenRequest.body`): oauth4webapi writes RFC 6749
 * form bodies; Notion wants the same parameters as JSON, ClickUp in the query string.
 */
const reshapeTokenRequests =
  (format: ResolvedProvider['definition']['tokenRequest']['body'], tokenEndpoint: string, fetchImpl: OAuthFetch): OAuthFetch =>
  (url, init) => {
    if (format === 'form' || url !== tokenEndpoint || !(init.body instanceof URLSearchParams)) return fetchImpl(url, init);
    const headers = new Headers(init.headers);
    if (format === 'json') {
      headers.set('content-type', 'application/json');
      return fetchImpl(url, { ...init, headers, body: JSON.stringify(Object.fromEntries(init.body)) });
    }
    const target = new URL(url);
    for (const [name, value] of init.body) target.searchParams.set(name, value);
    headers.delete('content-type');
    return fetchImpl(target.toString(), { ...init, headers, body: null });
  };

export interface OAuthPartiesOptions {
  /** The `iss` to expect. @default provider.issuer */
  issuer?: string;
  /** Where token requests go (the refresh URL for refreshes). @default provider.tokenUrl */
  tokenEndpoint?: string;
}

/** Our client's credentials sent as RFC 6749 §2.3.1 HTTP Basic, for APIs that authenticate the client (GitHub's grant endpoint). */
export const clientBasicAuthorization = (credentials: { clientId: string; clientSecret: string }): string =>
  `Basic ${Buffer.from(`${formEncode(credentials.clientId)}:${formEncode(credentials.clientSecret)}`).toString('base64')}`;

export function oauthParties(provider: ResolvedProvider, fetchImpl: OAuthFetch, options: OAuthPartiesOptions = {}): OAuthParties {
  if (!provider.credentials) throw new Error(`provider ${provider.id} has no client credentials`);
  const { clientId, clientSecret } = provider.credentials;
  const tokenEndpoint = options.tokenEndpoint ?? provider.tokenUrl;
  const revocationUrl = provider.revocation.kind === 'rfc7009' ? provider.revocation.url : undefined;
  const as: oauth.AuthorizationServer = {
    issuer: options.issuer ?? provider.issuer,
    authorization_endpoint: provider.authorizationUrl,
    token_endpoint: tokenEndpoint,
    ...(revocationUrl ? { revocation_endpoint: revocationUrl } : {}),
    ...(provider.userinfoUrl ? { userinfo_endpoint: provider.userinfoUrl } : {}),
  };
  const client: oauth.Client = { client_id: clientId, token_endpoint_auth_method: provider.tokenEndpointAuthMethod };
  const clientAuth =
    provider.tokenEndpointAuthMethod === 'client_secret_basic' ? formEncodedClientSecretBasic(clientSecret) : oauth.ClientSecretPost(clientSecret);
  const insecure = [tokenEndpoint, revocationUrl].some((url) => url !== undefined && isLoopbackHttp(url));
  const customFetch = reshapeTokenRequests(provider.definition.tokenRequest.body, tokenEndpoint, fetchImpl);
  return {
    as,
    client,
    clientAuth,
    requestOptions: { [oauth.customFetch]: customFetch, ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}) },
  };
}
