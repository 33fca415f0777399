import type { IDToken } from 'oauth4webapi';
import { apiRequestHeaders } from '../api-request.js';
import { readText } from '../json-path.js';
import type { AccountSource } from '../provider-definition.js';
import { originParams, wholeValue } from '../provider-entry-schema.js';
import type { ResolvedProvider } from '../resolve-provider.js';
import { fillTemplate, isHttpOrigin } from '../url-template.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthFetch } from './oauth-fetch.js';
import type { TokenResponseBody } from './token-response-shape.js';

/** Who the tokens belong to, for `externalAccountId` and the integration's metadata. */
export interface ConnectedAccount {
  externalAccountId: string | undefined;
  account: Record<string, string>;
  /** Values of the entry's `learnedParams` (Salesforce's `instanceUrl`); empty unless looked up. */
  learnedParams: Record<string, string>;
}

export interface AccountSources {
  /** The token response after `normalizeTokenResponse`. */
  body: TokenResponseBody;
  /** The validated ID token's claims, when there was one. */
  idToken: IDToken | undefined;
  /** The redirect's query parameters (code exchange only). */
  callback: URLSearchParams | undefined;
  accessToken: string;
  /**
   * True for a code exchange: learned params are read and an account `request` is made. A
   * refresh reads only what its answer carries.
   */
  lookUp: boolean;
}

/** The entry's account lookup: its URL with the values learned so far, its method and body, the entry's API authorization and headers. */
async function requestAccount(provider: ResolvedProvider, fetchImpl: OAuthFetch, account: AccountSource, url: string, accessToken: string): Promise<unknown> {
  const headers = apiRequestHeaders(provider, accessToken);
  if (account.body) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetchImpl(url, { method: account.method, headers, body: account.body ? JSON.stringify(account.body) : null });
  } catch {
    throw new OAuthError('unavailable', provider.id, `${provider.name} could not be reached for the account lookup`);
  }
  if (response.status === 429) {
    await response.body?.cancel();
    throw new OAuthError('rate_limited', provider.id, `${provider.name} rate-limited the account lookup`, { status: 429 });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new OAuthError('invalid_response', provider.id, `${provider.name} refused the account lookup (HTTP ${response.status})`, { status: response.status });
  }
  try {
    return await response.json();
  } catch {
    throw new OAuthError('invalid_response', provider.id, `${provider.name} answered the account lookup with a body that is not JSON`);
  }
}

/** Reads the learned params of one source, each checked against its pattern (and being an origin where it opens a URL). */
function learn(provider: ResolvedProvider, from: 'token_response' | 'callback' | 'account', source: unknown, into: Record<string, string>): void {
  const origins = originParams(provider.definition);
  for (const param of provider.definition.learnedParams) {
    if (param.from !== from) continue;
    const value = source instanceof URLSearchParams ? (source.get(param.path) ?? undefined) : readText(source, param.path);
    if (value === undefined) throw new OAuthError('invalid_response', provider.id, `${provider.name} did not say its ${param.name} while connecting`);
    if (!wholeValue(param.pattern).test(value) || (origins.has(param.name) && !isHttpOrigin(value))) {
      throw new OAuthError('invalid_response', provider.id, `${provider.name} answered with a ${param.name} that does not fit the expected format`);
    }
    into[param.name] = value;
  }
}

/**
 * The connected account as the entry describes it (`account`: from the ID token, the token
 * response, or a request), and, on a code exchange, the values it learns while connecting.
 */
export async function readConnectedAccount(provider: ResolvedProvider, fetchImpl: OAuthFetch, sources: AccountSources): Promise<ConnectedAccount> {
  const learnedParams: Record<string, string> = {};
  if (sources.lookUp) {
    learn(provider, 'token_response', sources.body, learnedParams);
    if (sources.callback) learn(provider, 'callback', sources.callback, learnedParams);
  }
  const account = provider.account;
  let source: unknown;
  if (account?.from === 'id_token') source = sources.idToken;
  else if (account?.from === 'token_response') source = sources.body;
  else if (account?.from === 'request' && account.url && sources.lookUp) {
    source = await requestAccount(provider, fetchImpl, account, fillTemplate(account.url, learnedParams), sources.accessToken);
    learn(provider, 'account', source, learnedParams);
  }
  if (!account || source === undefined) return { externalAccountId: undefined, account: {}, learnedParams };
  const fields: Record<string, string> = {};
  for (const [name, paths] of Object.entries(account.fields)) {
    const value = readText(source, paths);
    if (value !== undefined) fields[name] = value;
  }
  return { externalAccountId: readText(source, account.id), account: fields, learnedParams };
}
