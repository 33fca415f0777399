import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { ProvidersQuery } from '../../graphql/documents';
import { describeCallbackError } from '../../lib/errors';

const SUCCESS_NOTICE_MS = 15_000;

type Outcome = { kind: 'connected'; providerId: string } | { kind: 'error'; code: string };

function readOutcome(href: string): Outcome | null {
  const params = new URL(href).searchParams;
  const connected = params.get('connected');
  if (connected) return { kind: 'connected', providerId: connected };
  const error = params.get('error');
  if (error) return { kind: 'error', code: error };
  return null;
}

/**
 * After `/oauth/callback` the server sends the browser to `/?connected=<providerId>` or
 * `/?error=<code>`. This shows the outcome once and removes the parameters from the address
 * bar, so a reload or a bookmark does not show it again.
 */
export function CallbackNotice() {
  const [outcome, setOutcome] = useState<Outcome | null>(() => readOutcome(window.location.href));
  const [{ data }] = useQuery({ query: ProvidersQuery, pause: outcome?.kind !== 'connected', requestPolicy: 'cache-first' });

  // Success needs no action, so it goes away on its own; an error stays until dismissed.
  useEffect(() => {
    if (outcome?.kind !== 'connected') return;
    const timer = setTimeout(() => setOutcome(null), SUCCESS_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [outcome]);

  useEffect(() => {
    const url = new URL(window.location.href);
    if (!url.searchParams.has('connected') && !url.searchParams.has('error')) return;
    url.searchParams.delete('connected');
    url.searchParams.delete('error');
    url.searchParams.delete('error_description');
    window.history.replaceState(window.history.state, '', url.toString());
  }, []);

  if (!outcome) return null;
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
