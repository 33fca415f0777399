import { useCallback, useMemo, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import type { WebhookEventFieldsFragment } from '../../gql/graphql';
import {
  RetryWebhookEventMutation,
  WebhookActivityQuery,
  WebhookEventUpdatedSubscription,
} from '../../graphql/documents';
import { useRefetchOnReconnect } from '../../graphql/liveConnection';
import { describeError } from '../../lib/errors';
import { recordLiveItem, useLiveList, type LiveLog } from '../../lib/liveCollection';
import { hrefFor } from '../../lib/router';
import { RelativeTime } from '../ui/RelativeTime';
import { Skeleton } from '../ui/Skeleton';
import { Spinner } from '../ui/Spinner';
import { ProviderIcon } from './ProviderIcon';
import { SANDBOX_PROVIDER_ID, SandboxChange } from './SandboxChange';
import { IntegrationStatusBadge, WebhookEventStatusBadge } from './StatusBadge';

const PAGE_SIZE = 20;

/** Recent webhook events of one integration, with their processing progress live. */
export function WebhookActivity({ integrationId }: { integrationId: string }) {
  const [first, setFirst] = useState(PAGE_SIZE);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: WebhookActivityQuery,
    variables: { integrationId, first },
  });
  const [live] = useSubscription(
    { query: WebhookEventUpdatedSubscription, variables: { integrationId } },
    (prev: LiveLog<WebhookEventFieldsFragment> | undefined, event) => recordLiveItem(prev, event.webhookEventUpdated),
  );
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnReconnect(refetch);
  // Memoized: the live overlay resets whenever this list's identity changes.
  const baseEvents = useMemo(() => data?.webhookEvents.edges.map((edge) => edge.node), [data]);
  const events = useLiveList(baseEvents, live.data, refetch, 'prepend');
  const latest = live.data ? [...live.data.latest.values()].sort((a, b) => b.seq - a.seq)[0]?.item : undefined;

  const integration = data?.integration;
  const title = integration ? `${integration.providerName} webhook activity` : 'Webhook activity';

  return (
    <section aria-labelledby="activity-title" className="stack">
      <p>
        <a href={hrefFor({ name: 'integrations' })}>← All integrations</a>
      </p>
      <header className="page-header">
        {integration ? <ProviderIcon providerId={integration.providerId} name={integration.providerName} /> : null}
        <h2 id="activity-title">{title}</h2>
        {integration ? (
          <IntegrationStatusBadge status={integration.status} needsReauthorization={integration.needsReauthorization} />
        ) : null}
      </header>

      {integration?.providerId === SANDBOX_PROVIDER_ID && integration.status === 'CONNECTED' ? <SandboxChange integrationId={integration.id} /> : null}

      {/* Announces progress to screen readers as it arrives. */}
      <p className="visually-hidden" aria-live="polite">
        {latest ? `${latest.eventType} is now ${latest.status.toLowerCase()}` : ''}
      </p>

      {live.error ? (
        <p className="alert alert--warning">Live updates are paused: {describeError(live.error)}</p>
      ) : null}

      {fetching && !data ? (
        <div aria-busy="true" className="stack">
          <p className="visually-hidden" role="status">
            Loading webhook events…
          </p>
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} height="2.5em" />
          ))}
        </div>
      ) : null}

      {error && !data ? (
        <div className="alert alert--error" role="alert">
          <p>
            <strong>Webhook events could not be loaded.</strong> {describeError(error)}
          </p>
          <button type="button" className="button" onClick={refetch}>
            Try again
          </button>
        </div>
      ) : null}

      {data && !integration ? (
        <p className="alert alert--error" role="alert">
          This integration does not exist or belongs to another organization.
        </p>
      ) : null}

      {data && events && events.length === 0 ? (
        <div className="empty-state">
          <h3>No webhook events yet</h3>
          <p>Events appear here, live, as soon as the provider sends them.</p>
        </div>
      ) : null}

      {events && events.length > 0 ? (
        <>
          <p className="muted">
            Showing {events.length} of {Math.max(data?.webhookEvents.totalCount ?? 0, events.length)} events
          </p>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">{title}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Received</th>
                  <th scope="col">Processed</th>
                  <th scope="col">Error</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {events.map((event) => (
                  <WebhookEventRow key={event.id} event={event} />
                ))}
              </tbody>
            </table>
          </div>
          {data?.webhookEvents.pageInfo.hasNextPage ? (
            <button type="button" className="button" onClick={() => setFirst((n) => n + PAGE_SIZE)} disabled={fetching}>
              {fetching ? 'Loading…' : 'Show older events'}
            </button>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function WebhookEventRow({ event }: { event: WebhookEventFieldsFragment }) {
  const [{ fetching, error }, retry] = useMutation(RetryWebhookEventMutation);
  return (
    <tr>
      <th scope="row">
        <code>{event.eventType}</code>
      </th>
      <td>
        <WebhookEventStatusBadge status={event.status} />
      </td>
      <td>{event.attempts}</td>
      <td>
        <RelativeTime iso={event.createdAt} />
      </td>
      <td>
        <RelativeTime iso={event.processedAt} fallback="—" />
      </td>
      <td className="table__error">
        {event.errorMessage ?? <span className="muted">—</span>}
        {error ? (
          <p className="alert alert--error alert--inline" role="alert">
            Retry failed: {describeError(error)}
          </p>
        ) : null}
      </td>
      <td>
        {event.status === 'FAILED' ? (
          <button
            type="button"
            className="button button--small"
            onClick={() => void retry({ id: event.id })}
            disabled={fetching}
            aria-busy={fetching || undefined}
            aria-label={`${fetching ? 'Retrying' : 'Retry'} ${event.eventType}`}
          >
            {fetching ? (
              <>
                <Spinner /> Retrying…
              </>
            ) : (
              'Retry'
            )}
          </button>
        ) : null}
      </td>
    </tr>
  );
}
