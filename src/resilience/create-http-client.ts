import type { CircuitBreakerConfig, ProviderHealth } from './circuit-breaker.js';
import type { ProviderBreakerRegistry } from './provider-breakers.js';
import type { ProviderErrorReader } from './provider-error.js';
import type { HttpRequestConfig, HttpResponse, HttpRetryConfig } from './http-request.js';
import { ResilientHttpClient } from './resilient-http-client.js';
import type { ResilienceLogger } from './resilience-logger.js';

export interface HttpClientConfig {
  /** Prefix of the paths given to `get`, `post`…; absolute URLs bypass it. */
  baseURL?: string;
  /** Names the circuit breaker and metrics: clients with the same name share one breaker. @default the host of `baseURL`, else 'http' */
  name?: string;
  /** Per-attempt timeout in ms. @default 30000 */
  timeout?: number;
  /** Overall budget of a call in ms. @default maxAttempts × timeout + (maxAttempts − 1) × maxDelay */
  deadline?: number;
  /** @default RetryPresets.network */
  retryConfig?: HttpRetryConfig;
  /** @default CircuitBreakerPresets.standard */
  circuitBreakerConfig?: CircuitBreakerConfig;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /** Longest Retry-After honoured, in ms. @default 30000 */
  maxRetryAfterMs?: number;
  /** Reads the provider's own error from a failed answer (see `ResilientHttpClientOptions.readError`). @default readCommonErrorShapes */
  readError?: ProviderErrorReader;
  /** The provider fails some requests with a 2xx answer (see `ResilientHttpClientOptions.failsWith2xx`). @default false */
  failsWith2xx?: boolean;
  /** @default a silent logger */
  logger?: ResilienceLogger;
  /** @default the process registry */
  breakers?: ProviderBreakerRegistry;
}

/** Per-call options of the verb methods. */
export type HttpCallOptions = Omit<HttpRequestConfig, 'url' | 'method' | 'body'>;

export interface HttpClient {
  readonly name: string;
  get<T = unknown>(path: string, options?: HttpCallOptions): Promise<T>;
  delete<T = unknown>(path: string, options?: HttpCallOptions): Promise<T>;
  post<T = unknown>(path: string, body?: unknown, options?: HttpCallOptions): Promise<T>;
  put<T = unknown>(path: string, body?: unknown, options?: HttpCallOptions): Promise<T>;
  patch<T = unknown>(path: string, body?: unknown, options?: HttpCallOptions): Promise<T>;
  /** Any method; returns the decoded body. */
  request<T = unknown>(config: HttpRequestConfig): Promise<T>;
  /** Any method; returns status, headers and decoded body. */
  send<T = unknown>(config: HttpRequestConfig): Promise<HttpResponse<T>>;
  /** The breaker state behind this client. */
  health(): ProviderHealth;
}

const nameOf = (baseURL: string | undefined): string => {
  if (baseURL === undefined || !URL.canParse(baseURL)) return 'http';
  return new URL(baseURL).host;
};

/** The seed's resilient HTTP client: JSON in and out, retry, circuit breaker and timeouts on. */
export function createHttpClient(config: HttpClientConfig = {}): HttpClient {
  const client = new ResilientHttpClient({
    name: config.name ?? nameOf(config.baseURL),
    ...(config.baseURL !== undefined && { baseURL: config.baseURL }),
    ...(config.headers !== undefined && { headers: config.headers }),
    ...(config.timeout !== undefined && { timeout: config.timeout }),
    ...(config.deadline !== undefined && { deadline: config.deadline }),
    ...(config.retryConfig !== undefined && { retry: config.retryConfig }),
    ...(config.circuitBreakerConfig !== undefined && { circuitBreaker: config.circuitBreakerConfig }),
    ...(config.maxRetryAfterMs !== undefined && { maxRetryAfterMs: config.maxRetryAfterMs }),
    ...(config.readError !== undefined && { readError: config.readError }),
    ...(config.failsWith2xx !== undefined && { failsWith2xx: config.failsWith2xx }),
    ...(config.logger !== undefined && { logger: config.logger }),
    ...(config.breakers !== undefined && { breakers: config.breakers }),
  });
  return {
    name: client.name,
    get: (path, options) => client.request({ ...options, url: path, method: 'GET' }),
    delete: (path, options) => client.request({ ...options, url: path, method: 'DELETE' }),
    post: (path, body, options) => client.request({ ...options, url: path, method: 'POST', body }),
    put: (path, body, options) => client.request({ ...options, url: path, method: 'PUT', body }),
    patch: (path, body, options) => client.request({ ...options, url: path, method: 'PATCH', body }),
    request: (requestConfig) => client.request(requestConfig),
    send: (requestConfig) => client.send(requestConfig),
    health: () => client.health(),
  };
}
