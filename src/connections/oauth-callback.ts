import { AppError, ErrorCode } from '../errors/app-error.js';
import { silentConnectionsLogger, type ConnectionsLogger } from './connection-dependencies.js';
import type { ConnectionService } from './connection-service.js';

export interface OAuthCallbackOptions {
  connections: ConnectionService;
  /** Where the browser lands afterwards (`config.uiUrl`). */
  uiUrl: string;
  logger?: ConnectionsLogger;
}

/**
 * `GET /oauth/callback`, transport-free: completes the connection from the provider's redirect
 * parameters and answers where to send the browser: the UI with `?connected=<providerId>`, or
 * `?error=<code>` (`access_denied` when the user declined, else the contract's error code).
 * Nothing from the provider is echoed back, so the UI URL cannot carry injected text.
 */
export function createOAuthCallbackHandler(options: OAuthCallbackOptions): (parameters: URLSearchParams) => Promise<string> {
  const logger = options.logger ?? silentConnectionsLogger;
  const redirect = (name: string, value: string): string => {
    const url = new URL(options.uiUrl);
    url.searchParams.set(name, value);
    return url.toString();
  };
  return async (parameters) => {
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
