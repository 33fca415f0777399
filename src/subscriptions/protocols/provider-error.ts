import { IntegrationError, IntegrationErrorCode } from '../../providers/integration-error.js';

/**
 * The provider's own words for a refused request, as its client's error reader kept them
 * (`IntegrationError.providerError`: bounded, on one line, secrets masked).
 */
export const providerMessage = (error: unknown): string | undefined => (error instanceof IntegrationError ? error.providerError?.message : undefined);

/** True for an HTTP answer with this status. */
export const hasStatus = (error: unknown, status: number): boolean => error instanceof IntegrationError && error.statusCode === status;

/** True for a 4xx answer other than 401 and a rate limit (those are the token's and the pace's business). */
export const isRefusal = (error: unknown): boolean =>
  error instanceof IntegrationError &&
  error.code !== IntegrationErrorCode.RATE_LIMITED &&
  error.statusCode !== undefined &&
  error.statusCode >= 400 &&
  error.statusCode < 500 &&
  error.statusCode !== 401 &&
  error.statusCode !== 429;

export const bearer = (accessToken: string): Record<string, string> => ({ authorization: `Bearer ${accessToken}` });
