import { useId } from 'react';
import { useSubscription } from 'urql';
import type { ProviderSubscriptionFieldsFragment } from '../../gql/graphql';
import { ProviderSubscriptionChangedSubscription } from '../../graphql/documents';
import { recordLiveItem, useLiveList, type LiveLog } from '../../lib/liveCollection';
import { RelativeTime } from '../ui/RelativeTime';
import { ProviderSubscriptionStatusBadge } from './StatusBadge';

/** One webhook registration the service keeps at the provider for this integration. */
export type ProviderSubscription = ProviderSubscriptionFieldsFragment;

export interface ProviderSubscriptionsProps {
  /** Required. The integration whose subscriptions these are; only its changes are received. */
  integrationId: string;
  /** Required. The subscriptions as last queried. */
  subscriptions: readonly ProviderSubscription[];
  /** Re-runs the query behind `subscriptions`, once, shortly after live changes arrived. */
  onRefetch: () => void;
}

/**
 * The integration's provider subscriptions (the webhooks the provider sends because the service
 * asked it to): resource, status, when it expires, when the last notification came, and why it
 * fails. Kept live through `providerSubscriptionChanged`; stopped ones are not shown.
 */
export function ProviderSubscriptions({ integrationId, subscriptions, onRefetch }: ProviderSubscriptionsProps) {
  const headingId = useId();
  const [live] = useSubscription(
    { query: ProviderSubscriptionChangedSubscription, variables: { integrationId } },
    (prev: LiveLog<ProviderSubscription> | undefined, event) => recordLiveItem(prev, event.providerSubscriptionChanged),
  );
  const merged = useLiveList(subscriptions, live.data, onRefetch) ?? [];
  const shown = merged.filter((subscription) => subscription.status !== 'STOPPED');
  if (shown.length === 0) return null;

  return (
    <section className="subscriptions" aria-labelledby={headingId}>
      <h4 id={headingId} className="subscriptions__title">
        Webhook subscriptions
      </h4>
      <ul className="subscriptions__list">
        {shown.map((subscription) => (
          <li key={subscription.id} className="subscriptions__item" aria-label={subscription.resource}>
            <div className="subscriptions__head">
              <code className="subscriptions__resource">{subscription.resource}</code>
              <ProviderSubscriptionStatusBadge status={subscription.status} />
            </div>
            <dl className="subscriptions__facts">
              <div>
                <dt>Expires</dt>
                <dd>
                  <RelativeTime iso={subscription.expiresAt} fallback={subscription.status === 'ACTIVE' ? 'Does not expire' : '—'} />
                </dd>
              </div>
              <div>
                <dt>Last notification</dt>
                <dd>
                  <RelativeTime iso={subscription.lastNotificationAt} fallback="None yet" />
                </dd>
              </div>
              {subscription.missedNotifications > 0 ? (
                <div>
                  <dt>Missed</dt>
                  <dd>
                    {subscription.missedNotifications} {subscription.missedNotifications === 1 ? 'time' : 'times'} (the provider said so)
                  </dd>
                </div>
              ) : null}
            </dl>
            {subscription.lastError && subscription.status !== 'ACTIVE' ? (
              <p className={`alert ${subscription.status === 'FAILED' ? 'alert--error' : 'alert--warning'} alert--inline`}>
                {subscription.lastError}
                {subscription.renewAt ? (
                  <>
                    {' '}
                    Next attempt <RelativeTime iso={subscription.renewAt} />.
                  </>
                ) : null}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
