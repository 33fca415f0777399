import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type OidcClient } from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { z } from 'zod';
import type { ProviderScope } from '../providers/provider-definition.js';
import { consentPage, errorPage, signInPage } from './sandbox-pages.js';
import type { SandboxStore } from './sandbox-store.js';

/** Our own client at the sandbox: the integrations service. */
export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  /** Every redirect URI the service may ask for (`ALLOWED_REDIRECT_URIS`). */
  redirectUris: readonly string[];
}

export interface SandboxAuthorizationServerOptions {
  /** `PUBLIC_URL` + the mount path: what `iss` says (RFC 9207) and where its endpoints are. */
  issuer: string;
  client: SandboxClient;
  /** The scopes it grants, with what each allows (the sandbox entry's: the consent page lists them). */
  scopes: readonly ProviderScope[];
  store: SandboxStore;
}

export interface SandboxAuthorizationServer {
  provider: Provider;
  /** The sign-in and consent pages (`/interaction/:uid…`), mounted at the issuer's path in front of the provider. */
  interactions: Router;
}

/** What the pages call the client asking for access. */
const CLIENT_NAME = 'the integrations service';

const nameSchema = z.string().trim().min(1).max(80);

/**
 * The sandbox's OAuth 2.0 authorization server: oidc-provider (a maintained, certified
 * implementation) with PKCE S256 required, refresh tokens issued to our client and rotated on
 * every use, RFC 7009 revocation (a revoked refresh token then answers `invalid_grant`), and our
 * own sign-in and consent pages instead of its development ones. Its storage is oidc-provider's
 * in-memory adapter, its signing key and cookie keys are made per process: a development
 * stand-in forgets its grants on restart, which is fine (and documented). The adapter is asked
 * for by name, since left as the default it makes oidc-provider warn at every start that
 * production needs another — a warning meant for real authorization servers, not this one.
 */
export async function createSandboxAuthorizationServer({ issuer, client, scopes, store }: SandboxAuthorizationServerOptions): Promise<SandboxAuthorizationServer> {
  const mountPath = new URL(issuer).pathname;
  const interactionPath = (uid: string) => `${mountPath}/interaction/${encodeURIComponent(uid)}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const provider = new Provider(issuer, {
    adapter: createMemoryAdapter(),
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [...client.redirectUris],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        // The one key it has (oidc-provider's default would want an RSA key too).
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'sandbox' }] },
    scopes: scopes.map((scope) => scope.name),
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, name: store.nameOf(sub) }) }),
    features: {
      // A client revokes its own tokens only (RFC 7009 §2.1); it has but one client, so that is ours.
      revocation: { enabled: true, allowedPolicy: async (_ctx: unknown, client: OidcClient, token: { clientId: string }) => token.clientId === client.clientId },
      devInteractions: { enabled: false },
    },
    pkce: { required: () => true },
    // A refresh token without `offline_access`, as the providers our entries describe do.
    issueRefreshToken: async (_ctx, oauthClient) => oauthClient.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    // Short access tokens, so refreshing (and its rotation) happens while someone watches.
    ttl: { AccessToken: 15 * 60, AuthorizationCode: 60, RefreshToken: 14 * 24 * 3600, Grant: 14 * 24 * 3600, Session: 24 * 3600, Interaction: 10 * 60 },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Under the mount path: oidc-provider's default is `/interaction/:uid` at the host's root.
    interactions: { url: (_ctx, interaction) => interactionPath(interaction.uid) },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error ?? 'server_error', out.error_description);
    },
  });
  // Behind a TLS-terminating proxy its URLs must say https, as the PUBLIC_URL the service advertises does.
  provider.proxy = true;

  const html = (response: Response, status: number, body: string) => {
    response.status(status).set('cache-control', 'no-store').type('html').send(body);
  };
  const interactions = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });

  interactions.get('/interaction/:uid', async (request: Request<{ uid: string }>, response) => {
    const details = await provider.interactionDetails(request, response);
    const path = interactionPath(details.uid);
    if (details.prompt.name === 'login') return html(response, 200, signInPage(`${path}/login`, CLIENT_NAME));
    const asked = new Set(String(details.params.scope ?? '').split(' '));
    const accountName = store.nameOf(details.session?.accountId ?? '');
    html(response, 200, consentPage(`${path}/consent`, `${path}/abort`, CLIENT_NAME, accountName, scopes.filter((scope) => asked.has(scope.name))));
  });

  interactions.post('/interaction/:uid/login', form, async (request: Request<{ uid: string }>, response) => {
    const name = nameSchema.safeParse((request.body as Record<string, unknown> | undefined)?.name);
    if (!name.success) return html(response, 400, errorPage('invalid_request', 'A name of 1 to 80 characters signs you in.'));
    await provider.interactionFinished(request, response, { login: { accountId: store.signIn(name.data) } }, { mergeWithLastSubmission: false });
  });

  interactions.post('/interaction/:uid/consent', async (request: Request<{ uid: string }>, response) => {
    const details = await provider.interactionDetails(request, response);
    const accountId = details.session?.accountId;
    if (details.prompt.name !== 'consent' || !accountId || !details.params.client_id) {
      return html(response, 400, errorPage('invalid_request', 'Nothing here is waiting for consent.'));
    }
    const grant = (details.grantId && (await provider.Grant.find(details.grantId))) || new provider.Grant({ accountId, clientId: details.params.client_id });
    const missing = details.prompt.details.missingOIDCScope;
    if (missing && missing.length > 0) grant.addOIDCScope(missing.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(request, response, { consent: { grantId } }, { mergeWithLastSubmission: true });
  });

  interactions.post('/interaction/:uid/abort', async (request: Request<{ uid: string }>, response) => {
    await provider.interactionFinished(request, response, { error: 'access_denied', error_description: 'The sandbox user denied access' }, { mergeWithLastSubmission: false });
  });

  return { provider, interactions };
}
