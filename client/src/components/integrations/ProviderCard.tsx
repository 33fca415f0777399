import { useId } from 'react';
import type { ProviderFieldsFragment } from '../../gql/graphql';
import { ConnectIntegrationDialog } from './ConnectIntegrationDialog';
import { ProviderIcon } from './ProviderIcon';
import { IntegrationStatusBadge } from './StatusBadge';

/** A provider this organization has never connected. */
export function ProviderCard({ provider, onConnect }: { provider: ProviderFieldsFragment; onConnect: () => void }) {
  const headingId = useId();
  return (
    <article className="card card--not-connected" aria-labelledby={headingId}>
      <header className="card__header">
        <ProviderIcon providerId={provider.id} name={provider.name} />
        <h3 id={headingId} className="card__title">
          {provider.name}
        </h3>
        <IntegrationStatusBadge status="NOT_CONNECTED" />
      </header>
      <p className="card__summary muted">
        {provider.configured
          ? `${provider.scopes.length} permission${provider.scopes.length === 1 ? '' : 's'} available.`
          : 'Not configured on this deployment: an administrator must add its client credentials.'}
      </p>
      <footer className="card__actions">
        <ConnectIntegrationDialog
          providerId={provider.id}
          providerName={provider.name}
          onConnect={onConnect}
          disabled={!provider.configured}
        />
      </footer>
    </article>
  );
}
