import { z } from 'zod';
import { OAuthError } from './oauth-error.js';
import type { TokenResponseBody, TokenResponseQuirks } from './token-response-quirks.js';
import { compact } from './token-response-quirks.js';

/**
 * Slack `oauth.v2.access`: https://docs.slack.dev/reference/methods/oauth.v2.access
 * - errors come back with HTTP 200 and `{ ok: false, error }`;
 * - `token_type` is `bot` (or `user`), scopes are comma-separated;
 * - a user-only install has no top-level token: it is under `authed_user`;
 * - `team.id` identifies the workspace (it routes Events API webhooks).
 */
const slackUser = z
  .object({
    id: z.string(),
    scope: z.string().optional(),
    access_token: z.string().optional(),
    refresh_token: z.string().optional(),
    expires_in: z.number().optional(),
  })
  .loose();

const slackBody = z
  .object({
    ok: z.boolean(),
    error: z.string().optional(),
    access_token: z.string().optional(),
    refresh_token: z.string().optional(),
    expires_in: z.number().optional(),
    scope: z.string().optional(),
    bot_user_id: z.string().optional(),
    app_id: z.string().optional(),
    team: z.object({ id: z.string(), name: z.string().optional() }).loose().nullable().optional(),
    enterprise: z.object({ id: z.string(), name: z.string().optional() }).loose().nullable().optional(),
    authed_user: slackUser.optional(),
  })
  .loose();

/** Slack error strings that mean "this code or refresh token is dead": only a new install helps. */
const DEAD_GRANT_ERRORS = new Set(['invalid_code', 'code_already_used', 'code_expired', 'invalid_refresh_token', 'token_revoked', 'token_expired']);

const splitScopes = (scopes: string | undefined, prefix = ''): string[] =>
  (scopes ?? '')
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean)
    .map((scope) => `${prefix}${scope}`);

export const slackTokenResponse: TokenResponseQuirks = {
  normalize: (raw, provider): TokenResponseBody => {
    const parsed = slackBody.safeParse(raw);
    if (!parsed.success) throw new OAuthError('invalid_response', provider.id, 'Slack answered the token request with an unexpected body');
    const body = parsed.data;
    if (!body.ok) {
      const error = body.error ?? 'unknown_error';
      if (error === 'ratelimited') throw new OAuthError('rate_limited', provider.id, 'Slack rate-limited the token request', { providerError: error });
      const kind = DEAD_GRANT_ERRORS.has(error) ? 'invalid_grant' : 'rejected';
      throw new OAuthError(kind, provider.id, `Slack refused the token request (${error})`, { providerError: error });
    }
    const user = body.authed_user;
    // A bot token is the integration's credential; a user-only install falls back to the user token.
    const tokens = body.access_token ? body : user?.access_token ? user : undefined;
    const granted = [...splitScopes(body.scope), ...splitScopes(user?.scope, 'user:')];
    return {
      ...raw,
      access_token: tokens?.access_token,
      refresh_token: tokens?.refresh_token,
      expires_in: tokens?.expires_in,
      token_type: 'bearer',
      scope: granted.join(' '),
    };
  },
  account: (raw) => {
    const body = slackBody.parse(raw);
    return {
      externalAccountId: body.team?.id,
      account: compact({
        teamId: body.team?.id,
        teamName: body.team?.name,
        enterpriseId: body.enterprise?.id ?? undefined,
        enterpriseName: body.enterprise?.name ?? undefined,
        botUserId: body.bot_user_id,
        appId: body.app_id,
        authedUserId: body.authed_user?.id,
      }),
    };
  },
};
