import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, register as defaultRegistry } from 'prom-client';

/** Latency buckets in seconds: sub-millisecond cache hits up to slow provider round trips. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The pool numbers `pg` exposes. */
export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The service's Prometheus metrics. Each app instance has its own registry (two instances in one
 * process, as in tests, would otherwise collide); `/metrics` also serves prom-client's default
 * registry, where other modules may register process-wide metrics of their own.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly graphqlOperations: Counter<'operation_type' | 'root_field' | 'outcome'>;
  readonly graphqlOperationDuration: Histogram<'operation_type' | 'root_field' | 'outcome'>;
  readonly graphqlSubscriptionsActive: Gauge;
  /** Cacheable queries answered from the response cache (`hit`) or executed (`miss`). */
  readonly graphqlResponseCache: Counter<'result'>;
  /** Exposes the database pool's numbers, read at scrape time. */
  observePool(stats: () => PoolStats | undefined): void;
  /** The exposition text of this instance's and the default registry. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsOptions {
  /** Collect prom-client's default process metrics (CPU, memory, event loop lag). @default true */
  collectDefaults?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): ServiceMetrics {
  const registry = new Registry();
  if (options.collectDefaults ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const httpLabels = ['method', 'route', 'status'] as const;
  const graphqlLabels = ['operation_type', 'root_field', 'outcome'] as const;
  let poolStats: (() => PoolStats | undefined) | undefined;
  const poolGauge = (name: string, help: string, pick: (stats: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const stats = poolStats?.();
        if (stats) this.set(pick(stats));
      },
    });
  poolGauge('db_pool_connections_total', 'Connections open in the database pool.', (stats) => stats.totalCount);
  poolGauge('db_pool_connections_idle', 'Idle connections in the database pool.', (stats) => stats.idleCount);
  poolGauge('db_pool_clients_waiting', 'Callers waiting for a database connection.', (stats) => stats.waitingCount);

  return {
    registry,
    httpRequests: new Counter({ name: 'http_requests_total', help: 'HTTP requests by route and status.', labelNames: httpLabels, registers }),
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route and status.',
      labelNames: httpLabels,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    graphqlOperations: new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations by type, first root field and outcome.',
      labelNames: graphqlLabels,
      registers,
    }),
    graphqlOperationDuration: new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'GraphQL operation latency by type, first root field and outcome.',
      labelNames: graphqlLabels,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    graphqlSubscriptionsActive: new Gauge({ name: 'graphql_subscriptions_active', help: 'Open GraphQL subscriptions.', registers }),
    graphqlResponseCache: new Counter({
      name: 'graphql_response_cache_total',
      help: 'Cacheable GraphQL queries answered from the response cache (hit) or executed (miss).',
      labelNames: ['result'],
      registers,
    }),
    observePool(stats) {
      poolStats = stats;
    },
    async scrape() {
      let merged = registry;
      try {
        merged = Registry.merge([registry, defaultRegistry]);
      } catch {
        // A module registered a same-named metric globally; this instance's own numbers still go out.
      }
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
  };
}
