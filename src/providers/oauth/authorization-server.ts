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
    const credentials = `${formEncode(client.client_id)}:${formEncode(clientSecret)}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
  };

export function oauthParties(provider: ResolvedProvider, fetchImpl: OAuthFetch, issuer: string = provider.issuer): OAuthParties {
  if (!provider.credentials) throw new Error(`provider ${provider.id} has no client credentials`);
  const { clientId, clientSecret } = provider.credentials;
  const revocationUrl = provider.revocation.kind === 'rfc7009' ? provider.revocation.url : undefined;
  const as: oauth.AuthorizationServer = {
    issuer,
    authorization_endpoint: provider.authorizationUrl,
    token_endpoint: provider.tokenUrl,
    ...(revocationUrl ? { revocation_endpoint: revocationUrl } : {}),
    ...(provider.userinfoUrl ? { userinfo_endpoint: provider.userinfoUrl } : {}),
  };
  const client: oauth.Client = { client_id: clientId, token_endpoint_auth_method: provider.tokenEndpointAuthMethod };
  const clientAuth =
    provider.tokenEndpointAuthMethod === 'client_secret_basic' ? formEncodedClientSecretBasic(clientSecret) : oauth.ClientSecretPost(clientSecret);
  const insecure = [provider.tokenUrl, revocationUrl].some((url) => url !== undefined && isLoopbackHttp(url));
  return {
    as,
    client,
    clientAuth,
    requestOptions: { [oauth.customFetch]: fetchImpl, ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}) },
  };
}
