import { useCallback, useMemo } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import type { IntegrationFieldsFragment } from '../../gql/graphql';
import {
  DisconnectIntegrationMutation,
  IntegrationStatusChangedSubscription,
  IntegrationsPageQuery,
  TestIntegrationMutation,
} from '../../graphql/documents';
import { useLiveConnectionState, useRefetchOnReconnect } from '../../graphql/liveConnection';
import { describeError } from '../../lib/errors';
import { recordLiveItem, useLiveList, type LiveLog } from '../../lib/liveCollection';
import { IntegrationCard, IntegrationCardSkeleton, type TestOutcome } from './IntegrationCard';
import { ConnectProviderDialog } from './ConnectProviderDialog';
import { ProviderCard } from './ProviderCard';

/**
 * The organization's integrations and the providers it can connect, kept live. Providers this
 * deployment has no credentials for are left out of the grid (unless connected before); the
 * "Connect a provider" picker lists them on request.
 */
export function IntegrationsList() {
  const [{ data, fetching, error, stale }, reexecute] = useQuery({ query: IntegrationsPageQuery });
  const [live] = useSubscription(
    { query: IntegrationStatusChangedSubscription },
    (prev: LiveLog<IntegrationFieldsFragment> | undefined, event) => recordLiveItem(prev, event.integrationStatusChanged),
  );
  const liveState = useLiveConnectionState();
  const [, disconnect] = useMutation(DisconnectIntegrationMutation);
  const [, testIntegration] = useMutation(TestIntegrationMutation);

  const refresh = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  // Live, no polling: pushed changes show at once, then the list is refetched once to catch up.
  const integrations = useLiveList(data?.integrations, live.data, refresh);
  useRefetchOnReconnect(refresh);

  // From the query, not the live list: integration pushes do not carry subscriptions (they have their own).
  const subscriptionsOf = useMemo(() => new Map((data?.integrations ?? []).map((integration) => [integration.id, integration.providerSubscriptions])), [data]);

  const byProvider = useMemo(() => {
    const map = new Map<string, IntegrationFieldsFragment>();
    for (const integration of integrations ?? []) map.set(integration.providerId, integration);
    return map;
  }, [integrations]);

  if (fetching && !data) {
    return (
      <section aria-busy="true" aria-label="Integrations">
        <p className="visually-hidden" role="status">
          Loading integrations…
        </p>
        <div className="grid">
          {[0, 1, 2, 3].map((i) => (
            <IntegrationCardSkeleton key={i} />
          ))}
        </div>
      </section>
    );
  }

  if (error && !data) {
    return (
      <div className="alert alert--error" role="alert">
        <p>
          <strong>Integrations could not be loaded.</strong> {describeError(error)}
        </p>
        <button type="button" className="button" onClick={refresh}>
          Try again
        </button>
      </div>
    );
  }

  const providers = data?.providers ?? [];
  if (providers.length === 0) {
    return (
      <div className="empty-state">
        <h2>No integrations available</h2>
        <p>This deployment has no providers set up yet.</p>
      </div>
    );
  }

  const shown = providers.filter((p) => p.configured || byProvider.has(p.id));
  const connectedCount = shown.filter((p) => byProvider.get(p.id)?.status === 'CONNECTED').length;
  // Integrations for providers that are no longer offered still get a card, so they can be disconnected.
  const orphans = (integrations ?? []).filter((i) => !providers.some((p) => p.id === i.providerId));

  return (
    <section aria-label="Integrations" aria-busy={stale || undefined}>
      <h2 className="visually-hidden">Providers</h2>
      <div className="toolbar">
        <p className="muted" role="status">
          {connectedCount} of {shown.length} connected
        </p>
        <ConnectProviderDialog providers={providers} onConnect={() => undefined} />
        {live.error ? (
          <p className="alert alert--warning alert--inline">
            Live updates are paused: {describeError(live.error)}{' '}
            <button type="button" className="button button--small" onClick={refresh}>
              Refresh
            </button>
          </p>
        ) : (
          <p className={`live-indicator live-indicator--${liveState}`}>
            <span aria-hidden="true" className="live-indicator__dot" />
            {liveState === 'connected'
              ? 'Live'
              : liveState === 'reconnecting'
                ? 'Reconnecting live updates…'
                : 'Connecting live updates…'}
          </p>
        )}
      </div>
      {error ? (
        <p className="alert alert--warning" role="alert">
          Showing the last known state: {describeError(error)}
        </p>
      ) : null}
      {shown.length === 0 && orphans.length === 0 ? (
        <p className="muted">
          No provider is configured on this deployment yet: an administrator must add a provider's client ID and secret.
        </p>
      ) : null}
      <div className="grid">
        {shown.map((provider) => {
          const integration = byProvider.get(provider.id);
          if (!integration) return <ProviderCard key={provider.id} provider={provider} onConnect={() => undefined} />;
          return (
            <IntegrationCard
              key={provider.id}
              integration={integration}
              providerName={provider.name}
              subscriptions={subscriptionsOf.get(integration.id)}
              onRefetchSubscriptions={refresh}
              onDisconnect={async () => {
                const result = await disconnect({ id: integration.id });
                if (result.error) throw new Error(describeError(result.error));
              }}
              onTest={async (): Promise<TestOutcome> => {
                const result = await testIntegration({ id: integration.id });
                if (result.error || !result.data) throw new Error(describeError(result.error));
                return result.data.testIntegration;
              }}
            />
          );
        })}
        {orphans.map((integration) => (
          <IntegrationCard
            key={integration.id}
            integration={integration}
            onDisconnect={async () => {
              const result = await disconnect({ id: integration.id });
              if (result.error) throw new Error(describeError(result.error));
            }}
          />
        ))}
      </div>
    </section>
  );
}
