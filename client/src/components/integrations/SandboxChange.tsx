import { useState } from 'react';
import { useProviderProxy } from '../../graphql/providerProxy';
import { Spinner } from '../ui/Spinner';

/** The sandbox provider's id: the one provider a person can cause changes at from this page. */
export const SANDBOX_PROVIDER_ID = 'sandbox';

type Outcome = { ok: true; title: string } | { ok: false; message: string };

/**
 * "Create a sandbox item": asks the sandbox, through the provider proxy, to create an item in
 * the connected account. The sandbox then sends a signed webhook to every live subscription, so
 * the event shows up in the activity list below, live.
 */
export function SandboxChange({ integrationId }: { integrationId: string }) {
  const proxy = useProviderProxy();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  if (!proxy) return null;

  async function createItem() {
    setBusy(true);
    setOutcome(null);
    const title = `Item created at ${new Date().toLocaleTimeString()}`;
    try {
      const response = await proxy!(integrationId, '/items', { method: 'POST', body: { title } });
      setOutcome(response.ok ? { ok: true, title } : { ok: false, message: `the sandbox answered HTTP ${response.status}` });
    } catch {
      setOutcome({ ok: false, message: 'the service could not be reached' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card sandbox-panel" aria-labelledby="sandbox-panel-title">
      <h3 id="sandbox-panel-title">Try it</h3>
      <p>
        Create an item in your sandbox account: the sandbox sends a signed webhook for it, and the event appears below as it is
        processed.
      </p>
      <button type="button" className="button" onClick={() => void createItem()} disabled={busy} aria-busy={busy || undefined}>
        {busy ? (
          <>
            <Spinner /> Creating…
          </>
        ) : (
          'Create a sandbox item'
        )}
      </button>
      {outcome ? (
        <p className={`alert ${outcome.ok ? 'alert--success' : 'alert--error'}`} role="status">
          {outcome.ok ? `Created “${outcome.title}”. Its webhook is on its way.` : `The item could not be created: ${outcome.message}.`}
        </p>
      ) : null}
    </section>
  );
}
