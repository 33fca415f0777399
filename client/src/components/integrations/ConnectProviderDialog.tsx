import { useId, useState } from 'react';
import type { ProviderFieldsFragment } from '../../gql/graphql';
import { Dialog } from '../ui/Dialog';
import { ConnectForm } from './ConnectIntegrationDialog';
import { ProviderIcon } from './ProviderIcon';

/** With more providers than this, the picker offers a search box. */
export const SEARCH_THRESHOLD = 8;

export interface ConnectProviderDialogProps {
  /** Every provider of the deployment, configured or not. */
  providers: readonly ProviderFieldsFragment[];
  /** Called just before the browser leaves for the chosen provider. */
  onConnect: () => void;
  /** Where the OAuth callback lands. @default `${origin}/oauth/callback` */
  redirectUri?: string;
  /** Sends the browser to the provider. @default window.location.assign */
  navigate?: (url: string) => void;
}

const matches = (provider: ProviderFieldsFragment, query: string): boolean => {
  const needle = query.trim().toLowerCase();
  return needle === '' || provider.name.toLowerCase().includes(needle) || provider.id.includes(needle);
};

/**
 * "Connect a provider": a picker of the providers this deployment can connect (configured ones;
 * the others on request, marked and not selectable), with a search box when there are many, then
 * the connect form of the one chosen (scopes and connection params).
 */
export function ConnectProviderDialog({ providers, onConnect, redirectUri, navigate = (url) => window.location.assign(url) }: ConnectProviderDialogProps) {
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<ProviderFieldsFragment | null>(null);
  const [query, setQuery] = useState('');
  const [showUnconfigured, setShowUnconfigured] = useState(false);
  const searchId = useId();
  const listId = useId();

  const unconfigured = providers.filter((provider) => !provider.configured).length;
  const offered = providers.filter((provider) => provider.configured || showUnconfigured);
  const visible = offered.filter((provider) => matches(provider, query));
  const close = () => {
    setOpen(false);
    setQuery('');
  };

  return (
    <>
      <button type="button" className="button button--primary" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        Connect a provider
      </button>
      {open ? (
        <Dialog open title="Connect a provider" description={<p>Choose the service to connect to this workspace.</p>} onClose={close}>
          <div className="stack">
            {offered.length > SEARCH_THRESHOLD ? (
              <div className="field">
                <label htmlFor={searchId}>Search providers</label>
                <input id={searchId} type="search" value={query} onChange={(event) => setQuery(event.target.value)} aria-controls={listId} />
              </div>
            ) : null}
            {unconfigured > 0 ? (
              <label className="checkbox">
                <input type="checkbox" checked={showUnconfigured} onChange={(event) => setShowUnconfigured(event.target.checked)} />
                Show providers not configured on this deployment ({unconfigured})
              </label>
            ) : null}
            <ul className="provider-picker" id={listId} aria-label="Providers">
              {visible.map((provider) => (
                <li key={provider.id}>
                  <button
                    type="button"
                    className="provider-picker__item"
                    disabled={!provider.configured}
                    aria-describedby={provider.configured ? undefined : `${listId}-${provider.id}-note`}
                    onClick={() => {
                      setChosen(provider);
                      close();
                    }}
                  >
                    <ProviderIcon providerId={provider.id} name={provider.name} />
                    <span>{provider.name}</span>
                    {provider.configured ? null : (
                      <span className="badge badge--neutral" id={`${listId}-${provider.id}-note`}>
                        Not configured
                      </span>
                    )}
                  </button>
                </li>
              ))}
            </ul>
            {visible.length === 0 ? (
              <p className="muted" role="status">
                {offered.length === 0 ? 'No provider is configured on this deployment yet: an administrator must add client credentials.' : `No provider matches “${query.trim()}”.`}
              </p>
            ) : null}
            <div className="dialog__actions">
              <button type="button" className="button" onClick={close}>
                Cancel
              </button>
            </div>
          </div>
        </Dialog>
      ) : null}
      {chosen ? (
        <ConnectForm
          providerId={chosen.id}
          providerName={chosen.name}
          onConnect={onConnect}
          redirectUri={redirectUri ?? `${window.location.origin}/oauth/callback`}
          navigate={navigate}
          onClose={() => setChosen(null)}
        />
      ) : null}
    </>
  );
}
