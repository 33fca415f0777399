import { createHmac, randomBytes } from 'node:crypto';
import type { BearerTokens } from './fake-bearer-tokens.js';
import { callbackUrlProblem, type CallbackUrlPolicy } from './fake-callback-url.js';
import { HOUR, MINUTE } from './fake-clock.js';
import { deliver, delivered, type Delivery, type DeliveryContext } from './fake-delivery.js';
import { asanaError } from './fake-asana-errors.js';
import { contentType, type FakeProviderServer, type RecordedRequest } from './fake-provider-server.js';

/** Something a webhook can watch. */
export interface AsanaResource {
  gid: string;
  resource_type: string;
  name: string;
  workspace: string;
}

/** A webhook as the fake holds it. */
export interface AsanaWebhook {
  gid: string;
  principal: string;
  resource: AsanaResource;
  target: string;
  filters: unknown[];
  /** The X-Hook-Secret of the handshake, which signs every delivery. */
  secret: string;
  createdAt: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
  lastFailureContent: string;
  deliveryRetryCount: number;
  /** When deliveries started failing (fake clock); cleared by a success. */
  failingSince?: number;
  /** Event batches not yet delivered, resent by {@link AsanaWebhooksController.retryFailed}. */
  pending: unknown[][];
}

export interface AsanaWebhooksOptions {
  tokens: BearerTokens;
  delivery: DeliveryContext;
  /** What can be watched. @default a project, a task and a portfolio in workspace 1200000000000010 */
  resources?: readonly AsanaResource[];
  /** Real milliseconds the handshake waits for its answer. @default 10000 */
  handshakeTimeoutMs?: number;
  /**
   * Real milliseconds a delivery waits: "if your server does not respond to a webhook with a
   * successful HTTP status code within 10 seconds, Asana will try to resend the webhook for up
   * to 24 hours" (https://developers.asana.com/docs/webhooks-guide).
   * @default 10000
   */
  deliveryTimeoutMs?: number;
  callbackUrls?: CallbackUrlPolicy;
}

/** What a test drives the webhooks with. */
export interface AsanaWebhooksController {
  /** Webhooks that still exist (not deleted by the app, by Asana after 24 h of failures, or on command). */
  readonly webhooks: ReadonlyMap<string, AsanaWebhook>;
  /** Sends `events` (one signed batch) to every webhook on `resourceGid`. */
  change(resourceGid: string, events?: readonly Record<string, unknown>[]): Promise<Delivery[]>;
  /** Sends a heartbeat (`{"events":[]}`, signed) to every webhook, or to one. */
  heartbeat(webhookGid?: string): Promise<Delivery[]>;
  /** Resends the batches of failing webhooks, as Asana keeps doing for up to 24 hours. */
  retryFailed(): Promise<Delivery[]>;
  /** Deletes a webhook as Asana does on its own (no call, no notice): for repair tests. */
  deleteOnCommand(webhookGid: string): void;
}

const DEFAULT_RESOURCES: readonly AsanaResource[] = [
  { gid: '1200000000000200', resource_type: 'project', name: 'Website launch', workspace: '1200000000000010' },
  { gid: '1200000000000100', resource_type: 'task', name: 'Draft the launch post', workspace: '1200000000000010' },
  { gid: '1200000000000300', resource_type: 'portfolio', name: 'Q1 initiatives', workspace: '1200000000000010' },
];
/** Asana deletes a webhook whose deliveries have failed for 24 hours. */
const FAILING_LIFETIME = 24 * HOUR;
const MAX_LIMIT = 100;

/**
 * Asana webhooks (`/api/1.0/webhooks`) on a fake app.asana.com: https://developers.asana.com/docs/webhooks-guide
 * and https://developers.asana.com/reference/createwebhook
 *
 * - `POST /webhooks` `{ data: { resource, target, filters? } }`: **while the request is open** the
 *   fake POSTs to `target` with `X-Hook-Secret`, and only a 200/204 echoing that header lets it
 *   answer 201 with the webhook (and the secret, as Asana's own example reads it); otherwise 400
 *   "Could not complete activation handshake with target URL…". A `localhost` target is 403, as
 *   the reference says ("Invalid hostnames like localhost"); use 127.0.0.1.
 * - `GET /webhooks?workspace=…[&resource=…][&limit=…&offset=…]` lists the caller's webhooks
 *   compactly, paged with `next_page: { offset, path, uri }`; `GET /webhooks/{gid}` the full
 *   record (`last_success_at`, `last_failure_at`, `last_failure_content`, `delivery_retry_count`,
 *   `failure_deletion_timestamp`…); `DELETE /webhooks/{gid}` answers `{ data: {} }`.
 * - Deliveries are `{ events: [...] }` signed `X-Hook-Signature` (hex HMAC-SHA256 of the body with
 *   the secret); a heartbeat is an empty `events`. A webhook whose deliveries have failed for 24
 *   hours on the fake clock is deleted.
 */
export function installAsanaWebhooks(server: FakeProviderServer, options: AsanaWebhooksOptions): AsanaWebhooksController {
  const { tokens, delivery } = options;
  const clock = server.clock;
  const resources = new Map((options.resources ?? DEFAULT_RESOURCES).map((resource) => [resource.gid, resource]));
  const webhooks = new Map<string, AsanaWebhook>();
  let nextGid = 1200000000009000;
  const unauthorized = asanaError(401, 'Not Authorized');

  const existing = (): Map<string, AsanaWebhook> => {
    for (const [gid, webhook] of webhooks) {
      if (webhook.failingSince !== undefined && clock.now() - webhook.failingSince >= FAILING_LIFETIME) webhooks.delete(gid);
    }
    return webhooks;
  };
  const owned = (request: RecordedRequest, gid: string | undefined): AsanaWebhook | undefined => {
    const webhook = gid === undefined ? undefined : existing().get(gid);
    return webhook && webhook.principal === tokens.principalOf(request.headers) ? webhook : undefined;
  };
  const iso = (epochMs: number | undefined): string | null => (epochMs === undefined ? null : new Date(epochMs).toISOString());
  const compact = (webhook: AsanaWebhook): Record<string, unknown> => ({
    gid: webhook.gid,
    resource_type: 'webhook',
    active: webhook.failingSince === undefined,
    resource: { gid: webhook.resource.gid, resource_type: webhook.resource.resource_type, name: webhook.resource.name },
    target: webhook.target,
  });
  const full = (webhook: AsanaWebhook): Record<string, unknown> => ({
    ...compact(webhook),
    created_at: iso(webhook.createdAt),
    filters: webhook.filters,
    last_success_at: iso(webhook.lastSuccessAt),
    last_failure_at: iso(webhook.lastFailureAt),
    last_failure_content: webhook.lastFailureContent,
    delivery_retry_count: webhook.deliveryRetryCount,
    next_attempt_after: webhook.failingSince === undefined ? null : iso(clock.now() + 10 * MINUTE),
    failure_deletion_timestamp: iso(webhook.failingSince === undefined ? undefined : webhook.failingSince + FAILING_LIFETIME),
  });

  server.route('POST', '/api/1.0/webhooks', async (request, check) => {
    const principal = tokens.principalOf(request.headers);
    if (principal === undefined) return unauthorized;
    const type = contentType(request);
    check(type === 'application/json' || type === 'application/x-www-form-urlencoded', 'Asana takes a JSON (or form) body');
    const data =
      type === 'application/x-www-form-urlencoded' ? Object.fromEntries(request.form()) : ((request.json() as { data?: Record<string, unknown> }).data ?? {});
    check(type !== 'application/json' || (request.json() as { data?: unknown }).data !== undefined, 'the webhook is wrapped in { data }');
    if (typeof data.resource !== 'string') return asanaError(400, 'resource: Missing input');
    const resource = resources.get(data.resource);
    if (!resource) return asanaError(400, `resource: Not a recognized ID: ${data.resource}`);
    if (typeof data.target !== 'string') return asanaError(400, 'target: Missing input');
    const targetProblem = callbackUrlProblem(data.target, options.callbackUrls);
    if (targetProblem) return asanaError(400, `target: ${targetProblem}`);
    if (new URL(data.target).hostname === 'localhost') return asanaError(403, `target: Invalid hostname: ${data.target}`);
    const filters = data.filters === undefined ? [] : data.filters;
    if (!Array.isArray(filters)) return asanaError(400, 'filters: Value is not an array');

    const secret = randomBytes(32).toString('hex');
    const handshake = await deliver(delivery, {
      kind: 'handshake',
      url: data.target,
      headers: { 'x-hook-secret': secret },
      timeoutMs: options.handshakeTimeoutMs ?? 10_000,
    });
    if ((handshake.status !== 200 && handshake.status !== 204) || handshake.responseHeaders['x-hook-secret'] !== secret) {
      return asanaError(400, 'Could not complete activation handshake with target URL. Please ensure that the receiving server is accepting connections and supports SSL');
    }
    const webhook: AsanaWebhook = {
      gid: String(nextGid++),
      principal,
      resource,
      target: data.target,
      filters,
      secret,
      createdAt: clock.now(),
      lastFailureContent: '',
      deliveryRetryCount: 0,
      pending: [],
    };
    webhooks.set(webhook.gid, webhook);
    // Asana's example client reads the secret from the 201 body too (Asana/devrel-examples, webhooks-nodejs/createWebhook.js).
    return { status: 201, json: { data: full(webhook), 'X-Hook-Secret': secret } };
  });

  server.route('GET', '/api/1.0/webhooks', (request) => {
    const principal = tokens.principalOf(request.headers);
    if (principal === undefined) return unauthorized;
    const workspace = request.query.get('workspace');
    if (!workspace) return asanaError(400, 'workspace: Missing input');
    const resource = request.query.get('resource');
    const matching = [...existing().values()].filter(
      (webhook) => webhook.principal === principal && webhook.resource.workspace === workspace && (resource === null || webhook.resource.gid === resource),
    );
    const limitParam = request.query.get('limit');
    const limit = limitParam === null ? undefined : Number(limitParam);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)) return asanaError(400, `limit: Value must be between 1 and ${MAX_LIMIT}`);
    const offsetParam = request.query.get('offset');
    const start = offsetParam === null ? 0 : decodeOffset(offsetParam);
    if (start === undefined) return asanaError(400, 'offset: Your pagination token is invalid.');
    // Without a limit Asana does not paginate.
    const page = limit === undefined ? matching.slice(start) : matching.slice(start, start + limit);
    const end = start + page.length;
    const fields = new Set((request.query.get('opt_fields') ?? '').split(',').filter(Boolean));
    const data = page.map((webhook) => {
      const record = full(webhook);
      return Object.fromEntries(Object.entries(record).filter(([name]) => name in compact(webhook) || fields.has(name)));
    });
    let nextPage: Record<string, string> | null = null;
    if (limit !== undefined && end < matching.length) {
      const offset = encodeOffset(end);
      const path = `/webhooks?workspace=${workspace}${resource === null ? '' : `&resource=${resource}`}&limit=${limit}&offset=${offset}`;
      nextPage = { offset, path, uri: `https://app.asana.com/api/1.0${path}` };
    }
    return { json: { data, next_page: nextPage } };
  });

  server.route('GET', '/api/1.0/webhooks/:gid', (request, _check, params) => {
    if (tokens.principalOf(request.headers) === undefined) return unauthorized;
    const webhook = owned(request, params.gid);
    return webhook ? { json: { data: full(webhook) } } : asanaError(404, `Unknown object: ${params.gid}`);
  });

  server.route('DELETE', '/api/1.0/webhooks/:gid', (request, _check, params) => {
    if (tokens.principalOf(request.headers) === undefined) return unauthorized;
    const webhook = owned(request, params.gid);
    if (!webhook) return asanaError(404, `Unknown object: ${params.gid}`);
    webhooks.delete(webhook.gid);
    return { json: { data: {} } };
  });

  /** One signed batch to one webhook, recording success or failure as Asana shows it. */
  const send = async (webhook: AsanaWebhook, events: readonly unknown[]): Promise<Delivery> => {
    const body = JSON.stringify({ events });
    const sent = await deliver(delivery, {
      kind: events.length === 0 ? 'heartbeat' : 'events',
      url: webhook.target,
      headers: { 'content-type': 'application/json; charset=UTF-8', 'x-hook-signature': createHmac('sha256', webhook.secret).update(body).digest('hex') },
      body,
      timeoutMs: options.deliveryTimeoutMs ?? 10_000,
    });
    if (delivered(sent)) {
      webhook.lastSuccessAt = clock.now();
      webhook.failingSince = undefined;
      webhook.deliveryRetryCount = 0;
    } else {
      webhook.lastFailureAt = clock.now();
      webhook.lastFailureContent = sent.status === undefined ? `Could not connect: ${sent.error}` : `${sent.status} ${sent.responseText}`.trim();
      webhook.failingSince ??= clock.now();
      webhook.deliveryRetryCount += 1;
      if (events.length > 0) webhook.pending.push([...events]);
    }
    return sent;
  };

  return {
    get webhooks() {
      return existing();
    },
    change: (resourceGid, events) =>
      Promise.all([...existing().values()].filter((webhook) => webhook.resource.gid === resourceGid).map((webhook) => send(webhook, events ?? [defaultEvent(webhook.resource, clock.now())]))),
    heartbeat: (webhookGid) => Promise.all([...existing().values()].filter((webhook) => webhookGid === undefined || webhook.gid === webhookGid).map((webhook) => send(webhook, []))),
    async retryFailed() {
      const sent: Delivery[] = [];
      for (const webhook of existing().values()) {
        const batches = webhook.pending.splice(0);
        for (const events of batches) sent.push(await send(webhook, events));
      }
      return sent;
    },
    deleteOnCommand: (webhookGid) => {
      webhooks.delete(webhookGid);
    },
  };
}

/** A task changed in the watched resource: https://developers.asana.com/docs/webhooks-guide#receiving-events */
function defaultEvent(resource: AsanaResource, now: number): Record<string, unknown> {
  return {
    user: { gid: '1200000000000002', resource_type: 'user' },
    created_at: new Date(now).toISOString(),
    action: 'changed',
    resource: { gid: resource.resource_type === 'task' ? resource.gid : '1200000000000101', resource_type: 'task', resource_subtype: 'default_task' },
    parent: resource.resource_type === 'task' ? null : { gid: resource.gid, resource_type: resource.resource_type },
    change: { field: 'name', action: 'changed' },
  };
}

/** Asana's offsets are opaque tokens. */
function encodeOffset(index: number): string {
  return Buffer.from(JSON.stringify({ i: index })).toString('base64url');
}

function decodeOffset(token: string): number | undefined {
  try {
    const { i } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { i?: unknown };
    return typeof i === 'number' && Number.isInteger(i) && i >= 0 ? i : undefined;
  } catch {
    return undefined;
  }
}
