import { AsanaClient, asanaClient } from '../asana/asana-client.js';
import { GoogleClient, googleClient } from '../google/google-client.js';
import { MicrosoftClient, microsoftClient } from '../microsoft/microsoft-client.js';
import type { ProviderId } from '../provider-ids.js';
import { SlackClient, slackClient } from '../slack/slack-client.js';
import type { ProviderSource } from './default-providers.js';

export type { ProviderClient } from './provider-client.js';

/** The concrete client type of each provider. */
export interface ProviderClients {
  google: GoogleClient;
  slack: SlackClient;
  microsoft: MicrosoftClient;
  asana: AsanaClient;
}

const MODULE_CLIENTS: ProviderClients = { google: googleClient, slack: slackClient, microsoft: microsoftClient, asana: asanaClient };

const CLIENT_CLASSES: { [Id in ProviderId]: new (source: ProviderSource) => ProviderClients[Id] } = {
  google: GoogleClient,
  slack: SlackClient,
  microsoft: MicrosoftClient,
  asana: AsanaClient,
};

/** The module-level client of a provider (`googleClient`, …), configured by `configureProviderClients`. */
export function getProviderClient<Id extends ProviderId>(providerId: Id): ProviderClients[Id] {
  return MODULE_CLIENTS[providerId];
}

/** A new client of a provider for an explicitly resolved provider (its own endpoints and credentials). */
export function createProviderClient<Id extends ProviderId>(providerId: Id, source: ProviderSource): ProviderClients[Id] {
  const ClientClass = CLIENT_CLASSES[providerId];
  return new ClientClass(source);
}
