import { z } from 'zod';
import type { GooglePubSubConfig } from '../../config.js';
import { parseProviderResponse } from '../../providers/clients/provider-response.js';
import { SubscriptionRefusedError, type ProtocolContext, type ProtocolOutcome, type SubscriptionProtocol } from '../subscription-protocol.js';
import { googleRequest } from './google-api.js';
import { isRefusal, providerMessage } from './provider-error.js';

const DAY_MS = 24 * 3600 * 1000;

/** https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/watch#response-body */
const watchSchema = z.looseObject({ historyId: z.union([z.string(), z.number()]), expiration: z.union([z.string(), z.number()]) });
/** https://developers.google.com/workspace/gmail/api/reference/rest/v1/users/getProfile#response-body */
const profileSchema = z.looseObject({ emailAddress: z.string().min(3) });

const labelOf = (resource: string): string => resource.slice('gmail/'.length);

/**
 * Gmail keeps one watch per mailbox (`users.watch` replaces the previous one), so every watch
 * names the labels of all the integration's Gmail subscriptions.
 */
async function labels(context: ProtocolContext, without?: string): Promise<string[]> {
  const own = labelOf(context.subscription.resource);
  const others = (await context.siblings()).map((sibling) => sibling.resource).filter((resource) => resource.startsWith('gmail/')).map(labelOf);
  return [...new Set([own, ...others])].filter((label) => label !== without).sort();
}

async function watch(context: ProtocolContext, pubsub: GooglePubSubConfig, labelIds: string[]): Promise<{ historyId: string; expiresAt: Date }> {
  let body: unknown;
  try {
    body = await googleRequest<unknown>(context, {
      url: `${context.apiBaseUrl}/gmail/v1/users/me/watch`,
      method: 'POST',
      body: { topicName: pubsub.topic, labelIds, labelFilterBehavior: 'include' },
      idempotent: true,
    });
  } catch (error) {
    if (isRefusal(error)) {
      const said = providerMessage(error);
      // A topic Gmail may not publish to is the deployment's to fix: https://developers.google.com/workspace/gmail/api/guides/push#grant_publish_rights_on_your_topic
      throw new SubscriptionRefusedError(`Gmail refused the watch on ${pubsub.topic}${said ? `: ${said}` : ''}`);
    }
    throw error;
  }
  const watched = parseProviderResponse('google', watchSchema, body);
  const expiration = Number(watched.expiration);
  return { historyId: String(watched.historyId), expiresAt: new Date(Number.isFinite(expiration) ? expiration : context.now().getTime() + 7 * DAY_MS) };
}

/**
 * Gmail push notifications through Cloud Pub/Sub (https://developers.google.com/workspace/gmail/api/guides/push):
 * `users.watch` with the deployment's topic and the label; a watch expires after 7 days and
 * Google recommends calling watch again daily, which is what renewal does. Pushes name the
 * mailbox (`emailAddress`), kept in the state and as the external id for routing.
 * `users.stop` ends the watch when the mailbox's last Gmail subscription goes.
 */
export function createGmailProtocol(pubsub: GooglePubSubConfig | undefined): SubscriptionProtocol {
  const required = (): GooglePubSubConfig => {
    if (!pubsub) throw new SubscriptionRefusedError('Gmail watches need GOOGLE_PUBSUB_TOPIC: Gmail delivers push notifications through Cloud Pub/Sub');
    return pubsub;
  };
  const renewed = async (context: ProtocolContext, emailAddress: string): Promise<ProtocolOutcome> => {
    const watched = await watch(context, required(), await labels(context));
    return {
      externalId: emailAddress,
      expiresAt: watched.expiresAt,
      state: { emailAddress, historyId: watched.historyId },
      next: { action: 'renew', at: new Date(Math.min(context.now().getTime() + DAY_MS, watched.expiresAt.getTime() - DAY_MS)) },
    };
  };

  return {
    unavailable: () =>
      pubsub ? undefined : 'Gmail subscriptions need GOOGLE_PUBSUB_TOPIC on this deployment (Gmail delivers push notifications through Cloud Pub/Sub)',

    async create(context) {
      required();
      const profile = parseProviderResponse(
        'google',
        profileSchema,
        await googleRequest<unknown>(context, { url: `${context.apiBaseUrl}/gmail/v1/users/me/profile`, method: 'GET' }),
      );
      return renewed(context, profile.emailAddress.toLowerCase());
    },

    async renew(context) {
      const emailAddress = (context.subscription.state.emailAddress as string | undefined) ?? context.subscription.externalId;
      if (!emailAddress) return this.create(context);
      return renewed(context, emailAddress);
    },

    async stop(context) {
      if (!pubsub) return;
      const remaining = await labels(context, labelOf(context.subscription.resource));
      if (remaining.length > 0) {
        await watch(context, pubsub, remaining);
        return;
      }
      await googleRequest(context, { url: `${context.apiBaseUrl}/gmail/v1/users/me/stop`, method: 'POST', idempotent: true });
    },
  };
}
