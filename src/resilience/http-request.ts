import type { RetryPolicyConfig } from './retry.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface HttpRequestConfig {
  /** Absolute, or relative to the client's base URL. */
  url: string;
  /** @default 'GET' */
  method?: HttpMethod;
  headers?: Record<string, string>;
  /** Plain values are sent as JSON; strings, forms, multipart, binary and streams as they are. */
  body?: unknown;
  /** Per-attempt timeout in ms (response body included). @default the client's */
  timeout?: number;
  /** Overall budget in ms across attempts and waits. @default the client's */
  deadline?: number;
  signal?: AbortSignal;
  /**
   * The request may be sent twice without harm. GET, HEAD, PUT, DELETE and OPTIONS are by
   * definition; a POST or PATCH is retried after it may have reached the server only with this
   * flag or an idempotency key.
   * @default false
   */
  idempotent?: boolean;
  /** Sent as `Idempotency-Key`; makes the request safe to retry. */
  idempotencyKey?: string;
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  data: T;
}

/** Retry settings of a client, with the seed's `onRetry` hook. */
export interface HttpRetryConfig extends RetryPolicyConfig {
  onRetry?: (attempt: number, error: Error, delayMs: number) => void;
}
