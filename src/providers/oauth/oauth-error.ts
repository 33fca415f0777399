import type { ProviderId } from '../provider-ids.js';

/**
 * What went wrong talking OAuth to a provider, in categories callers act on:
 * - `access_denied`: the user declined at the provider.
 * - `invalid_grant`: the code or refresh token was refused; only a new authorization helps.
 * - `rejected`: any other OAuth error answer (bad client credentials, bad redirect URI, …).
 * - `invalid_response`: the provider answered something we cannot accept (malformed body,
 *   ID token for another client or issuer, unexpected `iss` on the callback).
 * - `rate_limited` / `unavailable`: transient; try again later, keep existing state.
 */
export type OAuthErrorKind = 'access_denied' | 'invalid_grant' | 'rejected' | 'invalid_response' | 'rate_limited' | 'unavailable';

/**
 * Raised by the OAuth protocol module. Carries only non-secret facts: never a token, a code, a
 * client secret or a response body. `providerError` is the provider's own error code
 * (`invalid_grant`, Slack's `invalid_code`, …).
 */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';

  constructor(
    readonly kind: OAuthErrorKind,
    readonly providerId: ProviderId,
    message: string,
    readonly details: { providerError?: string; status?: number; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }

  /** True when retrying later may succeed and the stored credentials must be kept. */
  get transient(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable';
  }
}
