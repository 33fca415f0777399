import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { generateRandomString } from '../../crypto/random-string.js';
import { parseProviderResponse } from '../../providers/clients/provider-response.js';
import type { ProtocolState } from '../../db/repositories/provider-subscription-row.js';
import { SubscriptionRefusedError, type ProtocolContext, type ProtocolOutcome, type SubscriptionProtocol } from '../subscription-protocol.js';
import { googleRequest } from './google-api.js';
import { hasStatus, isRefusal, providerMessage } from './provider-error.js';

/**
 * A week, the longest Google grants: Calendar's default channel TTL
 * (https://developers.google.com/workspace/calendar/api/v3/reference/events/watch) and Drive's
 * maximum for the changes resource (https://developers.google.com/workspace/drive/api/guides/push#optional-properties).
 * Google may shorten it; the `expiration` it answers is what counts.
 */
const CHANNEL_TTL_SECONDS = 7 * 24 * 3600;
/** A channel token is at most 256 characters (https://developers.google.com/workspace/calendar/api/guides/push#making-watch-requests). */
const TOKEN_LENGTH = 64;

/** https://developers.google.com/workspace/calendar/api/v3/reference/channels */
const channelSchema = z.looseObject({ id: z.string().min(1), resourceId: z.string().min(1), resourceUri: z.string().optional(), expiration: z.union([z.string(), z.number()]).optional() });
const startPageTokenSchema = z.looseObject({ startPageToken: z.string().min(1) });

/** A channel as we must name it to stop it (`channels.stop` needs both). */
interface ChannelRef {
  channelId: string;
  resourceId: string;
}

/**
 * What is kept between actions. `pending` is a channel being opened (write-ahead: an instance
 * taking over knows it may exist), `retiring` an old channel whose stop failed and is retried.
 */
interface ChannelState {
  channelId?: string;
  resourceId?: string;
  resourceUri?: string;
  /** Drive: where the watched change list starts (changes.getStartPageToken). */
  pageToken?: string;
  pending?: string;
  retiring?: ChannelRef;
}

const asChannelState = (state: ProtocolState): ChannelState => state as ChannelState;

interface WatchTarget {
  watchUrl(context: ProtocolContext, state: ChannelState): string;
  stopUrl(context: ProtocolContext): string;
  /** Calendar takes a TTL in seconds, Drive an absolute expiration in ms. */
  lifetime(now: Date): Record<string, unknown>;
  prepare?(context: ProtocolContext, state: ChannelState): Promise<ChannelState>;
}

const calendarTarget = (calendarId: string): WatchTarget => ({
  watchUrl: (context) => `${context.apiBaseUrl}/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events/watch`,
  stopUrl: (context) => `${context.apiBaseUrl}/calendar/v3/channels/stop`,
  lifetime: () => ({ params: { ttl: String(CHANNEL_TTL_SECONDS) } }),
});

/** https://developers.google.com/workspace/drive/api/guides/manage-changes#watch: changes.watch starts at a page token. */
const driveChangesTarget: WatchTarget = {
  watchUrl: (context, state) => `${context.apiBaseUrl}/drive/v3/changes/watch?pageToken=${encodeURIComponent(state.pageToken ?? '')}`,
  stopUrl: (context) => `${context.apiBaseUrl}/drive/v3/channels/stop`,
  lifetime: (now) => ({ expiration: String(now.getTime() + CHANNEL_TTL_SECONDS * 1000) }),
  async prepare(context, state) {
    if (state.pageToken) return state;
    const body = await googleRequest<unknown>(context, { url: `${context.apiBaseUrl}/drive/v3/changes/startPageToken`, method: 'GET' });
    return { ...state, pageToken: parseProviderResponse('google', startPageTokenSchema, body).startPageToken };
  },
};

function targetOf(resource: string): WatchTarget {
  if (resource === 'drive/changes') return driveChangesTarget;
  const calendar = /^calendar\/(.+)$/.exec(resource);
  if (calendar) return calendarTarget(calendar[1]!);
  throw new SubscriptionRefusedError(`"${resource}" is not a Google resource this service watches`);
}

/** Stops a channel; one Google no longer has (expired, already stopped) counts as stopped. */
async function stopChannel(context: ProtocolContext, target: WatchTarget, channel: ChannelRef): Promise<void> {
  try {
    await googleRequest(context, { url: target.stopUrl(context), method: 'POST', body: { id: channel.channelId, resourceId: channel.resourceId }, idempotent: true });
  } catch (error) {
    if (!hasStatus(error, 404)) throw error;
  }
}

/** Best effort: a channel left over by an interrupted attempt; if it cannot be stopped it runs out at its expiry. */
async function stopQuietly(context: ProtocolContext, target: WatchTarget, channel: ChannelRef): Promise<boolean> {
  try {
    await stopChannel(context, target, channel);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens a new channel: its routing row (with the token) exists before Google is asked, since the
 * first message (`sync`) may arrive before the watch call answers; the channel id is recorded as
 * `pending` first, so an instance taking over after a crash knows it may be live.
 */
async function openChannel(context: ProtocolContext, target: WatchTarget, state: ChannelState): Promise<{ channel: ChannelRef; resourceUri?: string; expiresAt: Date }> {
  const channelId = randomUUID();
  const token = generateRandomString(TOKEN_LENGTH);
  await context.registerEndpoint({ externalId: channelId, secret: token });
  await context.checkpoint({ ...state, pending: channelId });
  const now = context.now();
  let body: unknown;
  try {
    body = await googleRequest<unknown>(context, {
      url: target.watchUrl(context, state),
      method: 'POST',
      body: { id: channelId, type: 'web_hook', address: `${context.publicUrl}/webhooks/google`, token, ...target.lifetime(now) },
    });
  } catch (error) {
    if (isRefusal(error)) {
      const said = providerMessage(error);
      throw new SubscriptionRefusedError(`Google refused the watch channel${said ? `: ${said}` : ''}`);
    }
    throw error;
  }
  const opened = parseProviderResponse('google', channelSchema, body);
  const expiration = Number(opened.expiration);
  return {
    channel: { channelId, resourceId: opened.resourceId },
    ...(opened.resourceUri ? { resourceUri: opened.resourceUri } : {}),
    expiresAt: Number.isFinite(expiration) && expiration > 0 ? new Date(expiration) : new Date(now.getTime() + CHANNEL_TTL_SECONDS * 1000),
  };
}

function settled(channel: ChannelRef, resourceUri: string | undefined, state: ChannelState): ChannelState {
  return { channelId: channel.channelId, resourceId: channel.resourceId, ...(resourceUri ? { resourceUri } : {}), ...(state.pageToken ? { pageToken: state.pageToken } : {}) };
}

/**
 * Google Calendar events and Drive changes push channels
 * (https://developers.google.com/workspace/calendar/api/guides/push,
 * https://developers.google.com/workspace/drive/api/guides/push). A channel cannot be extended:
 * renewal opens a new channel first and only then stops the old one with `channels.stop` (id +
 * resourceId), so there is no moment without a live channel. The resourceId names the watched
 * resource, the same for every channel on it, which is what lets a channel left pending by a
 * crashed attempt be stopped.
 */
export function createGoogleChannelProtocol(): SubscriptionProtocol {
  return {
    async create(context): Promise<ProtocolOutcome> {
      const target = targetOf(context.subscription.resource);
      let state = asChannelState(context.subscription.state);
      // A crashed attempt may have left a channel: stop it when its resource is known.
      if (state.pending && state.resourceId) await stopQuietly(context, target, { channelId: state.pending, resourceId: state.resourceId });
      state = (await target.prepare?.(context, state)) ?? state;
      const opened = await openChannel(context, target, state);
      return { externalId: opened.channel.channelId, expiresAt: opened.expiresAt, state: settled(opened.channel, opened.resourceUri, state) as ProtocolState };
    },

    async renew(context): Promise<ProtocolOutcome> {
      const target = targetOf(context.subscription.resource);
      const state = asChannelState(context.subscription.state);
      const current: ChannelRef | undefined =
        state.channelId && state.resourceId ? { channelId: state.channelId, resourceId: state.resourceId } : undefined;
      if (state.retiring) await stopQuietly(context, target, state.retiring);
      if (state.pending && state.pending !== state.channelId && state.resourceId) {
        await stopQuietly(context, target, { channelId: state.pending, resourceId: state.resourceId });
        await context.removeEndpoint(state.pending);
      }
      const opened = await openChannel(context, target, state);
      const next = settled(opened.channel, opened.resourceUri, state);
      if (!current) return { externalId: opened.channel.channelId, expiresAt: opened.expiresAt, state: next as ProtocolState };
      // The new channel is recorded before the old one is stopped: a crash here leaves the old one to retire next time.
      await context.checkpoint({ ...next, retiring: current } as ProtocolState);
      const stopped = await stopQuietly(context, target, current);
      // Either way the old channel stops being routed: the new one delivers the same changes, and a
      // delivery to an unknown channel is answered so Google does not retry it.
      await context.removeEndpoint(current.channelId);
      return { externalId: opened.channel.channelId, expiresAt: opened.expiresAt, state: (stopped ? next : { ...next, retiring: current }) as ProtocolState };
    },

    async stop(context) {
      const target = targetOf(context.subscription.resource);
      const state = asChannelState(context.subscription.state);
      if (state.retiring) await stopQuietly(context, target, state.retiring);
      if (state.pending && state.pending !== state.channelId && state.resourceId) await stopQuietly(context, target, { channelId: state.pending, resourceId: state.resourceId });
      if (state.channelId && state.resourceId) await stopChannel(context, target, { channelId: state.channelId, resourceId: state.resourceId });
    },
  };
}
