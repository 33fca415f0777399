import type { IDToken } from 'oauth4webapi';
import type { ResolvedProvider } from '../resolve-provider.js';

/** Raw JSON object of a token response, before and after a provider's normalisation. */
export type TokenResponseBody = Record<string, unknown>;

/** Who the tokens belong to, for `externalAccountId` and the integration's metadata. */
export interface TokenAccount {
  externalAccountId: string | undefined;
  account: Record<string, string>;
}

/**
 * A provider's deviations from RFC 6749 / OpenID Connect in its token responses. Everything
 * standard is checked by oauth4webapi; these hooks only bend a provider's shape into it and
 * read the account out of it.
 */
export interface TokenResponseQuirks {
  /**
   * Rewrites a 200 body into RFC 6749 shape (or throws an `OAuthError` for a provider that
   * reports errors with status 200, like Slack's `ok: false`).
   */
  normalize?(body: TokenResponseBody, provider: ResolvedProvider): TokenResponseBody;
  /** The issuer to expect in ID tokens, when it depends on the token (Microsoft multi-tenant). */
  idTokenIssuer?(provider: ResolvedProvider, unverifiedClaims: Record<string, unknown>): string;
  /** Reads the connected account from the validated body and ID token claims. */
  account(body: TokenResponseBody, idToken: IDToken | undefined): TokenAccount;
}

/** A string claim or property, or undefined (the shape of JSON from a provider is not ours). */
export const stringOf = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** Keeps only the entries that have a value, so metadata holds no `undefined`s. */
export const compact = (entries: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(entries).filter((entry): entry is [string, string] => entry[1] !== undefined));
