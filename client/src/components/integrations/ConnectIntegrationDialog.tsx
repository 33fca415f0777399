import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { ProvidersQuery, StartConnectionMutation } from '../../graphql/documents';
import { connectionParamErrors, describeError } from '../../lib/errors';
import { Dialog } from '../ui/Dialog';
import { Skeleton } from '../ui/Skeleton';
import { Spinner } from '../ui/Spinner';

export interface ConnectIntegrationDialogProps {
  /** Provider identifier, e.g. `google`. */
  providerId: string;
  /** Display name, e.g. `Google Workspace`. */
  providerName: string;
  /** Called once the server has prepared the authorization, just before the browser leaves for the provider. */
  onConnect: () => void;
  /** Text of the button that opens the dialog. @default "Connect" */
  triggerLabel?: string;
  /** Where the OAuth callback lands; must be on the server's allow-list. @default `${origin}/oauth/callback` */
  redirectUri?: string;
  /** Sends the browser to the provider. @default window.location.assign */
  navigate?: (url: string) => void;
  /** Disables the trigger (e.g. provider not configured). */
  disabled?: boolean;
}

function defaultNavigate(url: string) {
  window.location.assign(url);
}

/**
 * Lets the user pick scopes, asks for the provider's connection params (a Zendesk subdomain),
 * and starts the OAuth 2.0 + PKCE flow. The server makes the state and
 * the code verifier and keeps them; the browser only ever sees the authorization URL.
 */
export function ConnectIntegrationDialog({
  providerId,
  providerName,
  onConnect,
  triggerLabel = 'Connect',
  redirectUri,
  navigate = defaultNavigate,
  disabled = false,
}: ConnectIntegrationDialogProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="button button--primary"
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
        disabled={disabled}
        aria-label={triggerLabel === 'Connect' || triggerLabel === 'Reconnect' ? `${triggerLabel} ${providerName}` : undefined}
      >
        {triggerLabel}
      </button>
      {open ? (
        <ConnectForm
          providerId={providerId}
          providerName={providerName}
          onConnect={onConnect}
          redirectUri={redirectUri ?? `${window.location.origin}/oauth/callback`}
          navigate={navigate}
          onClose={() => setOpen(false)}
        />
      ) : null}
    </>
  );
}

/** The connect form in its own dialog: what `ConnectIntegrationDialog` and the provider picker open. */
export function ConnectForm({
  providerId,
  providerName,
  onConnect,
  redirectUri,
  navigate,
  onClose,
}: {
  providerId: string;
  providerName: string;
  onConnect: () => void;
  redirectUri: string;
  navigate: (url: string) => void;
  onClose: () => void;
}) {
  const [{ data, fetching, error: loadError }] = useQuery({ query: ProvidersQuery, requestPolicy: 'cache-first' });
  const [{ fetching: starting, error: startError }, startConnection] = useMutation(StartConnectionMutation);
  const [selected, setSelected] = useState<Set<string> | null>(null);
  const [params, setParams] = useState<Record<string, string>>({});
  const [redirecting, setRedirecting] = useState(false);
  const scopesLegendId = useId();
  const formId = useId();

  const provider = data?.providers.find((p) => p.id === providerId);
  const chosen = selected ?? new Set(provider?.defaultScopes ?? []);
  const busy = starting || redirecting;
  const needsScope = (provider?.scopes.length ?? 0) > 0;
  const paramsGiven = (provider?.connectionParamDetails ?? []).every((param) => (params[param.name] ?? '').trim() !== '');
  const canSubmit = !!provider && provider.configured && (!needsScope || chosen.size > 0) && paramsGiven && !busy;
  // The server's word on each param (BAD_USER_INPUT with extensions.connectionParams).
  const paramErrors = connectionParamErrors(startError);

  function toggle(scope: string) {
    const next = new Set(chosen);
    if (next.has(scope)) next.delete(scope);
    else next.add(scope);
    setSelected(next);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!canSubmit || !provider) return;
    // Keep the provider's order, so the consent screen lists scopes the way the provider documents them.
    const scopes = provider.scopes.map((s) => s.name).filter((name) => chosen.has(name));
    const connectionParams = Object.fromEntries(provider.connectionParamDetails.map((param) => [param.name, (params[param.name] ?? '').trim()]));
    const result = await startConnection({
      input: { providerId, redirectUri, scopes, ...(provider.connectionParamDetails.length > 0 ? { connectionParams } : {}) },
    });
    const url = result.data?.startConnection.authorizationUrl;
    if (result.error || !url) return;
    setRedirecting(true);
    onConnect();
    navigate(url);
  }

  return (
    <Dialog
      open
      title={`Connect ${providerName}`}
      description={
        <p>
          You will be sent to {providerName} to sign in and approve access. Choose what this workspace may do on your
          behalf.
        </p>
      }
      onClose={busy ? () => undefined : onClose}
    >
      <form onSubmit={submit} className="stack">
        {fetching && !data ? (
          <div aria-busy="true" className="stack">
            <span className="visually-hidden">Loading permissions…</span>
            <Skeleton height="1.2em" />
            <Skeleton height="1.2em" width="80%" />
            <Skeleton height="1.2em" width="60%" />
          </div>
        ) : null}

        {loadError && !data ? (
          <p className="alert alert--error" role="alert">
            Could not load {providerName}'s permissions. {describeError(loadError)}
          </p>
        ) : null}

        {data && !provider ? (
          <p className="alert alert--error" role="alert">
            {providerName} is not available on this deployment.
          </p>
        ) : null}

        {provider && !provider.configured ? (
          <p className="alert alert--warning" role="alert">
            {providerName} is not configured on this deployment: an administrator must add its client ID and secret
            first.
          </p>
        ) : null}

        {provider && provider.connectionParamDetails.length > 0 ? (
          <fieldset className="params" disabled={busy || !provider.configured}>
            <legend>Your {providerName} account</legend>
            {provider.connectionParamDetails.map((param) => {
              const inputId = `${formId}-param-${param.name}`;
              const error = paramErrors[param.name];
              return (
                <div className="field" key={param.name}>
                  <label htmlFor={inputId}>{param.description}</label>
                  <input
                    id={inputId}
                    name={param.name}
                    type="text"
                    autoComplete="off"
                    spellCheck={false}
                    required
                    placeholder={param.example ?? undefined}
                    value={params[param.name] ?? ''}
                    onChange={(event) => setParams({ ...params, [param.name]: event.target.value })}
                    aria-invalid={error ? true : undefined}
                    aria-describedby={error ? `${inputId}-error` : undefined}
                  />
                  {error ? (
                    <p className="field-error" id={`${inputId}-error`}>
                      {param.name} {error}
                    </p>
                  ) : null}
                </div>
              );
            })}
          </fieldset>
        ) : null}

        {provider ? (
          <fieldset className="scopes" aria-labelledby={scopesLegendId} disabled={busy || !provider.configured}>
            <legend id={scopesLegendId}>Permissions</legend>
            {provider.scopes.length === 0 ? <p className="muted">This provider does not ask for scopes.</p> : null}
            {provider.scopes.map((scope) => {
              const inputId = `${providerId}-scope-${scope.name}`;
              return (
                <div className="scope" key={scope.name}>
                  <input
                    id={inputId}
                    type="checkbox"
                    checked={chosen.has(scope.name)}
                    onChange={() => toggle(scope.name)}
                    aria-describedby={`${inputId}-description`}
                  />
                  <label htmlFor={inputId}>
                    <span className="scope__description">{scope.description}</span>
                    <code className="scope__name" id={`${inputId}-description`}>
                      {scope.name}
                    </code>
                  </label>
                </div>
              );
            })}
            {provider.scopes.length > 0 && chosen.size === 0 ? (
              <p className="field-hint" role="status">
                Select at least one permission.
              </p>
            ) : null}
          </fieldset>
        ) : null}

        {startError ? (
          <p className="alert alert--error" role="alert">
            Could not start the connection. {describeError(startError)}
          </p>
        ) : null}

        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={!canSubmit} aria-busy={busy || undefined}>
            {busy ? (
              <>
                <Spinner /> {redirecting ? `Redirecting to ${providerName}…` : 'Starting…'}
              </>
            ) : (
              `Continue to ${providerName}`
            )}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
