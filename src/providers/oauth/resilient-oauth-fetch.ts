import { IntegrationError, IntegrationErrorCode } from '../integration-error.js';
import { providerBreakers, type ProviderBreakerRegistry } from '../../resilience/provider-breakers.js';
import { withRetry, type RetryPolicyConfig } from '../../resilience/retry.js';
import type { ProviderId } from '../provider-ids.js';
import type { OAuthFetch } from './oauth-fetch.js';

export interface ResilientOAuthFetchOptions {
  /** Whose breakers guard the calls. @default the process's `providerBreakers` */
  breakers?: ProviderBreakerRegistry;
  /** Retry schedule for failures known to be safe to resend. @default { maxAttempts: 3, initialDelay: 200, maxDelay: 2000 } */
  retry?: RetryPolicyConfig;
  /** Per-attempt timeout in ms. @default 10000 */
  timeoutMs?: number;
  /** The underlying fetch. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** Nothing reached the server: resending cannot spend an authorization code twice. */
const wasNotSent = (error: unknown): boolean => {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return cause?.code === 'ECONNREFUSED';
};

/**
 * The OAuth module's fetch for one provider, through the resilience layer: the provider's
 * circuit breaker (shared with its API client, so a dead provider fails fast everywhere) and a
 * retry. Token requests are not idempotent (a code is single use; a rotated refresh token is
 * spent once sent), so only failures where the server cannot have acted are retried: a 503
 * (RFC 9110 §15.6.4) and a refused connection. 5xx answers count against the breaker and
 * surface as thrown errors; every other answer (including 4xx and 429) is returned as is for
 * the protocol layer to read.
 */
export function createResilientOAuthFetch(providerId: ProviderId, options: ResilientOAuthFetchOptions = {}): OAuthFetch {
  const breakers = options.breakers ?? providerBreakers;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const retry = { maxAttempts: 3, initialDelay: 200, maxDelay: 2_000, ...options.retry };

  return (url, init) =>
    withRetry(
      () =>
        breakers.get(providerId).execute(async (signal) => {
          const signals = [signal, AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])];
          let response: Response;
          try {
            response = await fetchImpl(url, { ...init, signal: AbortSignal.any(signals) });
          } catch (error) {
            throw new IntegrationError(`${providerId} OAuth endpoint could not be reached`, {
              service: providerId,
              code: IntegrationErrorCode.PROVIDER_UNAVAILABLE,
              kind: signal.aborted ? 'TIMEOUT' : 'NETWORK',
              retryable: wasNotSent(error),
              providerFault: true,
            });
          }
          if (response.status >= 500) {
            await response.body?.cancel();
            throw new IntegrationError(`${providerId} OAuth endpoint failed with HTTP ${response.status}`, {
              service: providerId,
              code: IntegrationErrorCode.PROVIDER_UNAVAILABLE,
              statusCode: response.status,
              retryable: response.status === 503,
              providerFault: true,
            });
          }
          return response;
        }),
      retry,
    );
}
