import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { CompleteConnectionMutation, ProvidersQuery } from '../../graphql/documents';
import { describeCallbackError, errorCode } from '../../lib/errors';

const SUCCESS_NOTICE_MS = 15_000;
/** What the service may put in the UI's URL after `/oauth/callback`: its outcome, or (forward mode) the provider's parameters. */
const CALLBACK_PARAMETERS = ['connected', 'error', 'error_description', 'state', 'code', 'iss'];

interface ForwardedCallback {
  state: string;
  code: string | null;
  error: string | null;
  iss: string | null;
}

type Outcome =
  | { kind: 'connected'; providerId: string }
  | { kind: 'error'; code: string }
  | { kind: 'completing'; callback: ForwardedCallback };

function readOutcome(href: string): Outcome | null {
  const params = new URL(href).searchParams;
  const state = params.get('state');
  if (state) return { kind: 'completing', callback: { state, code: params.get('code'), error: params.get('error'), iss: params.get('iss') } };
  const connected = params.get('connected');
  if (connected) return { kind: 'connected', providerId: connected };
  const error = params.get('error');
  if (error) return { kind: 'error', code: error };
  return null;
}

/**
 * After `/oauth/callback` the server sends the browser to `/?connected=<providerId>` or
 * `/?error=<code>`; with `OAUTH_CALLBACK_MODE=forward` it sends the provider's `state`, `code`
 * (or `error`) and `iss` instead, and this completes the connection as the signed-in user
 * (`completeConnection`), which the service refuses unless that user started it. The outcome
 * is shown once and the parameters leave the address bar, so a reload or a bookmark does not
 * show it, or send the single-use code, again.
 */
export function CallbackNotice() {
  const [outcome, setOutcome] = useState<Outcome | null>(() => readOutcome(window.location.href));
  const [{ data }] = useQuery({ query: ProvidersQuery, pause: outcome?.kind !== 'connected', requestPolicy: 'cache-first' });
  const [, completeConnection] = useMutation(CompleteConnectionMutation);
  const submitted = useRef(false);

  useEffect(() => {
    if (outcome?.kind !== 'completing' || submitted.current) return;
    submitted.current = true;
    const { callback } = outcome;
    void completeConnection({ input: callback }).then((result) => {
      const providerId = result.data?.completeConnection.providerId;
      if (providerId) setOutcome({ kind: 'connected', providerId });
      else setOutcome({ kind: 'error', code: callback.error === 'access_denied' ? 'access_denied' : (errorCode(result.error) ?? 'INTERNAL_SERVER_ERROR') });
    });
  }, [outcome, completeConnection]);

  // Success needs no action, so it goes away on its own; an error stays until dismissed.
  useEffect(() => {
    if (outcome?.kind !== 'connected') return;
    const timer = setTimeout(() => setOutcome(null), SUCCESS_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [outcome]);

  useEffect(() => {
    const url = new URL(window.location.href);
    if (!CALLBACK_PARAMETERS.some((name) => url.searchParams.has(name))) return;
    for (const name of CALLBACK_PARAMETERS) url.searchParams.delete(name);
    window.history.replaceState(window.history.state, '', url.toString());
  }, []);

  if (!outcome) return null;
  if (outcome.kind === 'completing') {
    return (
      <div className="alert notice" role="status">
        <p>Completing the connection…</p>
      </div>
    );
  }
  const dismiss = (
    <button type="button" className="button button--small" onClick={() => setOutcome(null)}>
      Dismiss
    </button>
  );
  if (outcome.kind === 'connected') {
    const name = data?.providers.find((p) => p.id === outcome.providerId)?.name ?? outcome.providerId;
    return (
      <div className="alert alert--success notice" role="status">
        <p>
          <strong>{name} is connected.</strong> It may take a moment for its first sync to appear.
        </p>
        {dismiss}
      </div>
    );
  }
  return (
    <div className="alert alert--error notice" role="alert">
      <p>
        <strong>The connection was not completed.</strong> {describeCallbackError(outcome.code)}
      </p>
      {dismiss}
    </div>
  );
}
