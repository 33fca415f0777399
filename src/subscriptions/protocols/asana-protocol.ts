import { z } from 'zod';
import { generateRandomString } from '../../crypto/random-string.js';
import { parseProviderResponse } from '../../providers/clients/provider-response.js';
import { SubscriptionGoneError, SubscriptionRefusedError, type ProtocolContext, type ProtocolOutcome, type SubscriptionProtocol } from '../subscription-protocol.js';
import { bearer, hasStatus, isRefusal, providerMessage } from './provider-error.js';

/** Asana pages lists of up to 100 (https://developers.asana.com/docs/pagination). */
const PAGE_SIZE = 100;
/** The random id in the target URL that routes deliveries (and the handshake) to the endpoint row. */
const HOOK_LENGTH = 32;

/** https://developers.asana.com/reference/createwebhook#response */
const webhookResponseSchema = z.object({ data: z.looseObject({ gid: z.string().min(1), active: z.boolean().optional() }) });
/** https://developers.asana.com/reference/getwebhooks#response */
const webhookPageSchema = z.object({
  data: z.array(z.looseObject({ gid: z.string().min(1), active: z.boolean().optional() })),
  next_page: z.looseObject({ offset: z.string() }).nullish(),
});
const workspacePageSchema = z.object({ data: z.array(z.looseObject({ gid: z.string().min(1) })), next_page: z.looseObject({ offset: z.string() }).nullish() });

/** Asana's error body: `{ errors: [{ message }] }` (https://developers.asana.com/docs/errors). */

interface AsanaState {
  hook?: string;
  workspaceGid?: string;
}

async function get<T>(context: ProtocolContext, url: string, schema: z.ZodType<T>): Promise<T> {
  const body = await context.call(async (accessToken) => (await context.http.send<unknown>({ url, method: 'GET', headers: bearer(accessToken) })).data);
  return parseProviderResponse('asana', schema, body);
}

/** Every page of a list, following `next_page.offset`. */
async function list<T>(context: ProtocolContext, url: string, schema: z.ZodType<{ data: T[]; next_page?: { offset: string } | null | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let offset: string | undefined;
  do {
    const page = await get(context, `${url}${url.includes('?') ? '&' : '?'}limit=${PAGE_SIZE}${offset ? `&offset=${encodeURIComponent(offset)}` : ''}`, schema);
    items.push(...page.data);
    offset = page.next_page?.offset;
  } while (offset);
  return items;
}

const webhooksOf = (context: ProtocolContext, workspaceGid: string) =>
  list(context, `${context.apiBaseUrl}/webhooks?workspace=${encodeURIComponent(workspaceGid)}&resource=${encodeURIComponent(context.subscription.resource)}`, webhookPageSchema);

/** The workspace the webhook lives in (`GET /webhooks` needs it): found once, then kept. */
async function findWorkspace(context: ProtocolContext, gid: string): Promise<string | undefined> {
  for (const workspace of await list(context, `${context.apiBaseUrl}/workspaces`, workspacePageSchema)) {
    if ((await webhooksOf(context, workspace.gid)).some((webhook) => webhook.gid === gid)) return workspace.gid;
  }
  return undefined;
}

async function deleteWebhook(context: ProtocolContext, gid: string): Promise<void> {
  try {
    await context.call((accessToken) => context.http.send({ url: `${context.apiBaseUrl}/webhooks/${encodeURIComponent(gid)}`, method: 'DELETE', headers: bearer(accessToken) }));
  } catch (error) {
    if (!hasStatus(error, 404)) throw error; // gone already
  }
}

/**
 * Asana webhooks (https://developers.asana.com/docs/webhooks-guide). `POST /webhooks` does not
 * answer until Asana's handshake, a POST to the target carrying `X-Hook-Secret`, has been
 * answered: the endpoint row (keyed by a random hook id in the target URL) is registered before
 * the call so the receiver can store the secret. Webhooks do not expire, but Asana deletes one
 * whose deliveries fail for 24 hours: a periodic check lists the workspace's webhooks on the
 * resource (`GET /webhooks?workspace=…&resource=…`) and a missing or inactive one is created
 * again. `DELETE /webhooks/{gid}` stops it.
 */
export function createAsanaProtocol(): SubscriptionProtocol {
  const check = async (context: ProtocolContext): Promise<ProtocolOutcome> => {
    const gid = context.subscription.externalId;
    if (!gid) throw new SubscriptionGoneError('no Asana webhook gid recorded');
    const state = context.subscription.state as AsanaState;
    const workspaceGid = state.workspaceGid ?? (await findWorkspace(context, gid));
    const webhook = workspaceGid ? (await webhooksOf(context, workspaceGid)).find((candidate) => candidate.gid === gid) : undefined;
    if (!webhook) throw new SubscriptionGoneError('Asana no longer lists the webhook (it deletes webhooks whose deliveries failed for 24 hours)');
    if (webhook.active === false) {
      await deleteWebhook(context, gid);
      throw new SubscriptionGoneError('Asana marked the webhook inactive');
    }
    return { externalId: gid, expiresAt: null, state: { ...state, workspaceGid } };
  };

  return {
    async create(context) {
      const hook = generateRandomString(HOOK_LENGTH);
      await context.registerEndpoint({ externalId: hook, secret: null });
      await context.checkpoint({ hook });
      let body: unknown;
      try {
        body = await context.call(
          async (accessToken) =>
            (
              await context.http.send<unknown>({
                url: `${context.apiBaseUrl}/webhooks`,
                method: 'POST',
                headers: bearer(accessToken),
                body: { data: { resource: context.subscription.resource, target: `${context.publicUrl}/webhooks/asana/${hook}` } },
              })
            ).data,
        );
      } catch (error) {
        if (isRefusal(error)) {
          const said = providerMessage(error);
          throw new SubscriptionRefusedError(`Asana refused the webhook${said ? `: ${said}` : ''}`);
        }
        throw error;
      }
      const created = parseProviderResponse('asana', webhookResponseSchema, body);
      return { externalId: created.data.gid, expiresAt: null, state: { hook } };
    },
    renew: check,
    check,
    async stop(context) {
      if (context.subscription.externalId) await deleteWebhook(context, context.subscription.externalId);
    },
  };
}
