import type { OAuthCallbackMode } from '../config.js';
import { AppError, ErrorCode } from '../errors/app-error.js';
import { silentConnectionsLogger, type ConnectionsLogger } from './connection-dependencies.js';
import type { ConnectionService } from './connection-service.js';

export interface OAuthCallbackOptions {
  connections: ConnectionService;
  /** Where the browser lands afterwards (`config.uiUrl`). */
  uiUrl: string;
  /** `forward`: hand the parameters to the UI instead of completing (`config.oauthCallbackMode`). @default 'complete' */
  mode?: OAuthCallbackMode;
  logger?: ConnectionsLogger;
}

/** The redirect parameters a UI needs for `completeConnection`, and the longest value passed on. */
const FORWARDED_PARAMETERS = ['state', 'code', 'iss', 'error'] as const;
const MAX_FORWARDED_LENGTH = 2048;

/**
 * `forward` mode: the UI with the provider's `state`, `code`, `iss` and `error`, nothing else,
 * for it to call `completeConnection` with the signed-in user's token. The state was issued to
 * that user, so an authorization link someone else started and sent to a victim completes
 * nothing in the victim's browser, which the `complete` mode cannot tell apart.
 */
function forwardToUi(uiUrl: string, parameters: URLSearchParams): string {
  const url = new URL(uiUrl);
  for (const name of FORWARDED_PARAMETERS) {
    const value = parameters.get(name);
    if (value !== null && value.length <= MAX_FORWARDED_LENGTH) url.searchParams.set(name, value);
  }
  return url.toString();
}

/**
 * `GET /oauth/callback`, transport-free: completes the connection from the provider's redirect
 * parameters and answers where to send the browser: the UI with `?connected=<providerId>`, or
 * `?error=<code>` (`access_denied` when the user declined, else the contract's error code).
 * Nothing from the provider is echoed back, so the UI URL cannot carry injected text. In
 * `forward` mode it completes nothing and passes the parameters on (see {@link forwardToUi}).
 */
export function createOAuthCallbackHandler(options: OAuthCallbackOptions): (parameters: URLSearchParams) => Promise<string> {
  const logger = options.logger ?? silentConnectionsLogger;
  const redirect = (name: string, value: string): string => {
    const url = new URL(options.uiUrl);
    url.searchParams.set(name, value);
    return url.toString();
  };
  return async (parameters) => {
    if (options.mode === 'forward') return forwardToUi(options.uiUrl, parameters);
    try {
      const integration = await options.connections.completeConnectionFromCallback(parameters);
      return redirect('connected', integration.providerId);
    } catch (error) {
      if (!(error instanceof AppError)) {
        logger.warn({ error: error instanceof Error ? error.name : typeof error }, 'OAuth callback failed unexpectedly');
        return redirect('error', ErrorCode.INTERNAL_SERVER_ERROR);
      }
      const declined = error.details?.providerError === 'access_denied' && parameters.has('error');
      return redirect('error', declined ? 'access_denied' : error.code);
    }
  };
}
