import { AsanaClient, asanaClient } from '../asana/asana-client.js';
import { GoogleClient, googleClient } from '../google/google-client.js';
import { MicrosoftClient, microsoftClient } from '../microsoft/microsoft-client.js';
import { SlackClient, slackClient } from '../slack/slack-client.js';
import { defaultProviderSource, type ProviderSource } from './default-providers.js';
import { GenericProviderClient } from './generic-provider-client.js';
import type { ProviderClient } from './provider-client.js';

export type { ProviderClient } from './provider-client.js';

/** The concrete client type of each provider with a client class of its own; every other provider gets a `GenericProviderClient`. */
export interface ProviderClients {
  google: GoogleClient;
  slack: SlackClient;
  microsoft: MicrosoftClient;
  asana: AsanaClient;
}

const MODULE_CLIENTS: ProviderClients = { google: googleClient, slack: slackClient, microsoft: microsoftClient, asana: asanaClient };

type ProviderWithClass = keyof ProviderClients;

const CLIENT_CLASSES: { [Id in ProviderWithClass]: new (source: ProviderSource) => ProviderClients[Id] } = {
  google: GoogleClient,
  slack: SlackClient,
  microsoft: MicrosoftClient,
  asana: AsanaClient,
};

export const hasClientClass = (providerId: string): providerId is ProviderWithClass => Object.hasOwn(CLIENT_CLASSES, providerId);

const genericModuleClients = new Map<string, GenericProviderClient>();

/**
 * The module-level client of a provider (`googleClient`, …), configured by
 * `configureProviderClients`; for a provider without a class of its own, a generic client made
 * on first use.
 */
export function getProviderClient<Id extends ProviderWithClass>(providerId: Id): ProviderClients[Id];
export function getProviderClient(providerId: string): ProviderClient;
export function getProviderClient(providerId: string): ProviderClient {
  if (hasClientClass(providerId)) return MODULE_CLIENTS[providerId];
  let client = genericModuleClients.get(providerId);
  if (!client) {
    client = new GenericProviderClient(providerId, defaultProviderSource(providerId));
    genericModuleClients.set(providerId, client);
  }
  return client;
}

/** A new client of a provider for an explicitly resolved provider (its own endpoints, credentials and connection params). */
export function createProviderClient<Id extends ProviderWithClass>(providerId: Id, source: ProviderSource): ProviderClients[Id];
export function createProviderClient(providerId: string, source: ProviderSource): ProviderClient;
export function createProviderClient(providerId: string, source: ProviderSource): ProviderClient {
  if (!hasClientClass(providerId)) return new GenericProviderClient(providerId, source);
  const ClientClass = CLIENT_CLASSES[providerId];
  return new ClientClass(source);
}
