import { Counter, Gauge, Histogram, register } from 'prom-client';

// Created once per process on the default registry (GET /metrics serves it). Several clients
// and server instances share them; `getSingleMetric` keeps a second evaluation of this module
// (another loader, a test runner) from registering the same name twice.
const once = <T>(name: string, create: () => T): T => (register.getSingleMetric(name) as T | undefined) ?? create();

/**
 * Calls per provider, method and outcome: one per attempt sent (`2xx`…`5xx`, `network_error`,
 * `timeout`, `aborted`), plus `circuit_open` for calls refused by an open breaker (no request sent).
 */
export const providerRequests = once(
  'integrations_provider_requests_total',
  () =>
    new Counter({
      name: 'integrations_provider_requests_total',
      help: 'Requests to providers by outcome (one per attempt; circuit_open = refused without a request)',
      labelNames: ['provider', 'method', 'status_class'] as const,
    }),
);

export const providerRequestDuration = once(
  'integrations_provider_request_duration_seconds',
  () =>
    new Histogram({
      name: 'integrations_provider_request_duration_seconds',
      help: 'Duration of one attempt of a provider request, response body included',
      labelNames: ['provider', 'method'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
);

/** Retries scheduled, by what caused them (`503`, `429`, `network`, `timeout`…). */
export const providerRetries = once(
  'integrations_provider_retries_total',
  () =>
    new Counter({
      name: 'integrations_provider_retries_total',
      help: 'Retries of provider requests by cause',
      labelNames: ['provider', 'reason'] as const,
    }),
);

/** 0 closed, 1 open, 2 half-open. */
export const providerCircuitState = once(
  'integrations_provider_circuit_state',
  () =>
    new Gauge({
      name: 'integrations_provider_circuit_state',
      help: 'Circuit breaker state per provider: 0 closed, 1 open, 2 half-open',
      labelNames: ['provider'] as const,
    }),
);

export const providerCircuitTransitions = once(
  'integrations_provider_circuit_transitions_total',
  () =>
    new Counter({
      name: 'integrations_provider_circuit_transitions_total',
      help: 'Circuit breaker transitions per provider, by the state entered',
      labelNames: ['provider', 'to'] as const,
    }),
);
