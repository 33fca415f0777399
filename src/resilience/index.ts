/**
 * The resilience layer: every call to a provider goes through it. Retry with backoff and
 * Retry-After, one circuit breaker per provider, per-attempt timeouts and overall deadlines,
 * all on cockatiel, with Prometheus metrics and redacted logs.
 */
export { withRetry, RetryPresets, createRetryPolicy, isRetryableByDefault, type RetryOptions, type RetryPolicyConfig } from './retry.js';
export {
  CircuitBreaker,
  CircuitBreakerPresets,
  isProviderFailure,
  type CircuitBreakerConfig,
  type CircuitBreakerOptions,
  type CircuitStateName,
  type ProviderHealth,
} from './circuit-breaker.js';
export { CircuitOpenError } from './circuit-open-error.js';
export { DeadlineExceededError } from './deadline-exceeded-error.js';
export {
  ProviderBreakerRegistry,
  providerBreakers,
  getProviderHealth,
  listProviderHealth,
  resetProviderBreakers,
  type ProviderHealthEntry,
} from './provider-breakers.js';
export { ResilientHttpClient, type ResilientHttpClientOptions } from './resilient-http-client.js';
export type { HttpMethod, HttpRequestConfig, HttpResponse, HttpRetryConfig } from './http-request.js';
export { createHttpClient, type HttpClient, type HttpClientConfig, type HttpCallOptions } from './create-http-client.js';
export { parseRetryAfter, retryAfterMs } from './retry-after.js';
export { redactUrl, redactHeaders, redactValue, maskSecrets, REDACTED } from './redaction.js';
export {
  readCommonErrorShapes,
  summarizeProviderError,
  type ProviderErrorReader,
  type ProviderErrorReport,
  type ProviderErrorSummary,
} from './provider-error.js';
export { silentLogger, type ResilienceLogger } from './resilience-logger.js';
export { IntegrationError, IntegrationErrorCode, isIntegrationError, isProviderAuthError, type IntegrationFailureKind } from './integration-error.js';
