import { useCallback } from 'react';
import { useQuery, useSubscription } from 'urql';
import { HealthQuery, WebhookEventUpdatedSubscription } from '../../graphql/documents';
import { useRefetchOnReconnect } from '../../graphql/liveConnection';
import { describeError } from '../../lib/errors';
import { countEvents, useRefetchAfterEvents } from '../../lib/liveCollection';
import { formatDuration } from '../../lib/time';
import { CircuitStateBadge } from '../integrations/StatusBadge';
import { RelativeTime } from '../ui/RelativeTime';
import { Skeleton } from '../ui/Skeleton';

/** For operators: each provider's circuit breaker and the webhook queue, as this instance sees them. */
export function HealthView() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: HealthQuery });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  // Webhook progress changes the queue counts: refetch after it (throttled) instead of polling.
  const [events] = useSubscription({ query: WebhookEventUpdatedSubscription, variables: {} }, countEvents);
  useRefetchAfterEvents(events.data ?? 0, refetch);
  useRefetchOnReconnect(refetch);

  return (
    <section aria-labelledby="health-title" className="stack">
      <header className="page-header">
        <h2 id="health-title">Service health</h2>
        <button
          type="button"
          className="button button--small"
          onClick={refetch}
          disabled={fetching}
        >
          {fetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </header>

      {fetching && !data ? (
        <div aria-busy="true" className="stack">
          <p className="visually-hidden" role="status">
            Loading health…
          </p>
          <Skeleton height="6em" />
          <Skeleton height="4em" />
        </div>
      ) : null}

      {error ? (
        <p className="alert alert--error" role="alert">
          Health could not be loaded. {describeError(error)}
        </p>
      ) : null}

      {data ? (
        <>
          <h3>Webhook queue</h3>
          <dl className="stats" aria-label="Webhook queue">
            <div className="stat">
              <dt>Pending</dt>
              <dd>{data.webhookQueueStats.pending}</dd>
            </div>
            <div className="stat">
              <dt>Processing</dt>
              <dd>{data.webhookQueueStats.processing}</dd>
            </div>
            <div className="stat">
              <dt>Completed</dt>
              <dd>{data.webhookQueueStats.completed}</dd>
            </div>
            <div className={`stat${data.webhookQueueStats.failed > 0 ? ' stat--danger' : ''}`}>
              <dt>Failed</dt>
              <dd>{data.webhookQueueStats.failed}</dd>
            </div>
            <div className="stat">
              <dt>Oldest pending</dt>
              <dd>
                {data.webhookQueueStats.oldestPendingAgeSeconds > 0
                  ? formatDuration(data.webhookQueueStats.oldestPendingAgeSeconds)
                  : 'None waiting'}
              </dd>
            </div>
          </dl>

          <h3>Providers</h3>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Circuit breaker state per provider</caption>
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Configured</th>
                  <th scope="col">Circuit breaker</th>
                  <th scope="col">Consecutive failures</th>
                  <th scope="col">Last failure</th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {data.providers.map((provider) => (
                  <tr key={provider.id}>
                    <th scope="row">{provider.name}</th>
                    <td>{provider.configured ? 'Yes' : 'No'}</td>
                    <td>
                      <CircuitStateBadge state={provider.health.circuitState} />
                    </td>
                    <td>{provider.health.consecutiveFailures}</td>
                    <td>
                      <RelativeTime iso={provider.health.lastFailureAt} fallback="—" />
                    </td>
                    <td className="table__error">{provider.health.lastError ?? <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}
