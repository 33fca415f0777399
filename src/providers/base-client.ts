import type { CircuitBreakerConfig, ProviderHealth } from '../resilience/circuit-breaker.js';
import type { ProviderBreakerRegistry } from '../resilience/provider-breakers.js';
import type { ProviderErrorReader } from '../resilience/provider-error.js';
import type { ResilienceLogger } from '../resilience/resilience-logger.js';
import type { HttpRequestConfig, HttpResponse, HttpRetryConfig } from '../resilience/http-request.js';
import { ResilientHttpClient } from '../resilience/resilient-http-client.js';

export { IntegrationError, IntegrationErrorCode, isProviderAuthError } from './integration-error.js';
export type { HttpRequestConfig as RequestConfig } from '../resilience/http-request.js';

export interface BaseIntegrationClientOptions {
  /** Per-attempt timeout in ms. @default 30000 */
  timeout?: number;
  /** Overall budget of a call in ms. @default maxAttempts × timeout + (maxAttempts − 1) × maxDelay */
  deadline?: number;
  /** @default RetryPresets.network */
  retry?: HttpRetryConfig;
  /** Used if this client is the first of its service in the process. @default CircuitBreakerPresets.standard */
  circuitBreaker?: CircuitBreakerConfig;
  /** Longest Retry-After honoured, in ms. @default 30000 */
  maxRetryAfterMs?: number;
  /**
   * Reads the service's own error code and message from a failed answer, and what it says the
   * failure is where the HTTP status does not (a rate limit answered 403). Runs on failures only.
   * @default readCommonErrorShapes (Google's, Graph's, Asana's, OAuth's and similar JSON error bodies)
   */
  readError?: ProviderErrorReader;
  /** The service fails some requests with a 2xx answer and says so in the body (Slack's `ok: false`). @default false */
  failsWith2xx?: boolean;
  /** @default a silent logger */
  logger?: ResilienceLogger;
  /** @default the process registry */
  breakers?: ProviderBreakerRegistry;
}

/** A client whose subclass defines the seed's `testConnection` hook. */
export interface ConnectionTester {
  testConnection(accessToken: string): Promise<boolean>;
}

export interface ClientHealthCheck {
  service: string;
  /** False while the circuit is open, or when `testConnection` said no or failed. */
  healthy: boolean;
  checkedAt: Date;
  /** Time `testConnection` took; absent when it was not run. */
  latencyMs?: number;
  error?: string;
  breaker: ProviderHealth;
}

/**
 * What the seed's provider clients extend. Both of its subclassing styles work:
 * `super('my-service')`, or class fields `protected serviceName = 'asana'` (and optionally
 * `protected baseUrl`, the prefix of relative URLs) with no constructor arguments.
 *
 * Why those fields are read rather than declared here: class fields are set after `super()`
 * returns, so the name is resolved at the first request; and declaring them (or
 * `testConnection`) on this class would make the seed's subclasses fail to compile under
 * `noImplicitOverride`, which would then demand `override` on them.
 */
export abstract class BaseIntegrationClient {
  readonly #configuredName: string | undefined;
  readonly #options: BaseIntegrationClientOptions;
  #http: ResilientHttpClient | undefined;

  constructor(serviceName?: string, options: BaseIntegrationClientOptions = {}) {
    this.#configuredName = serviceName;
    this.#options = options;
  }

  /** The name given to `super()`, else the subclass's `serviceName` field. */
  getServiceName(): string {
    const name = this.#configuredName ?? (this as { serviceName?: unknown }).serviceName;
    if (typeof name !== 'string' || name === '') {
      throw new TypeError(`${this.constructor.name}: pass the service name to super() or declare a serviceName field`);
    }
    return name;
  }

  /**
   * Sends a request through the service's retry, circuit breaker and timeouts and returns the
   * decoded body (JSON parsed). Failures are `IntegrationError`s.
   */
  async request<T = unknown>(config: HttpRequestConfig): Promise<T> {
    return (await this.requestWithResponse<T>(config)).data;
  }

  /** Like {@link request}, with the status and headers (pagination links, rate-limit headers). */
  requestWithResponse<T = unknown>(config: HttpRequestConfig): Promise<HttpResponse<T>> {
    return this.#client().send<T>({ ...config, url: this.#absoluteUrl(config.url) });
  }

  /**
   * The breaker state of the service and, given a token and a subclass `testConnection`, the
   * result of calling it. Never throws: a failure is reported in `error`.
   */
  async healthCheck(accessToken?: string): Promise<ClientHealthCheck> {
    const service = this.getServiceName();
    const checkedAt = new Date();
    const tester = (this as Partial<ConnectionTester>).testConnection;
    if (accessToken === undefined || typeof tester !== 'function') {
      const breaker = this.#client().health();
      return { service, healthy: breaker.circuitState !== 'OPEN', checkedAt, breaker };
    }
    const started = performance.now();
    let healthy: boolean;
    let error: string | undefined;
    try {
      healthy = await tester.call(this, accessToken);
      if (!healthy) error = `${service} refused the credentials`;
    } catch (caught) {
      healthy = false;
      error = caught instanceof Error ? caught.message : `${service} connection test failed`;
    }
    const latencyMs = Math.round(performance.now() - started);
    return { service, healthy, checkedAt, latencyMs, ...(error !== undefined && { error }), breaker: this.#client().health() };
  }

  #client(): ResilientHttpClient {
    this.#http ??= new ResilientHttpClient({ ...this.#options, name: this.getServiceName() });
    return this.#http;
  }

  /** Relative URLs are joined to the subclass's `baseUrl`, read per call (some compute it lazily). */
  #absoluteUrl(url: string): string {
    if (/^[a-z][a-z\d+.-]*:\/\//i.test(url)) return url;
    const baseUrl = (this as { baseUrl?: unknown }).baseUrl;
    if (typeof baseUrl !== 'string') return url;
    return `${baseUrl.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
  }
}
