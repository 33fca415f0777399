import { Counter, Gauge, register, type Metric, type MetricType, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';

// Created once per process on the default registry (GET /metrics serves it). Several clients
// and server instances share them; `getSingleMetric` keeps a second evaluation of this module
// (another loader, a test runner) from registering the same name twice.
const existing = <T>(name: string): T | undefined => register.getSingleMetric(name) as T | undefined;

type Labels = Record<string, string>;

/**
 * The per-request metrics sit on the path of every provider call, and prom-client's
 * `inc`/`observe` (label validation, a label hash built and looked up per call) cost about
 * 4 µs per request there, 3 % of a local round trip. So the client records into series it
 * keeps per provider, method and outcome: a counter's increments are handed to prom-client in
 * one go when the metric is read (its `collect` hook, run by every scrape and `get()`); the
 * duration histogram is kept by the series themselves (bucket counts, sum and count) and read
 * from them ({@link SeriesHistogram}). The numbers exposed are the same.
 */
const counterSeries: CounterSeries[] = [];

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

/** prom-client's types declare its metric types as an enum that does not exist at run time: its value. */
const HISTOGRAM = 'histogram' as unknown as MetricType;

/** The observations of one label set of a {@link SeriesHistogram}: a count per bucket, their sum and count. */
export class HistogramSeries {
  /** Per bucket, not cumulative; the last one is `+Inf`. */
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
  ) {
    this.#counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket += 1;
    this.#counts[bucket]! += 1;
    this.#sum += value;
    this.#count += 1;
  }

  /** prom-client's values of a histogram for this label set: cumulative `_bucket` lines, `_sum` and `_count`. */
  values(name: string): MetricValueWithName<string>[] {
    const values: MetricValueWithName<string>[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, bucket) => {
      cumulative += this.#counts[bucket]!;
      values.push({ metricName: `${name}_bucket`, labels: { le: bound, ...this.labels }, value: cumulative });
    });
    values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf', ...this.labels }, value: this.#count });
    values.push({ metricName: `${name}_sum`, labels: this.labels, value: this.#sum });
    values.push({ metricName: `${name}_count`, labels: this.labels, value: this.#count });
    return values;
  }

  get empty(): boolean {
    return this.#count === 0;
  }

  drop(): void {
    this.#counts.fill(0);
    this.#sum = 0;
    this.#count = 0;
  }
}

/**
 * A histogram whose label sets are {@link HistogramSeries} the client records into directly,
 * served by prom-client's registry as its own histograms are (a metric is what has `name`,
 * `help`, `type`, `get()` and `reset()` there). prom-client's `Histogram` would take the same
 * numbers only one `observe` at a time, a quarter of the layer's own CPU per call.
 */
export class SeriesHistogram {
  readonly type = HISTOGRAM;
  readonly aggregator = 'sum';
  readonly #series: HistogramSeries[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  series(labels: Labels): HistogramSeries {
    const series = new HistogramSeries(labels, this.buckets);
    this.#series.push(series);
    return series;
  }

  get(): Promise<Omit<MetricObjectWithValues<MetricValueWithName<string>>, 'collect'>> {
    const values = this.#series.flatMap((series) => (series.empty ? [] : series.values(this.name)));
    return Promise.resolve({ name: this.name, help: this.help, type: HISTOGRAM, values, aggregator: this.aggregator });
  }

  /** `register.resetMetrics()` (tests). */
  reset(): void {
    for (const series of this.#series) series.drop();
  }
}

/** Made by this module (its reads flush the series) rather than found registered by another evaluation of it. */
const ownMetrics = new WeakSet<object>();

function own(counter: Counter<string>): Counter<string> {
  ownMetrics.add(counter);
  // `register.resetMetrics()` (tests) also forgets what was not handed over yet.
  const reset = counter.reset.bind(counter);
  counter.reset = () => {
    for (const series of counterSeries) series.drop();
    reset();
  };
  return counter;
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
  return own(counter as unknown as Counter<string>) as unknown as Counter<L>;
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

function registered(histogram: SeriesHistogram): SeriesHistogram {
  register.registerMetric(histogram as unknown as Metric);
  return histogram;
}

/** Duration of each attempt by provider and method (`requestMetrics` makes the series). */
export const providerRequestDuration: SeriesHistogram =
  existing<SeriesHistogram>('integrations_provider_request_duration_seconds') ??
  registered(
    new SeriesHistogram(
      'integrations_provider_request_duration_seconds',
      'Duration of one attempt of a provider request, response body included',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ),
  );

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
const statusClass = (status: number): string => STATUS_CLASSES[Math.floor(status / 100)] ?? `${Math.floor(status / 100)}xx`;

/** The request metrics of one provider and method: one per process, see {@link requestMetrics}. */
export class RequestMetrics {
  readonly duration: HistogramSeries;
  readonly #outcomes = new Map<string, CounterSeries>();
  /** The `2xx` series, which nearly every attempt counts in: kept at hand. */
  readonly #succeeded: CounterSeries;

  constructor(
    readonly provider: string,
    readonly method: string,
  ) {
    const labels = { provider, method };
    this.duration = providerRequestDuration.series(labels);
    this.#succeeded = this.#series('2xx');
  }

  /** Counts one attempt (or refused call) with this outcome (`2xx`, `timeout`, `circuit_open`…). */
  count(outcome: string): void {
    this.#series(outcome).inc();
  }

  /** Records an attempt that got an answer: its status class and its duration. */
  answered(status: number, seconds: number): void {
    (status >= 200 && status < 300 ? this.#succeeded : this.#series(statusClass(status))).inc();
    this.duration.observe(seconds);
  }

  #series(outcome: string): CounterSeries {
    let series = this.#outcomes.get(outcome);
    if (!series) {
      const buffered = ownMetrics.has(providerRequests);
      series = new CounterSeries(providerRequests as unknown as Counter<string>, { provider: this.provider, method: this.method, status_class: outcome }, buffered);
      if (buffered) counterSeries.push(series);
      this.#outcomes.set(outcome, series);
    }
    return series;
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
