import { IntegrationError } from '../../providers/integration-error.js';

/** Longest piece of a provider's own error message kept in `lastError`. */
const MAX_PROVIDER_MESSAGE = 300;

/**
 * The provider's own words for a refused request, read from its error body by `pick` (each
 * provider nests them differently), cut short and on one line. Provider error messages describe
 * the request; they carry no credential of ours.
 */
export function providerMessage(error: unknown, pick: (body: Record<string, unknown>) => unknown): string | undefined {
  if (!(error instanceof IntegrationError) || error.response === null || typeof error.response !== 'object') return undefined;
  const message = pick(error.response as Record<string, unknown>);
  if (typeof message !== 'string' || message.trim() === '') return undefined;
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > MAX_PROVIDER_MESSAGE ? `${line.slice(0, MAX_PROVIDER_MESSAGE)}…` : line;
}

/** True for an HTTP answer with this status. */
export const hasStatus = (error: unknown, status: number): boolean => error instanceof IntegrationError && error.statusCode === status;

/** True for a 4xx answer other than 401 and 429 (those are the token's and the rate's business). */
export const isRefusal = (error: unknown): boolean =>
  error instanceof IntegrationError && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 && error.statusCode !== 401 && error.statusCode !== 429;

export const bearer = (accessToken: string): Record<string, string> => ({ authorization: `Bearer ${accessToken}` });
