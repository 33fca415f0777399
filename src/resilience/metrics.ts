import { Counter, Gauge, Histogram, register } from 'prom-client';

// Created once per process on the default registry (GET /metrics serves it). Several clients
// and server instances share them; `getSingleMetric` keeps a second evaluation of this module
// (another loader, a test runner) from registering the same name twice.
const existing = <T>(name: string): T | undefined => register.getSingleMetric(name) as T | undefined;

type Labels = Record<string, string>;

/**
 * The per-request metrics sit on the path of every provider call, and prom-client's
 * `inc`/`observe` (label validation, a label hash built and looked up per call) cost about
 * 4 µs per request there, 3 % of a local round trip. So the client records into series it
 * keeps per provider, method and outcome (an increment, or a duration appended to a buffer)
 * and hands them to prom-client in one go when the metric is read (its `collect` hook, run by
 * every scrape and `get()`) or when a buffer fills. The numbers exposed are the same.
 */
const BUFFER_SIZE = 1024;

const counterSeries: CounterSeries[] = [];
const histogramSeries: HistogramSeries[] = [];

/** Counts of one label set of a counter, added to it when it is read. */
export class CounterSeries {
  #pending = 0;

  constructor(
    readonly counter: Counter<string>,
    readonly labels: Labels,
    private readonly buffered: boolean,
  ) {}

  inc(): void {
    if (this.buffered) this.#pending += 1;
    else this.counter.inc(this.labels);
  }

  flush(): void {
    if (this.#pending === 0) return;
    const pending = this.#pending;
    this.#pending = 0;
    this.counter.inc(this.labels, pending);
  }

  drop(): void {
    this.#pending = 0;
  }
}

/** Observations of one label set of a histogram, handed to it when it is read or the buffer is full. */
export class HistogramSeries {
  readonly #values = new Float64Array(BUFFER_SIZE);
  #length = 0;

  constructor(
    readonly histogram: Histogram<string>,
    readonly labels: Labels,
    private readonly buffered: boolean,
  ) {}

  observe(value: number): void {
    if (!this.buffered) {
      this.histogram.observe(this.labels, value);
      return;
    }
    this.#values[this.#length] = value;
    this.#length += 1;
    if (this.#length === BUFFER_SIZE) this.flush();
  }

  flush(): void {
    const length = this.#length;
    this.#length = 0;
    for (let index = 0; index < length; index += 1) this.histogram.observe(this.labels, this.#values[index]!);
  }

  drop(): void {
    this.#length = 0;
  }
}

/** Made by this module (its reads flush the series) rather than found registered by another evaluation of it. */
const ownMetrics = new WeakSet<object>();

function own<T extends Counter<string> | Histogram<string>>(metric: T, series: readonly { drop(): void }[]): T {
  ownMetrics.add(metric);
  // `register.resetMetrics()` (tests) also forgets what was not handed over yet.
  const reset = metric.reset.bind(metric);
  metric.reset = () => {
    for (const entry of series) entry.drop();
    reset();
  };
  return metric;
}

function bufferedCounter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const found = existing<Counter<L>>(name);
  if (found) return found;
  const counter = new Counter<L>({
    name,
    help,
    labelNames,
    collect() {
      for (const series of counterSeries) series.flush();
    },
  });
  return own(counter as unknown as Counter<string>, counterSeries) as unknown as Counter<L>;
}

/**
 * Calls per provider, method and outcome: one per attempt sent (`2xx`…`5xx`, `network_error`,
 * `timeout`, `aborted`), plus `circuit_open` for calls refused by an open breaker (no request sent).
 */
export const providerRequests = bufferedCounter(
  'integrations_provider_requests_total',
  'Requests to providers by outcome (one per attempt; circuit_open = refused without a request)',
  ['provider', 'method', 'status_class'] as const,
);

export const providerRequestDuration: Histogram<'provider' | 'method'> =
  existing<Histogram<'provider' | 'method'>>('integrations_provider_request_duration_seconds') ??
  (own(
    new Histogram({
      name: 'integrations_provider_request_duration_seconds',
      help: 'Duration of one attempt of a provider request, response body included',
      labelNames: ['provider', 'method'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      collect() {
        for (const series of histogramSeries) series.flush();
      },
    }) as unknown as Histogram<string>,
    histogramSeries,
  ) as unknown as Histogram<'provider' | 'method'>);

/** Retries scheduled, by what caused them (`503`, `429`, `network`, `timeout`…). */
export const providerRetries =
  existing<Counter<'provider' | 'reason'>>('integrations_provider_retries_total') ??
  new Counter({
    name: 'integrations_provider_retries_total',
    help: 'Retries of provider requests by cause',
    labelNames: ['provider', 'reason'] as const,
  });

/** 0 closed, 1 open, 2 half-open. */
export const providerCircuitState =
  existing<Gauge<'provider'>>('integrations_provider_circuit_state') ??
  new Gauge({
    name: 'integrations_provider_circuit_state',
    help: 'Circuit breaker state per provider: 0 closed, 1 open, 2 half-open',
    labelNames: ['provider'] as const,
  });

export const providerCircuitTransitions =
  existing<Counter<'provider' | 'to'>>('integrations_provider_circuit_transitions_total') ??
  new Counter({
    name: 'integrations_provider_circuit_transitions_total',
    help: 'Circuit breaker transitions per provider, by the state entered',
    labelNames: ['provider', 'to'] as const,
  });

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx', '6xx', '7xx', '8xx', '9xx'];

/** The class label of an HTTP status (`2xx`…), without building a string per call. */
export const statusClass = (status: number): string => STATUS_CLASSES[Math.floor(status / 100)] ?? `${Math.floor(status / 100)}xx`;

/** The request metrics of one provider and method: one per process, see {@link requestMetrics}. */
export class RequestMetrics {
  readonly duration: HistogramSeries;
  readonly #outcomes = new Map<string, CounterSeries>();

  constructor(
    readonly provider: string,
    readonly method: string,
  ) {
    const labels = { provider, method };
    this.duration = new HistogramSeries(providerRequestDuration as unknown as Histogram<string>, labels, ownMetrics.has(providerRequestDuration));
    if (ownMetrics.has(providerRequestDuration)) histogramSeries.push(this.duration);
  }

  /** Counts one attempt (or refused call) with this outcome (`2xx`, `timeout`, `circuit_open`…). */
  count(outcome: string): void {
    let series = this.#outcomes.get(outcome);
    if (!series) {
      const buffered = ownMetrics.has(providerRequests);
      series = new CounterSeries(providerRequests as unknown as Counter<string>, { provider: this.provider, method: this.method, status_class: outcome }, buffered);
      if (buffered) counterSeries.push(series);
      this.#outcomes.set(outcome, series);
    }
    series.inc();
  }
}

const requestMetricsByKey = new Map<string, RequestMetrics>();

/** The request metrics of a provider and method, shared by all its clients (a client per call adds no series). */
export function requestMetrics(provider: string, method: string): RequestMetrics {
  const key = `${provider} ${method}`;
  let metrics = requestMetricsByKey.get(key);
  if (!metrics) {
    metrics = new RequestMetrics(provider, method);
    requestMetricsByKey.set(key, metrics);
  }
  return metrics;
}
