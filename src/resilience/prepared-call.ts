import type { FetchAttempt } from './fetch-attempt.js';
import type { HttpRequestConfig } from './http-request.js';
import { requestMetrics, type RequestMetrics } from './metrics.js';
import { redactUrl } from './redaction.js';
import { encodeBody } from './request-body.js';

/** One call as it goes through its attempts. */
export interface PreparedCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** `headers` has at least one entry. */
  hasHeaders: boolean;
  rawBody: unknown;
  body: BodyInit | undefined;
  streamed: boolean;
  replayable: boolean;
  replaySafe: boolean;
  timeout: number;
  deadline: number;
  deadlineAt: number;
  /** A retry wait was cut at the deadline: no attempt follows it. */
  deadlineReached: boolean;
  attempts: number;
  metrics: RequestMetrics;
  loggedUrl?: string;
  /** Resolve with status, headers and data (`send`) rather than the data alone (`request`). */
  withResponse: boolean;
  /** Resolve with the `Response`, body unread (`stream`). */
  rawResponse: boolean;
  /** The caller's. */
  signal: AbortSignal | undefined;
}

/** What a client gives every call unless the call says otherwise. */
export interface CallDefaults {
  /** Names the metrics and the client in errors. */
  name: string;
  baseURL: string | undefined;
  headers: Record<string, string> | undefined;
  /** Per-attempt timeout in ms. */
  timeout: number;
  /** Overall budget in ms; unset: derived from the attempts, the timeout and the longest wait. */
  deadline: number | undefined;
  maxAttempts: number;
  maxDelay: number;
}

const IDEMPOTENT_METHODS = new Set<string>(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const SLASH = 0x2f;

/** A client's settings, from which each call is prepared: URL joined, headers merged, body encoded, budgets set. */
export class CallSettings {
  readonly #name: string;
  readonly #baseURL: string | undefined;
  readonly #baseURLValid: boolean;
  readonly #headers: Record<string, string>;
  readonly #hasDefaultHeaders: boolean;
  readonly #timeout: number;
  readonly #deadline: number | undefined;
  readonly #maxAttempts: number;
  readonly #maxDelay: number;
  readonly #metrics = new Map<string, RequestMetrics>();

  constructor(defaults: CallDefaults) {
    this.#name = defaults.name;
    this.#baseURL = defaults.baseURL?.replace(/\/+$/, '');
    this.#baseURLValid = this.#baseURL !== undefined && URL.canParse(this.#baseURL);
    this.#headers = Object.freeze(lowerCaseKeys(defaults.headers ?? {}));
    this.#hasDefaultHeaders = Object.keys(this.#headers).length > 0;
    this.#timeout = defaults.timeout;
    this.#deadline = defaults.deadline;
    this.#maxAttempts = defaults.maxAttempts;
    this.#maxDelay = defaults.maxDelay;
  }

  prepare(config: HttpRequestConfig, withResponse: boolean, rawResponse = false): PreparedCall {
    const method = (config.method ?? 'GET').toUpperCase();
    const url = this.#resolveUrl(config.url);
    const encoded = encodeBody(config.body);
    const ownHeaders = encoded.contentType !== undefined || config.headers !== undefined || config.idempotencyKey !== undefined;
    // Without per-call headers the client's (frozen) set is used as is: nothing below writes to it.
    const headers: Record<string, string> = ownHeaders ? { ...this.#headers } : this.#headers;
    if (encoded.contentType) headers['content-type'] = encoded.contentType;
    if (config.headers) for (const name in config.headers) if (Object.hasOwn(config.headers, name)) headers[name.toLowerCase()] = config.headers[name]!;
    if (config.idempotencyKey !== undefined) headers['idempotency-key'] = config.idempotencyKey;
    const timeoutMs = config.timeout ?? this.#timeout;
    const deadline = config.deadline ?? this.#deadline ?? this.#maxAttempts * timeoutMs + (this.#maxAttempts - 1) * this.#maxDelay;
    return {
      method,
      url,
      headers,
      hasHeaders: this.#hasDefaultHeaders || ownHeaders,
      rawBody: config.body,
      body: encoded.body,
      streamed: encoded.streamed,
      replayable: encoded.replayable,
      replaySafe: IDEMPOTENT_METHODS.has(method) || config.idempotent === true || headers['idempotency-key'] !== undefined,
      timeout: timeoutMs,
      deadline,
      deadlineAt: Date.now() + deadline,
      deadlineReached: false,
      attempts: 0,
      metrics: this.#metricsOf(method),
      withResponse,
      rawResponse,
      signal: config.signal,
    };
  }

  #resolveUrl(url: string): string {
    const base = this.#baseURL;
    let absolute: string;
    // A path with one leading slash (nearly every call) cannot start with a scheme: joined without a regex.
    if (base !== undefined && url.charCodeAt(0) === SLASH && url.charCodeAt(1) !== SLASH) absolute = base + url;
    else if (base === undefined || /^[a-z][a-z\d+.-]*:\/\//i.test(url)) {
      // A malformed URL is a programming error: fail at once rather than retry a TypeError.
      if (!URL.canParse(url)) throw new TypeError(`${this.#name}: invalid request URL`);
      return url;
    } else absolute = `${base}/${url.replace(/^\/+/, '')}`;
    // Past a valid base URL and a `/`, the URL parser is in its path state, where no input fails
    // (it percent-encodes): only an invalid base can make the joined URL invalid.
    if (!this.#baseURLValid && !URL.canParse(absolute)) throw new TypeError(`${this.#name}: invalid request URL`);
    return absolute;
  }

  #metricsOf(method: string): RequestMetrics {
    let metrics = this.#metrics.get(method);
    if (!metrics) {
      metrics = requestMetrics(this.#name, method);
      this.#metrics.set(method, metrics);
    }
    return metrics;
  }
}

/**
 * What `fetch` is given for an attempt: only what differs from its defaults, since each init
 * member costs undici work (an empty headers record alone is ~3 µs of a local round trip).
 */
export function fetchInit(call: PreparedCall, attempt: FetchAttempt): RequestInit & { duplex?: 'half' } {
  const init: RequestInit & { duplex?: 'half' } = {};
  attempt.applyTo(init, call.signal);
  if (call.method !== 'GET') init.method = call.method;
  if (call.hasHeaders) init.headers = call.headers;
  if (call.body !== undefined) init.body = call.body;
  if (call.streamed) init.duplex = 'half';
  return init;
}

/** The call's URL as logs show it (credentials redacted), worked out once per call. */
export function loggedUrl(call: PreparedCall): string {
  call.loggedUrl ??= redactUrl(call.url);
  return call.loggedUrl;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const lowered: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value;
  return lowered;
}
