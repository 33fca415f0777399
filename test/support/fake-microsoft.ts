import { BearerTokens } from './fake-bearer-tokens.js';
import type { FakeClock } from './fake-clock.js';
import type { Delivery } from './fake-delivery.js';
import { graphError, graphThrottled } from './fake-graph-errors.js';
import { installGraphSubscriptions, type GraphSubscriptionsController, type GraphSubscriptionsOptions } from './fake-graph-subscriptions.js';
import { contentType, FakeProviderServer, type ProviderFakeOptions, type RecordedRequest } from './fake-provider-server.js';

export { graphError } from './fake-graph-errors.js';

export const GRAPH_ACCESS_TOKEN = 'eyJ0eXAiOiJKV1QiLCJub25jZSI6ImZha2UtZ3JhcGgifQ.fake.graph';

export interface FakeMicrosoftOptions extends ProviderFakeOptions, Pick<GraphSubscriptionsOptions, 'tenantId' | 'validationTimeoutMs' | 'notificationTimeoutMs'> {}

export interface FakeMicrosoft {
  server: FakeProviderServer;
  clock: FakeClock;
  tokens: BearerTokens;
  /** Change-notification subscriptions: see {@link installGraphSubscriptions}. */
  subscriptions: GraphSubscriptionsController;
  /** Every request the fake sent (validations, notifications). */
  deliveries: Delivery[];
  sentMail: unknown[];
  channelMessages: unknown[];
  events: unknown[];
}

/**
 * graph.microsoft.com as far as the service uses it, under `/v1.0`. Collections answer
 * `{ value, @odata.nextLink }`, and the calendars collection spans two pages so the client
 * must follow nextLink. A token the fake does not hold (by default all but
 * {@link GRAPH_ACCESS_TOKEN}) gets Graph's 401; `server.rateLimit(n)` answers Graph's 429 with
 * `Retry-After` in seconds (https://learn.microsoft.com/en-us/graph/throttling).
 * Subscriptions: {@link installGraphSubscriptions}.
 *
 * Driving it:
 * ```ts
 * const clock = new FakeClock();
 * const log = new RequestLog(); // also handed to startOidcServer({ log, clock, … })
 * const graph = createFakeMicrosoft({ clock, log });
 * const apiBaseUrl = `${await graph.server.start()}/v1.0`;
 * // … the service creates a subscription; Graph validated its notificationUrl first …
 * await graph.subscriptions.notify([{ subscriptionId }]);
 * await graph.subscriptions.lifecycle(subscriptionId, 'reauthorizationRequired');
 * clock.advance(3 * DAY); // the subscription lapses unless renewed
 * graph.tokens.revoke(GRAPH_ACCESS_TOKEN); // next call: 401, to exercise refresh
 * graph.server.latencyMs = 50; graph.server.rateLimit(100); // for bench/subscriptions
 * ```
 */
export function createFakeMicrosoft(options: FakeMicrosoftOptions = {}): FakeMicrosoft {
  const sentMail: unknown[] = [];
  const channelMessages: unknown[] = [];
  const events: unknown[] = [];
  const server = new FakeProviderServer((status, message) => graphError(status, status === 404 ? 'ResourceNotFound' : 'BadRequest', message), {
    name: 'microsoft',
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
    rateLimited: graphThrottled,
  });
  const tokens = new BearerTokens(options.accessTokens ?? [GRAPH_ACCESS_TOKEN]);
  const deliveries: Delivery[] = [];
  const subscriptions = installGraphSubscriptions(server, {
    ...options,
    tokens,
    delivery: { provider: 'microsoft', clock: server.clock, ...(options.log ? { log: options.log } : {}), deliveries },
  });
  const unauthorized = graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
  const authorized = (request: RecordedRequest): boolean => tokens.principalOf(request.headers) !== undefined;

  server.route('GET', '/v1.0/me', (request) => {
    if (!authorized(request)) return unauthorized;
    return {
      json: {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
        id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
        displayName: 'Adele Vance',
        givenName: 'Adele',
        surname: 'Vance',
        mail: 'AdeleV@contoso.com',
        userPrincipalName: 'AdeleV@contoso.com',
        jobTitle: 'Retail Manager',
        preferredLanguage: 'en-US',
      },
    };
  });

  server.route('GET', '/v1.0/me/joinedTeams', (request) => {
    if (!authorized(request)) return unauthorized;
    return {
      json: {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#teams',
        '@odata.count': 1,
        value: [{ id: '172b0cce-e65d-44ce-9a49-91d9f2e8493a', displayName: 'Contoso Team', description: 'This is a Contoso team', isArchived: false }],
      },
    };
  });

  server.route('GET', '/v1.0/teams/:teamId/channels', (request, check, params) => {
    if (!authorized(request)) return unauthorized;
    if (params.teamId !== '172b0cce-e65d-44ce-9a49-91d9f2e8493a') return graphError(404, 'NotFound', 'No team found with Group Id');
    return {
      json: {
        '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#teams('172b0cce')/channels",
        '@odata.count': 1,
        value: [{ id: '19:561fbdbbfca848a484f0a6f00ce9dbbd@thread.tacv2', displayName: 'General', description: 'General channel', membershipType: 'standard' }],
      },
    };
  });

  server.route('POST', '/v1.0/teams/:teamId/channels/:channelId/messages', (request, check, params) => {
    if (!authorized(request)) return unauthorized;
    check(contentType(request) === 'application/json', 'chatMessage is JSON');
    const message = request.json() as { body?: { contentType?: unknown; content?: unknown } };
    check(message.body?.contentType === 'html', 'body.contentType is "html" for an HTML message');
    check(typeof message.body?.content === 'string', 'body.content is the message');
    channelMessages.push({ ...params, message });
    return {
      status: 201,
      json: {
        '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#teams('fbe2bf47')/channels('19%3A4a95f7d8')/messages/$entity",
        id: '1616990032035',
        messageType: 'message',
        createdDateTime: '2026-11-24T08:00:00.035Z',
        webUrl: 'https://teams.microsoft.com/l/message/19%3A4a95f7d8/1616990032035',
        channelIdentity: { teamId: params.teamId, channelId: params.channelId },
        body: message.body,
      },
    };
  });

  server.route('GET', '/v1.0/me/calendars', (request, check) => {
    if (!authorized(request)) return unauthorized;
    const skiptoken = request.query.get('$skiptoken');
    if (skiptoken === null) {
      return {
        json: {
          '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#users('adele')/calendars",
          '@odata.nextLink': `${server.url}/v1.0/me/calendars?$skiptoken=X%274453707402000100000017%27`,
          value: [{ id: 'AAMkAGI2TGuLAAA=', name: 'Calendar', canEdit: true, isDefaultCalendar: true, owner: { name: 'Adele Vance', address: 'AdeleV@contoso.com' } }],
        },
      };
    }
    check(skiptoken === "X'4453707402000100000017'", 'follow @odata.nextLink exactly as given');
    return {
      json: {
        '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#users('adele')/calendars",
        value: [{ id: 'AAMkAGI2TGuLAAB=', name: 'Birthdays', canEdit: false, isDefaultCalendar: false, owner: { name: 'Adele Vance', address: 'AdeleV@contoso.com' } }],
      },
    };
  });

  server.route('POST', '/v1.0/me/events', (request, check) => {
    if (!authorized(request)) return unauthorized;
    check(contentType(request) === 'application/json', 'event is JSON');
    const event = request.json() as Record<string, { dateTime?: unknown; timeZone?: unknown } | undefined>;
    for (const edge of ['start', 'end'] as const) {
      check(typeof event[edge]?.dateTime === 'string' && typeof event[edge]?.timeZone === 'string', `${edge} is a dateTimeTimeZone`);
    }
    events.push(event);
    return { status: 201, json: { id: 'AAMkAGViNDU7zAAAAA7zAAAZe6CkAAA=', webLink: 'https://outlook.office365.com/owa/?itemid=AAMk', ...event } };
  });

  server.route('POST', '/v1.0/me/sendMail', (request, check) => {
    if (!authorized(request)) return unauthorized;
    check(contentType(request) === 'application/json', 'sendMail takes JSON');
    const payload = request.json() as { message?: { subject?: unknown; body?: { contentType?: unknown }; toRecipients?: { emailAddress?: { address?: unknown } }[] } };
    check(typeof payload.message?.subject === 'string', 'message.subject');
    check(payload.message?.body?.contentType === 'HTML', 'message.body.contentType is HTML');
    check((payload.message?.toRecipients ?? []).length > 0 && payload.message!.toRecipients!.every((r) => typeof r.emailAddress?.address === 'string'), 'toRecipients[].emailAddress.address');
    sentMail.push(payload);
    // "If successful, this method returns 202 Accepted response code. It doesn't return anything in the response body."
    return { status: 202 };
  });

  return { server, clock: server.clock, tokens, subscriptions, deliveries, sentMail, channelMessages, events };
}
