import { useId, useState } from 'react';
import type { IntegrationFieldsFragment } from '../../gql/graphql';
import { hrefFor } from '../../lib/router';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { RelativeTime } from '../ui/RelativeTime';
import { Skeleton } from '../ui/Skeleton';
import { Spinner } from '../ui/Spinner';
import { ConnectIntegrationDialog } from './ConnectIntegrationDialog';
import { ProviderIcon } from './ProviderIcon';
import { ProviderSubscriptions, type ProviderSubscription } from './ProviderSubscriptions';
import { IntegrationStatusBadge } from './StatusBadge';

/** An organization's connection to one provider, as the subgraph returns it. */
export type Integration = IntegrationFieldsFragment;

export interface TestOutcome {
  healthy: boolean;
  latencyMs?: number | null;
  error?: string | null;
}

export interface IntegrationCardProps {
  /** Required. Integration data. */
  integration: Integration;
  /** Required. Disconnect callback, run after the user confirms. Return a promise to show progress and errors. */
  onDisconnect: () => void | Promise<unknown>;
  /** Checks the stored credentials against the provider; the card shows the outcome. */
  onTest?: () => Promise<TestOutcome>;
  /** Called when a reconnect flow has started (the browser is about to leave). */
  onConnect?: () => void;
  /** Provider display name override (the integration carries one already). */
  providerName?: string;
  /** The integration's provider subscriptions (webhook registrations), shown live under its facts. */
  subscriptions?: readonly ProviderSubscription[];
  /** Re-runs the query the subscriptions came from (after live changes). */
  onRefetchSubscriptions?: () => void;
}

/** One connected (or once-connected) provider: status, dates, and the actions that apply. */
export function IntegrationCard({ integration, onDisconnect, onTest, onConnect, providerName, subscriptions, onRefetchSubscriptions }: IntegrationCardProps) {
  const headingId = useId();
  const name = providerName ?? integration.providerName;
  const [confirming, setConfirming] = useState(false);
  const [disconnecting, setDisconnecting] = useState(false);
  const [disconnectError, setDisconnectError] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const [testOutcome, setTestOutcome] = useState<TestOutcome | null>(null);

  const isActive = integration.status === 'CONNECTED' || integration.status === 'ERROR';
  const needsReauth = integration.needsReauthorization;

  async function confirmDisconnect() {
    setDisconnectError(null);
    const pending = onDisconnect();
    if (!pending || typeof (pending as Promise<unknown>).then !== 'function') {
      setConfirming(false);
      return;
    }
    setDisconnecting(true);
    try {
      await pending;
      setConfirming(false);
    } catch (error) {
      setDisconnectError(error instanceof Error ? error.message : 'The integration could not be disconnected.');
    } finally {
      setDisconnecting(false);
    }
  }

  async function runTest() {
    if (!onTest) return;
    setTesting(true);
    setTestOutcome(null);
    try {
      setTestOutcome(await onTest());
    } catch (error) {
      setTestOutcome({ healthy: false, error: error instanceof Error ? error.message : 'The test could not run.' });
    } finally {
      setTesting(false);
    }
  }

  return (
    <article
      className={`card card--${needsReauth ? 'warning' : integration.status.toLowerCase()}`}
      aria-labelledby={headingId}
      aria-busy={disconnecting || testing || undefined}
    >
      <header className="card__header">
        <ProviderIcon providerId={integration.providerId} name={name} />
        <h3 id={headingId} className="card__title">
          {name}
        </h3>
        <IntegrationStatusBadge status={integration.status} needsReauthorization={needsReauth} />
      </header>

      <dl className="card__facts">
        <div>
          <dt>{integration.status === 'DISCONNECTED' ? 'Last connected' : 'Connected'}</dt>
          <dd>
            <RelativeTime iso={integration.connectedAt} fallback="Not yet" />
          </dd>
        </div>
        <div>
          <dt>Last sync</dt>
          <dd>
            <RelativeTime iso={integration.lastSyncAt} />
          </dd>
        </div>
        {integration.scopes.length > 0 ? (
          <div>
            <dt>Permissions</dt>
            <dd title={integration.scopes.join('\n')}>
              {integration.scopes.length} {integration.scopes.length === 1 ? 'scope' : 'scopes'}
            </dd>
          </div>
        ) : null}
      </dl>

      {integration.status === 'ERROR' || needsReauth ? (
        <div className={`alert ${needsReauth ? 'alert--warning' : 'alert--error'}`}>
          <p>
            <strong>{needsReauth ? `${name} needs to be connected again.` : 'This integration has a problem.'}</strong>{' '}
            {integration.errorMessage ??
              (needsReauth ? `${name} no longer accepts our access. Reconnect to restore it.` : '')}
          </p>
          {needsReauth ? (
            <ConnectIntegrationDialog
              providerId={integration.providerId}
              providerName={name}
              onConnect={onConnect ?? (() => undefined)}
              triggerLabel="Reconnect"
            />
          ) : null}
        </div>
      ) : null}

      {isActive && subscriptions ? (
        <ProviderSubscriptions integrationId={integration.id} subscriptions={subscriptions} onRefetch={onRefetchSubscriptions ?? (() => undefined)} />
      ) : null}

      {testOutcome ? (
        <p className={`alert ${testOutcome.healthy ? 'alert--success' : 'alert--error'}`} role="status">
          {testOutcome.healthy
            ? `Connection works${testOutcome.latencyMs != null ? ` (${testOutcome.latencyMs} ms)` : ''}.`
            : `Connection test failed: ${testOutcome.error ?? 'unknown error'}.`}
        </p>
      ) : null}

      <footer className="card__actions">
        {isActive ? (
          <>
            {onTest ? (
              <button
                type="button"
                className="button"
                onClick={runTest}
                disabled={testing}
                aria-busy={testing || undefined}
                aria-label={`${testing ? 'Testing' : 'Test'} ${name} connection`}
              >
                {testing ? (
                  <>
                    <Spinner /> Testing…
                  </>
                ) : (
                  'Test'
                )}
              </button>
            ) : null}
            <a
              className="button button--link"
              href={hrefFor({ name: 'activity', integrationId: integration.id })}
              aria-label={`Webhook activity for ${name}`}
            >
              Activity
            </a>
            <button
              type="button"
              className="button button--danger-outline card__action-end"
              aria-haspopup="dialog"
              onClick={() => {
                setDisconnectError(null);
                setConfirming(true);
              }}
              disabled={disconnecting}
              aria-label={`${disconnecting ? 'Disconnecting' : 'Disconnect'} ${name}`}
            >
              {disconnecting ? 'Disconnecting…' : 'Disconnect'}
            </button>
          </>
        ) : (
          <ConnectIntegrationDialog
            providerId={integration.providerId}
            providerName={name}
            onConnect={onConnect ?? (() => undefined)}
          />
        )}
      </footer>

      <ConfirmDialog
        open={confirming}
        title={`Disconnect ${name}?`}
        description={
          <p>
            The access {name} granted will be revoked and its stored tokens deleted. Webhooks from {name} will stop being
            processed. You can connect it again later.
          </p>
        }
        confirmLabel="Disconnect"
        busyLabel="Disconnecting…"
        busy={disconnecting}
        error={disconnectError}
        onConfirm={confirmDisconnect}
        onCancel={() => setConfirming(false)}
      />
    </article>
  );
}

/** Placeholder with the card's shape while integrations load. */
export function IntegrationCardSkeleton() {
  return (
    <div className="card card--skeleton" aria-hidden="true">
      <div className="card__header">
        <Skeleton width="32px" height="32px" />
        <Skeleton width="50%" height="1.25em" />
      </div>
      <Skeleton width="70%" />
      <Skeleton width="55%" />
      <div className="card__actions">
        <Skeleton width="96px" height="2.25em" />
      </div>
    </div>
  );
}
