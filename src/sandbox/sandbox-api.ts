import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { SANDBOX_RESOURCE } from './sandbox-provider-entry.js';
import type { SandboxStore, SandboxSubscription } from './sandbox-store.js';
import type { SandboxWebhookSender } from './sandbox-webhook-sender.js';

export interface SandboxApiOptions {
  provider: Provider;
  store: SandboxStore;
  sender: SandboxWebhookSender;
  /** Subscriptions may only deliver to this service's webhook receiver, `${publicUrl}/webhooks/`. */
  publicUrl: string;
  /** How long a subscription lives unless renewed. */
  subscriptionLifetimeMs: number;
}

const itemInput = z.object({ title: z.string().trim().min(1).max(200).optional() });
const subscriptionInput = z.object({ resource: z.string(), url: z.url() });

/** The account the bearer token was issued for, once checked. */
interface Caller {
  accountId: string;
  scopes: Set<string>;
}

const subscriptionView = (subscription: SandboxSubscription) => ({
  id: subscription.id,
  resource: subscription.resource,
  url: subscription.url,
  expiresAt: subscription.expiresAt.toISOString(),
});

/**
 * The sandbox's API, authenticated by the access tokens its authorization server issued
 * (looked up in oidc-provider's store; RFC 6750 errors): who the account is, its items, and
 * webhook subscriptions to them. Creating an item is a change: every live subscription of the
 * account hears of it through a signed webhook. Subscriptions expire after
 * `subscriptionLifetimeMs` unless renewed, and an expired one is gone (404), so renewal matters.
 */
export function createSandboxApiRouter({ provider, store, sender, publicUrl, subscriptionLifetimeMs }: SandboxApiOptions): Router {
  const router = Router();
  const receiver = `${publicUrl}/webhooks/`;

  const authenticate = (scope?: string) => async (request: Request, response: Response, next: NextFunction) => {
    response.set('cache-control', 'no-store');
    const match = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '');
    const token = match ? await provider.AccessToken.find(match[1]!) : undefined;
    if (!token || token.isExpired) {
      response.set('www-authenticate', 'Bearer error="invalid_token"').status(401).json({ error: 'invalid_token' });
      return;
    }
    const caller: Caller = { accountId: token.accountId, scopes: new Set((token.scope ?? '').split(' ')) };
    if (scope && !caller.scopes.has(scope)) {
      response.set('www-authenticate', `Bearer error="insufficient_scope", scope="${scope}"`).status(403).json({ error: 'insufficient_scope', scope });
      return;
    }
    response.locals.caller = caller;
    next();
  };
  const callerOf = (response: Response): Caller => response.locals.caller as Caller;
  const invalid = (response: Response, description: string) => response.status(400).json({ error: 'invalid_request', error_description: description });

  router.use(express.json({ limit: '16kb' }));

  router.get('/me', authenticate(), (_request, response) => {
    const { accountId } = callerOf(response);
    response.json({ id: accountId, name: store.nameOf(accountId) });
  });

  router.get('/items', authenticate('items:read'), (_request, response) => {
    response.json({ items: store.itemsOf(callerOf(response).accountId) });
  });

  router.post('/items', authenticate('items:write'), (request, response) => {
    const input = itemInput.safeParse(request.body ?? {});
    if (!input.success) return invalid(response, 'title must be 1 to 200 characters');
    const { accountId } = callerOf(response);
    const item = store.addItem(accountId, input.data.title ?? `Item ${store.itemsOf(accountId).length + 1}`);
    for (const subscription of store.subscribersOf(accountId, SANDBOX_RESOURCE)) sender.send(subscription, { type: 'item.created', data: { item } });
    response.status(201).json(item);
  });

  router.post('/subscriptions', authenticate('webhooks'), (request, response) => {
    const input = subscriptionInput.safeParse(request.body);
    if (!input.success) return invalid(response, 'resource and url are required');
    if (input.data.resource !== SANDBOX_RESOURCE) return invalid(response, `resource must be "${SANDBOX_RESOURCE}"`);
    // The sandbox posts only to the service it runs in: it must not be a way to make requests elsewhere.
    if (!input.data.url.startsWith(receiver)) return invalid(response, `url must be under ${receiver}`);
    const subscription = store.createSubscription(callerOf(response).accountId, input.data.resource, input.data.url, subscriptionLifetimeMs);
    response.status(201).json({ ...subscriptionView(subscription), secret: subscription.secret });
  });

  router.patch('/subscriptions/:id', authenticate('webhooks'), (request: Request<{ id: string }>, response) => {
    const subscription = store.renewSubscription(callerOf(response).accountId, request.params.id, subscriptionLifetimeMs);
    if (!subscription) return response.status(404).json({ error: 'not_found' });
    response.json(subscriptionView(subscription));
  });

  router.delete('/subscriptions/:id', authenticate('webhooks'), (request: Request<{ id: string }>, response) => {
    if (!store.deleteSubscription(callerOf(response).accountId, request.params.id)) return response.status(404).json({ error: 'not_found' });
    response.status(204).end();
  });

  router.use((_request: Request, response: Response) => {
    response.status(404).json({ error: 'not_found' });
  });
  return router;
}
