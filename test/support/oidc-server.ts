import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration, type OidcClient } from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { BUILT_IN_PROVIDERS } from '../../src/providers/registry.js';
import { CookieJar } from './cookie-jar.js';
import { FakeClock } from './fake-clock.js';
import { selectHeaders, type RequestLog } from './fake-request-log.js';

/** One request the OAuth server received (the body only for the token and revocation endpoints). */
export interface OidcRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The Authorization header of token and revocation requests (client authentication). */
  authorization?: string | undefined;
  /** Form fields of token/revocation requests. */
  form?: URLSearchParams;
}

/** A registered client and the server's policies for it. */
export interface OidcClientOptions {
  clientId: string;
  clientSecret: string;
  /** @default 'client_secret_post' */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Refuse authorization requests without a PKCE challenge. @default false (checked when sent) */
  pkceRequired?: boolean;
  /** Issue refresh tokens (without `offline_access`, as Google does with `access_type=offline`). @default true */
  issueRefreshToken?: boolean;
  /** A refresh spends the refresh token and answers with a new one. @default true */
  rotateRefreshToken?: boolean;
}

export interface OidcServerOptions extends OidcClientOptions {
  redirectUri: string;
  /** @default 3600 */
  accessTokenTtlSeconds?: number;
  /** More clients, all with `redirectUri`. @default [] */
  clients?: readonly OidcClientOptions[];
  /** Scopes the server knows besides `openid`, `offline_access` and Google's. @default [] */
  scopes?: readonly string[];
  /** Extra claims of every account, put in the ID token with the `openid` scope (Microsoft's `tid`). @default {} */
  claims?: Readonly<Record<string, string>>;
  /**
   * A request log shared with the provider fakes, so a test can assert the order of API calls
   * and token calls ("the subscription was deleted before the token was revoked"). Token and
   * revocation requests are logged with their form; the `at` times come from `clock`.
   */
  log?: RequestLog;
  /** The provider name in the shared log. @default 'oauth' */
  logName?: string;
  /** Times the shared log entries. @default a clock of its own */
  clock?: FakeClock;
}

export interface OidcServer {
  issuer: string;
  provider: Provider;
  requests: OidcRequest[];
  /** Token-endpoint requests with `grant_type=refresh_token`. */
  refreshRequests(): OidcRequest[];
  revocationRequests(): OidcRequest[];
  /**
   * Plays the user's browser from the authorization URL to the redirect back to us: signs in as
   * `accountId` and consents (oidc-provider's development interactions), or declines. Returns
   * the redirect URI's query parameters (`code`, `state`, `iss` or `error`).
   */
  authorize(authorizationUrl: string, options?: { accountId?: string; decline?: boolean }): Promise<URLSearchParams>;
  close(): Promise<void>;
}

/**
 * A real OAuth 2.0 / OpenID Connect server (oidc-provider) on 127.0.0.1, port 0, standing in for
 * Google in tests through the endpoint overrides. It issues rotating refresh tokens, requires the
 * PKCE verifier when a challenge was sent, sends RFC 9207 `iss` on the callback, and puts the
 * Google profile claims (`email`, `name`) in the ID token.
 */
export async function startOidcServer(options: OidcServerOptions): Promise<OidcServer> {
  const requests: OidcRequest[] = [];
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined;
  const clock = options.clock ?? new FakeClock();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: OidcRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, authorization: req.headers.authorization };
    requests.push(entry);
    const logRequest = (body: unknown): void => {
      if (!options.log) return;
      const logged = options.log.record({
        provider: options.logName ?? 'oauth',
        direction: 'in',
        method: entry.method,
        path: entry.path,
        query: Object.fromEntries(url.searchParams),
        headers: selectHeaders(req.headers),
        body,
        at: clock.now(),
      });
      res.once('finish', () => options.log!.answered(logged, res.statusCode));
    };
    if (req.method === 'POST' && (url.pathname === '/token' || url.pathname === '/token/revocation')) {
      // Read the form for the log, then hand oidc-provider an already-parsed body.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        entry.form = new URLSearchParams(raw);
        logRequest(Object.fromEntries(entry.form));
        const body = Object.fromEntries(entry.form);
        // Google's revoke endpoint takes the token alone; oidc-provider wants the client to
        // authenticate, so the stand-in does it on the caller's behalf.
        if (url.pathname === '/token/revocation' && !body.client_secret && !req.headers.authorization) {
          Object.assign(body, { client_id: options.clientId, client_secret: options.clientSecret });
        }
        (req as unknown as { body: Record<string, string> }).body = body;
        handler?.(req, res);
      });
      return;
    }
    logRequest(undefined);
    handler?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const google = BUILT_IN_PROVIDERS.get('google')!;
  const clients = [options, ...(options.clients ?? [])];
  const policy = (clientId: string | undefined): OidcClientOptions | undefined => clients.find((client) => client.clientId === clientId);
  const extraClaims = options.claims ?? {};
  const configuration: Configuration = {
    clients: clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: [options.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_post',
    })),
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test' }] },
    scopes: [...new Set(['openid', 'offline_access', ...google.scopes.map((scope) => scope.name), ...(options.scopes ?? [])])],
    // Google's scope names stand for these claims; outside the ID token they would not be seen.
    claims: {
      openid: ['sub', ...Object.keys(extraClaims)],
      'https://www.googleapis.com/auth/userinfo.email': ['email', 'email_verified'],
      'https://www.googleapis.com/auth/userinfo.profile': ['name'],
    },
    conformIdTokenClaims: false,
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: true, name: `User ${sub}`, ...extraClaims }),
    }),
    // Named rather than left to defaults, each of which oidc-provider announces on the console.
    adapter: createMemoryAdapter(),
    features: {
      revocation: { enabled: true, allowedPolicy: async (_ctx: unknown, client: OidcClient, token: { clientId: string }) => token.clientId === client.clientId },
      devInteractions: { enabled: true },
    },
    pkce: { required: (_ctx, client) => policy(client.clientId)?.pkceRequired ?? false },
    // Like Google with access_type=offline: a refresh token without asking for offline_access.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token') && (policy(client.clientId)?.issueRefreshToken ?? true),
    rotateRefreshToken: (ctx) => policy(ctx.oidc.client?.clientId)?.rotateRefreshToken ?? true,
    ttl: { AccessToken: options.accessTokenTtlSeconds ?? 3600, AuthorizationCode: 60, RefreshToken: 24 * 3600, Grant: 24 * 3600, Session: 3600, Interaction: 600, IdToken: 3600 },
    cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
    // Where Google serves it, so the Google client's `getUserProfile` / `testConnection` reach it.
    routes: { userinfo: '/oauth2/v3/userinfo' },
  };
  const provider = new Provider(issuer, configuration);
  handler = provider.callback();

  const redirectOrigin = new URL(options.redirectUri);
  async function authorize(authorizationUrl: string, opts: { accountId?: string; decline?: boolean } = {}): Promise<URLSearchParams> {
    const jar = new CookieJar();
    let next = authorizationUrl;
    let method: 'GET' | 'POST' = 'GET';
    let body: URLSearchParams | undefined;
    for (let step = 0; step < 20; step += 1) {
      const response = await fetch(next, {
        method,
        redirect: 'manual',
        headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(body ? { body } : {}),
      });
      jar.store(response);
      await response.text();
      const location = response.headers.get('location');
      if (!location) throw new Error(`authorization stopped at ${method} ${new URL(next).pathname} with HTTP ${response.status}`);
      const target = new URL(location, next);
      if (target.origin === redirectOrigin.origin && target.pathname === redirectOrigin.pathname) return target.searchParams;
      method = 'GET';
      body = undefined;
      const interaction = /^\/interaction\/([^/]+)$/.exec(target.pathname);
      if (interaction) {
        const details = await provider.Interaction.find(interaction[1]!);
        const prompt = details?.prompt.name;
        if (opts.decline) {
          next = new URL(`/interaction/${interaction[1]}/abort`, issuer).toString();
        } else {
          method = 'POST';
          next = target.toString();
          body = new URLSearchParams(prompt === 'login' ? { prompt: 'login', login: opts.accountId ?? 'alice' } : { prompt: 'consent' });
        }
        continue;
      }
      next = target.toString();
    }
    throw new Error('authorization did not come back to the redirect URI');
  }

  const formOf = (request: OidcRequest) => request.form ?? new URLSearchParams();
  return {
    issuer,
    provider,
    requests,
    refreshRequests: () => requests.filter((r) => r.path === '/token' && formOf(r).get('grant_type') === 'refresh_token'),
    revocationRequests: () => requests.filter((r) => r.path === '/token/revocation'),
    authorize,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
