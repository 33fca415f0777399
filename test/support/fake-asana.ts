import { asanaError, asanaRateLimited } from './fake-asana-errors.js';
import { installAsanaWebhooks, type AsanaWebhooksController, type AsanaWebhooksOptions } from './fake-asana-webhooks.js';
import { BearerTokens } from './fake-bearer-tokens.js';
import type { FakeClock } from './fake-clock.js';
import type { Delivery } from './fake-delivery.js';
import { contentType, FakeProviderServer, type ProviderFakeOptions, type RecordedRequest } from './fake-provider-server.js';

export { asanaError } from './fake-asana-errors.js';

export const ASANA_ACCESS_TOKEN = '2/1200000000000001/1200000000000002:fakeasanatoken';

export interface FakeAsanaOptions extends ProviderFakeOptions, Pick<AsanaWebhooksOptions, 'resources' | 'handshakeTimeoutMs' | 'deliveryTimeoutMs'> {}

export interface FakeAsana {
  server: FakeProviderServer;
  clock: FakeClock;
  tokens: BearerTokens;
  /** Webhooks: see {@link installAsanaWebhooks}. */
  webhooks: AsanaWebhooksController;
  /** Every request the fake sent (handshakes, events, heartbeats). */
  deliveries: Delivery[];
  tasks: unknown[];
}

const WORKSPACES = [
  { gid: '1200000000000010', name: 'Acme Corp', resource_type: 'workspace' },
  { gid: '1200000000000020', name: 'Personal Projects', resource_type: 'workspace' },
];

/**
 * app.asana.com/api/1.0 as far as the service uses it. `/workspaces` pages by `limit` and
 * `offset`, one workspace per page, and ends with `next_page: null`. Webhooks:
 * {@link installAsanaWebhooks}. A token the fake does not hold (by default all but
 * {@link ASANA_ACCESS_TOKEN}) gets Asana's 401; `server.rateLimit(n)` answers Asana's 429 with
 * `Retry-After` (https://developers.asana.com/docs/rate-limits).
 *
 * Driving it:
 * ```ts
 * const asana = createFakeAsana({ clock, log });
 * const apiBaseUrl = `${await asana.server.start()}/api/1.0`;
 * // … the service creates a webhook: the handshake reaches its target before the 201 …
 * await asana.webhooks.change('1200000000000200'); // signed events to the project's webhooks
 * await asana.webhooks.heartbeat();
 * asana.webhooks.deleteOnCommand(gid); // or fail deliveries and clock.advance(24 * HOUR)
 * ```
 */
export function createFakeAsana(options: FakeAsanaOptions = {}): FakeAsana {
  const tasks: unknown[] = [];
  const server = new FakeProviderServer((status, message) => asanaError(status, message), {
    name: 'asana',
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
    rateLimited: asanaRateLimited,
  });
  const tokens = new BearerTokens(options.accessTokens ?? [ASANA_ACCESS_TOKEN]);
  const deliveries: Delivery[] = [];
  const webhooks = installAsanaWebhooks(server, {
    ...options,
    tokens,
    delivery: { provider: 'asana', clock: server.clock, ...(options.log ? { log: options.log } : {}), deliveries },
  });
  const unauthorized = asanaError(401, 'Not Authorized');
  const authorized = (request: RecordedRequest): boolean => tokens.principalOf(request.headers) !== undefined;

  server.route('GET', '/api/1.0/workspaces', (request, check) => {
    if (!authorized(request)) return unauthorized;
    check(request.query.get('limit') !== null, 'Asana only paginates when given limit');
    const offset = request.query.get('offset');
    const index = offset === null ? 0 : WORKSPACES.findIndex((w) => `offset-${w.gid}` === offset);
    check(index >= 0, `unknown offset ${String(offset)}`);
    const next = WORKSPACES[index + 1];
    return {
      json: {
        data: WORKSPACES.slice(index, index + 1),
        next_page: next
          ? { offset: `offset-${next.gid}`, path: `/workspaces?limit=1&offset=offset-${next.gid}`, uri: `https://app.asana.com/api/1.0/workspaces?limit=1&offset=offset-${next.gid}` }
          : null,
      },
    };
  });

  server.route('POST', '/api/1.0/tasks', (request, check) => {
    if (!authorized(request)) return unauthorized;
    check(contentType(request) === 'application/json', 'Asana takes a JSON body');
    const { data } = request.json() as { data?: Record<string, unknown> };
    check(data !== undefined, 'the task is wrapped in { data }');
    check(typeof data?.workspace === 'string' || Array.isArray(data?.projects), 'a task needs a workspace or projects');
    check(typeof data?.name === 'string', 'a task has a name');
    tasks.push(data);
    return {
      status: 201,
      json: {
        data: {
          gid: '1200000000000100',
          resource_type: 'task',
          completed: false,
          permalink_url: 'https://app.asana.com/0/1200000000000010/1200000000000100',
          ...data,
          workspace: { gid: data?.workspace, resource_type: 'workspace' },
        },
      },
    };
  });

  return { server, clock: server.clock, tokens, webhooks, deliveries, tasks };
}
