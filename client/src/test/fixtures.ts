import type { IntegrationFieldsFragment, ProviderFieldsFragment, ProviderSubscriptionFieldsFragment, WebhookEventFieldsFragment } from '../gql/graphql';

export const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

export const googleProvider: ProviderFieldsFragment = {
  id: 'google',
  name: 'Google Workspace',
  configured: true,
  defaultScopes: ['https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/auth/userinfo.email'],
  scopes: [
    { name: 'https://www.googleapis.com/auth/calendar', description: 'Calendar access' },
    { name: 'https://www.googleapis.com/auth/drive', description: 'Drive access' },
    { name: 'https://www.googleapis.com/auth/userinfo.email', description: 'User email' },
  ],
  connectionParamDetails: [],
};

export const slackProvider: ProviderFieldsFragment = {
  id: 'slack',
  name: 'Slack',
  configured: true,
  defaultScopes: ['chat:write'],
  scopes: [
    { name: 'chat:write', description: 'Send messages' },
    { name: 'channels:read', description: 'List channels' },
  ],
  connectionParamDetails: [],
};

export const asanaProvider: ProviderFieldsFragment = {
  id: 'asana',
  name: 'Asana',
  configured: false,
  defaultScopes: [],
  scopes: [{ name: 'default', description: 'Full access' }],
  connectionParamDetails: [],
};

/** A provider that asks for a value when connecting (from a deployment's PROVIDERS_FILE). */
export const zendeskProvider: ProviderFieldsFragment = {
  id: 'zendesk',
  name: 'Zendesk',
  configured: true,
  defaultScopes: ['read'],
  scopes: [{ name: 'read', description: 'Read tickets' }],
  connectionParamDetails: [
    { name: 'subdomain', description: 'Your Zendesk subdomain (acme in acme.zendesk.com)', pattern: '[a-z0-9-]+', example: 'acme' },
  ],
};

/** `count` configured providers named Provider 1…n, for the picker's search. */
export const manyProviders = (count: number): ProviderFieldsFragment[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `provider-${index + 1}`,
    name: `Provider ${index + 1}`,
    configured: true,
    defaultScopes: [],
    scopes: [],
    connectionParamDetails: [],
  }));

export function integration(overrides: Partial<IntegrationFieldsFragment> = {}): IntegrationFieldsFragment {
  return {
    id: 'int-google',
    providerId: 'google',
    providerName: 'Google Workspace',
    status: 'CONNECTED',
    scopes: ['https://www.googleapis.com/auth/calendar'],
    metadata: null,
    connectedAt: minutesAgo(3 * 24 * 60),
    lastSyncAt: minutesAgo(3),
    tokenExpiresAt: null,
    errorMessage: null,
    needsReauthorization: false,
    version: 1,
    ...overrides,
  };
}

export function webhookEvent(overrides: Partial<WebhookEventFieldsFragment> = {}): WebhookEventFieldsFragment {
  return {
    id: 'evt-1',
    provider: 'slack',
    eventType: 'message.created',
    status: 'PENDING',
    attempts: 0,
    errorMessage: null,
    processedAt: null,
    createdAt: minutesAgo(2),
    version: 1,
    ...overrides,
  };
}

export const minutesFromNow = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

export function providerSubscription(overrides: Partial<ProviderSubscriptionFieldsFragment> = {}): ProviderSubscriptionFieldsFragment {
  return {
    id: 'sub-1',
    resource: 'calendar/primary',
    status: 'ACTIVE',
    expiresAt: minutesFromNow(6 * 24 * 60),
    renewAt: minutesFromNow(5 * 24 * 60),
    lastNotificationAt: minutesAgo(5),
    lastError: null,
    missedNotifications: 0,
    version: 1,
    ...overrides,
  };
}
