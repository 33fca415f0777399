import { useEffect, useState, type FormEvent } from 'react';
import { Provider } from 'urql';
import { forgetToken, readClaims, resolveToken, saveToken, type TokenSource } from './auth/token';
import { HealthView } from './components/health/HealthView';
import { CallbackNotice } from './components/integrations/CallbackNotice';
import { IntegrationsList } from '@/components/integrations/IntegrationsList';
import { WebhookActivity } from './components/integrations/WebhookActivity';
import { createApiClients, type ApiClients } from './graphql/client';
import { LiveConnectionContext } from './graphql/liveConnection';
import { ProviderProxyContext } from './graphql/providerProxy';
import { hrefFor, useRoute } from './lib/router';

type AuthState =
  | { status: 'resolving' }
  | { status: 'missing'; rejected: boolean }
  | { status: 'ready'; token: string; source: TokenSource };

export function App() {
  const [auth, setAuth] = useState<AuthState>({ status: 'resolving' });

  useEffect(() => {
    let cancelled = false;
    void resolveToken().then((resolved) => {
      if (cancelled) return;
      setAuth(resolved ? { status: 'ready', ...resolved } : { status: 'missing', rejected: false });
    });
    return () => {
      cancelled = true;
    };
  }, []);

  function acceptToken(token: string) {
    saveToken(token);
    setAuth({ status: 'ready', token, source: 'storage' });
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header auth={auth} onSignOut={() => {
        forgetToken();
        setAuth({ status: 'missing', rejected: false });
      }} />
      <main id="main" className="container" tabIndex={-1}>
        {auth.status === 'resolving' ? (
          <p role="status" className="muted">
            Signing in…
          </p>
        ) : null}
        {auth.status === 'missing' ? <TokenForm rejected={auth.rejected} onSubmit={acceptToken} /> : null}
        {auth.status === 'ready' ? (
          <AuthenticatedApp
            token={auth.token}
            onUnauthenticated={() => {
              forgetToken();
              setAuth({ status: 'missing', rejected: true });
            }}
          />
        ) : null}
      </main>
    </div>
  );
}

function Header({ auth, onSignOut }: { auth: AuthState; onSignOut: () => void }) {
  const route = useRoute();
  const claims = auth.status === 'ready' ? readClaims(auth.token) : {};
  const internal = claims.roles?.some((r) => r === 'admin' || r === 'internal') ?? false;
  return (
    <header className="app-header">
      <div className="container app-header__inner">
        <h1 className="app-header__title">Integrations</h1>
        {auth.status === 'ready' ? (
          <nav aria-label="Main">
            <a href={hrefFor({ name: 'integrations' })} aria-current={route.name !== 'health' ? 'page' : undefined}>
              Connections
            </a>
            {internal || route.name === 'health' ? (
              <a href={hrefFor({ name: 'health' })} aria-current={route.name === 'health' ? 'page' : undefined}>
                Health
              </a>
            ) : null}
          </nav>
        ) : null}
        {auth.status === 'ready' ? (
          <div className="app-header__user">
            {auth.source === 'dev-endpoint' ? <span className="badge badge--info">Development token</span> : null}
            {claims.sub ? <span className="muted">{claims.sub}</span> : null}
            <button type="button" className="button button--small" onClick={onSignOut}>
              Change token
            </button>
          </div>
        ) : null}
      </div>
    </header>
  );
}

function AuthenticatedApp({ token, onUnauthenticated }: { token: string; onUnauthenticated: () => void }) {
  const [clients, setClients] = useState<ApiClients | null>(null);
  const route = useRoute();

  useEffect(() => {
    const created = createApiClients(token, { onUnauthenticated });
    setClients(created);
    return () => created.dispose();
    // onUnauthenticated only changes identity with the parent's render; the token decides the client.
  }, [token]);

  if (!clients) return null;
  return (
    <Provider value={clients.client}>
      <LiveConnectionContext.Provider value={clients.live}>
        <ProviderProxyContext.Provider value={clients.proxy}>
          <CallbackNotice />
          {route.name === 'activity' ? <WebhookActivity integrationId={route.integrationId} /> : null}
          {route.name === 'health' ? <HealthView /> : null}
          {route.name === 'integrations' ? (
            <>
              <p className="lead">Connect the tools your organization uses. Changes show up here as they happen.</p>
              <IntegrationsList />
            </>
          ) : null}
        </ProviderProxyContext.Provider>
      </LiveConnectionContext.Provider>
    </Provider>
  );
}

function TokenForm({ rejected, onSubmit }: { rejected: boolean; onSubmit: (token: string) => void }) {
  const [value, setValue] = useState('');
  function submit(event: FormEvent) {
    event.preventDefault();
    const token = value.trim();
    if (token) onSubmit(token);
  }
  return (
    <section className="card token-card" aria-labelledby="token-title">
      <h2 id="token-title">Sign in with an access token</h2>
      <p className="alert alert--warning" role="alert">
        {rejected
          ? 'The service rejected the access token (it may have expired). Paste a new one to continue.'
          : 'No access token was found. Open this page with ?token=<JWT>, or paste a token below. In development the service prints one at start-up and serves it at /auth/dev-token.'}
      </p>
      <form onSubmit={submit} className="stack">
        <label htmlFor="token-input">Access token (JWT)</label>
        <textarea
          id="token-input"
          rows={4}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          spellCheck={false}
          autoComplete="off"
        />
        <div>
          <button type="submit" className="button button--primary" disabled={!value.trim()}>
            Use this token
          </button>
        </div>
      </form>
    </section>
  );
}
