import type { RouteMount } from '../http/create-http-app.js';
import type { ProviderScope } from '../providers/provider-definition.js';
import { createSandboxApiRouter } from './sandbox-api.js';
import { createSandboxAuthorizationServer, type SandboxClient } from './sandbox-authorization-server.js';
import { SANDBOX_API_PATH, SANDBOX_OAUTH_PATH } from './sandbox-provider-entry.js';
import { SandboxStore } from './sandbox-store.js';
import { SandboxWebhookSender, type SandboxWebhookSenderOptions } from './sandbox-webhook-sender.js';

export interface SandboxOptions {
  publicUrl: string;
  client: SandboxClient;
  /** The sandbox entry's scopes. */
  scopes: readonly ProviderScope[];
  subscriptionMinutes: number;
  logger: SandboxWebhookSenderOptions['logger'];
  /** Overrides of the webhook sender's retry waits and timeout (tests). */
  sender?: Omit<SandboxWebhookSenderOptions, 'logger'>;
  /** What subscriptions expire by (tests move it). @default Date.now */
  clock?: () => number;
}

export interface Sandbox {
  /** Its authorization server at `/sandbox/oauth`, its API at `/sandbox/api`. */
  mount: RouteMount;
  store: SandboxStore;
  close(): void;
}

/**
 * The sandbox provider, served by the service itself outside production (`SANDBOX_ENABLED`):
 * an authorization server, an API and a webhook sender, so `npm start` shows the whole loop —
 * connect, subscriptions renewed every few minutes, webhook events, disconnect — with no
 * provider account. The service talks to it over HTTP at `PUBLIC_URL` like to any provider.
 */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const store = new SandboxStore(options.clock);
  const sender = new SandboxWebhookSender({ logger: options.logger, ...options.sender });
  const { provider, interactions } = await createSandboxAuthorizationServer({
    issuer: `${options.publicUrl}${SANDBOX_OAUTH_PATH}`,
    client: options.client,
    scopes: options.scopes,
    store,
  });
  const api = createSandboxApiRouter({ provider, store, sender, publicUrl: options.publicUrl, subscriptionLifetimeMs: options.subscriptionMinutes * 60_000 });
  return {
    mount: (app) => {
      app.use(SANDBOX_OAUTH_PATH, interactions, provider.callback());
      app.use(SANDBOX_API_PATH, api);
    },
    store,
    close: () => sender.close(),
  };
}
