import type { GooglePubSubConfig } from '../../config.js';
import type { ProtocolContext, SubscriptionProtocol } from '../subscription-protocol.js';
import { createGmailProtocol } from './gmail-protocol.js';
import { createGoogleChannelProtocol } from './google-channel-protocol.js';

/**
 * Google's resources use two mechanisms: push channels for Calendar and Drive, a Pub/Sub watch
 * for Gmail. This picks the one a subscription's resource needs.
 */
export function createGoogleProtocol(pubsub: GooglePubSubConfig | undefined): SubscriptionProtocol {
  const channels = createGoogleChannelProtocol();
  const gmail = createGmailProtocol(pubsub);
  const forResource = (resource: string): SubscriptionProtocol => (resource.startsWith('gmail/') ? gmail : channels);
  const of = (context: ProtocolContext) => forResource(context.subscription.resource);
  return {
    unavailable: (resource) => forResource(resource).unavailable?.(resource),
    create: (context) => of(context).create(context),
    renew: (context) => of(context).renew(context),
    stop: (context) => of(context).stop(context),
  };
}
