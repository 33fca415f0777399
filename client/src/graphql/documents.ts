import { graphql } from '../gql';

/** Everything a card shows about one connection. */
export const IntegrationFieldsFragment = graphql(`
  fragment IntegrationFields on Integration {
    id
    providerId
    providerName
    status
    scopes
    metadata
    connectedAt
    lastSyncAt
    tokenExpiresAt
    errorMessage
    needsReauthorization
    version
  }
`);

export const ProviderFieldsFragment = graphql(`
  fragment ProviderFields on Provider {
    id
    name
    configured
    defaultScopes
    scopes {
      name
      description
    }
    connectionParamDetails {
      name
      description
      pattern
      example
    }
  }
`);

export const WebhookEventFieldsFragment = graphql(`
  fragment WebhookEventFields on WebhookEvent {
    id
    provider
    eventType
    status
    attempts
    errorMessage
    processedAt
    createdAt
    version
  }
`);

/** What an integration card shows about one provider subscription (a webhook registration at the provider). */
export const ProviderSubscriptionFieldsFragment = graphql(`
  fragment ProviderSubscriptionFields on ProviderSubscription {
    id
    resource
    status
    expiresAt
    renewAt
    lastNotificationAt
    lastError
    missedNotifications
    version
  }
`);

export const IntegrationsPageQuery = graphql(`
  query IntegrationsPage {
    providers {
      ...ProviderFields
    }
    integrations {
      ...IntegrationFields
      providerSubscriptions {
        ...ProviderSubscriptionFields
      }
    }
  }
`);

export const ProviderSubscriptionChangedSubscription = graphql(`
  subscription ProviderSubscriptionChanged($integrationId: ID) {
    providerSubscriptionChanged(integrationId: $integrationId) {
      ...ProviderSubscriptionFields
    }
  }
`);

export const ProvidersQuery = graphql(`
  query Providers {
    providers {
      ...ProviderFields
    }
  }
`);

export const IntegrationStatusChangedSubscription = graphql(`
  subscription IntegrationStatusChanged {
    integrationStatusChanged {
      ...IntegrationFields
    }
  }
`);

export const StartConnectionMutation = graphql(`
  mutation StartConnection($input: StartConnectionInput!) {
    startConnection(input: $input) {
      authorizationUrl
      state
      expiresAt
    }
  }
`);

/** Completes a connection whose callback the service forwarded to the UI (`OAUTH_CALLBACK_MODE=forward`). */
export const CompleteConnectionMutation = graphql(`
  mutation CompleteConnection($input: CompleteConnectionInput!) {
    completeConnection(input: $input) {
      ...IntegrationFields
    }
  }
`);

export const DisconnectIntegrationMutation = graphql(`
  mutation DisconnectIntegration($id: ID!) {
    disconnectIntegration(id: $id) {
      ...IntegrationFields
    }
  }
`);

export const TestIntegrationMutation = graphql(`
  mutation TestIntegration($id: ID!) {
    testIntegration(id: $id) {
      healthy
      checkedAt
      latencyMs
      error
      integration {
        ...IntegrationFields
      }
    }
  }
`);

export const WebhookActivityQuery = graphql(`
  query WebhookActivity($integrationId: ID!, $first: Int) {
    integration(id: $integrationId) {
      ...IntegrationFields
    }
    webhookEvents(integrationId: $integrationId, first: $first) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...WebhookEventFields
        }
      }
    }
  }
`);

export const WebhookEventUpdatedSubscription = graphql(`
  subscription WebhookEventUpdated($integrationId: ID) {
    webhookEventUpdated(integrationId: $integrationId) {
      ...WebhookEventFields
    }
  }
`);

export const RetryWebhookEventMutation = graphql(`
  mutation RetryWebhookEvent($id: ID!) {
    retryWebhookEvent(id: $id) {
      ...WebhookEventFields
    }
  }
`);

export const HealthQuery = graphql(`
  query Health {
    providers {
      id
      name
      configured
      health {
        circuitState
        consecutiveFailures
        lastFailureAt
        lastError
      }
    }
    webhookQueueStats {
      pending
      processing
      completed
      failed
      oldestPendingAgeSeconds
    }
  }
`);
