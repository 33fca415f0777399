/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment IntegrationFields on Integration {\n    id\n    providerId\n    providerName\n    status\n    scopes\n    metadata\n    connectedAt\n    lastSyncAt\n    tokenExpiresAt\n    errorMessage\n    needsReauthorization\n    version\n  }\n": typeof types.IntegrationFieldsFragmentDoc,
    "\n  fragment ProviderFields on Provider {\n    id\n    name\n    configured\n    defaultScopes\n    scopes {\n      name\n      description\n    }\n    connectionParamDetails {\n      name\n      description\n      pattern\n      example\n    }\n  }\n": typeof types.ProviderFieldsFragmentDoc,
    "\n  fragment WebhookEventFields on WebhookEvent {\n    id\n    provider\n    eventType\n    status\n    attempts\n    errorMessage\n    processedAt\n    createdAt\n    version\n  }\n": typeof types.WebhookEventFieldsFragmentDoc,
    "\n  fragment ProviderSubscriptionFields on ProviderSubscription {\n    id\n    resource\n    status\n    expiresAt\n    renewAt\n    lastNotificationAt\n    lastError\n    missedNotifications\n    version\n  }\n": typeof types.ProviderSubscriptionFieldsFragmentDoc,
    "\n  query IntegrationsPage {\n    providers {\n      ...ProviderFields\n    }\n    integrations {\n      ...IntegrationFields\n      providerSubscriptions {\n        ...ProviderSubscriptionFields\n      }\n    }\n  }\n": typeof types.IntegrationsPageDocument,
    "\n  subscription ProviderSubscriptionChanged($integrationId: ID) {\n    providerSubscriptionChanged(integrationId: $integrationId) {\n      ...ProviderSubscriptionFields\n    }\n  }\n": typeof types.ProviderSubscriptionChangedDocument,
    "\n  query Providers {\n    providers {\n      ...ProviderFields\n    }\n  }\n": typeof types.ProvidersDocument,
    "\n  subscription IntegrationStatusChanged {\n    integrationStatusChanged {\n      ...IntegrationFields\n    }\n  }\n": typeof types.IntegrationStatusChangedDocument,
    "\n  mutation StartConnection($input: StartConnectionInput!) {\n    startConnection(input: $input) {\n      authorizationUrl\n      state\n      expiresAt\n    }\n  }\n": typeof types.StartConnectionDocument,
    "\n  mutation CompleteConnection($input: CompleteConnectionInput!) {\n    completeConnection(input: $input) {\n      ...IntegrationFields\n    }\n  }\n": typeof types.CompleteConnectionDocument,
    "\n  mutation DisconnectIntegration($id: ID!) {\n    disconnectIntegration(id: $id) {\n      ...IntegrationFields\n    }\n  }\n": typeof types.DisconnectIntegrationDocument,
    "\n  mutation TestIntegration($id: ID!) {\n    testIntegration(id: $id) {\n      healthy\n      checkedAt\n      latencyMs\n      error\n      integration {\n        ...IntegrationFields\n      }\n    }\n  }\n": typeof types.TestIntegrationDocument,
    "\n  query WebhookActivity($integrationId: ID!, $first: Int) {\n    integration(id: $integrationId) {\n      ...IntegrationFields\n    }\n    webhookEvents(integrationId: $integrationId, first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...WebhookEventFields\n        }\n      }\n    }\n  }\n": typeof types.WebhookActivityDocument,
    "\n  subscription WebhookEventUpdated($integrationId: ID) {\n    webhookEventUpdated(integrationId: $integrationId) {\n      ...WebhookEventFields\n    }\n  }\n": typeof types.WebhookEventUpdatedDocument,
    "\n  mutation RetryWebhookEvent($id: ID!) {\n    retryWebhookEvent(id: $id) {\n      ...WebhookEventFields\n    }\n  }\n": typeof types.RetryWebhookEventDocument,
    "\n  query Health {\n    providers {\n      id\n      name\n      configured\n      health {\n        circuitState\n        consecutiveFailures\n        lastFailureAt\n        lastError\n      }\n    }\n    webhookQueueStats {\n      pending\n      processing\n      completed\n      failed\n      oldestPendingAgeSeconds\n    }\n  }\n": typeof types.HealthDocument,
};
const documents: Documents = {
    "\n  fragment IntegrationFields on Integration {\n    id\n    providerId\n    providerName\n    status\n    scopes\n    metadata\n    connectedAt\n    lastSyncAt\n    tokenExpiresAt\n    errorMessage\n    needsReauthorization\n    version\n  }\n": types.IntegrationFieldsFragmentDoc,
    "\n  fragment ProviderFields on Provider {\n    id\n    name\n    configured\n    defaultScopes\n    scopes {\n      name\n      description\n    }\n    connectionParamDetails {\n      name\n      description\n      pattern\n      example\n    }\n  }\n": types.ProviderFieldsFragmentDoc,
    "\n  fragment WebhookEventFields on WebhookEvent {\n    id\n    provider\n    eventType\n    status\n    attempts\n    errorMessage\n    processedAt\n    createdAt\n    version\n  }\n": types.WebhookEventFieldsFragmentDoc,
    "\n  fragment ProviderSubscriptionFields on ProviderSubscription {\n    id\n    resource\n    status\n    expiresAt\n    renewAt\n    lastNotificationAt\n    lastError\n    missedNotifications\n    version\n  }\n": types.ProviderSubscriptionFieldsFragmentDoc,
    "\n  query IntegrationsPage {\n    providers {\n      ...ProviderFields\n    }\n    integrations {\n      ...IntegrationFields\n      providerSubscriptions {\n        ...ProviderSubscriptionFields\n      }\n    }\n  }\n": types.IntegrationsPageDocument,
    "\n  subscription ProviderSubscriptionChanged($integrationId: ID) {\n    providerSubscriptionChanged(integrationId: $integrationId) {\n      ...ProviderSubscriptionFields\n    }\n  }\n": types.ProviderSubscriptionChangedDocument,
    "\n  query Providers {\n    providers {\n      ...ProviderFields\n    }\n  }\n": types.ProvidersDocument,
    "\n  subscription IntegrationStatusChanged {\n    integrationStatusChanged {\n      ...IntegrationFields\n    }\n  }\n": types.IntegrationStatusChangedDocument,
    "\n  mutation StartConnection($input: StartConnectionInput!) {\n    startConnection(input: $input) {\n      authorizationUrl\n      state\n      expiresAt\n    }\n  }\n": types.StartConnectionDocument,
    "\n  mutation CompleteConnection($input: CompleteConnectionInput!) {\n    completeConnection(input: $input) {\n      ...IntegrationFields\n    }\n  }\n": types.CompleteConnectionDocument,
    "\n  mutation DisconnectIntegration($id: ID!) {\n    disconnectIntegration(id: $id) {\n      ...IntegrationFields\n    }\n  }\n": types.DisconnectIntegrationDocument,
    "\n  mutation TestIntegration($id: ID!) {\n    testIntegration(id: $id) {\n      healthy\n      checkedAt\n      latencyMs\n      error\n      integration {\n        ...IntegrationFields\n      }\n    }\n  }\n": types.TestIntegrationDocument,
    "\n  query WebhookActivity($integrationId: ID!, $first: Int) {\n    integration(id: $integrationId) {\n      ...IntegrationFields\n    }\n    webhookEvents(integrationId: $integrationId, first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...WebhookEventFields\n        }\n      }\n    }\n  }\n": types.WebhookActivityDocument,
    "\n  subscription WebhookEventUpdated($integrationId: ID) {\n    webhookEventUpdated(integrationId: $integrationId) {\n      ...WebhookEventFields\n    }\n  }\n": types.WebhookEventUpdatedDocument,
    "\n  mutation RetryWebhookEvent($id: ID!) {\n    retryWebhookEvent(id: $id) {\n      ...WebhookEventFields\n    }\n  }\n": types.RetryWebhookEventDocument,
    "\n  query Health {\n    providers {\n      id\n      name\n      configured\n      health {\n        circuitState\n        consecutiveFailures\n        lastFailureAt\n        lastError\n      }\n    }\n    webhookQueueStats {\n      pending\n      processing\n      completed\n      failed\n      oldestPendingAgeSeconds\n    }\n  }\n": types.HealthDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment IntegrationFields on Integration {\n    id\n    providerId\n    providerName\n    status\n    scopes\n    metadata\n    connectedAt\n    lastSyncAt\n    tokenExpiresAt\n    errorMessage\n    needsReauthorization\n    version\n  }\n"): (typeof documents)["\n  fragment IntegrationFields on Integration {\n    id\n    providerId\n    providerName\n    status\n    scopes\n    metadata\n    connectedAt\n    lastSyncAt\n    tokenExpiresAt\n    errorMessage\n    needsReauthorization\n    version\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProviderFields on Provider {\n    id\n    name\n    configured\n    defaultScopes\n    scopes {\n      name\n      description\n    }\n    connectionParamDetails {\n      name\n      description\n      pattern\n      example\n    }\n  }\n"): (typeof documents)["\n  fragment ProviderFields on Provider {\n    id\n    name\n    configured\n    defaultScopes\n    scopes {\n      name\n      description\n    }\n    connectionParamDetails {\n      name\n      description\n      pattern\n      example\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WebhookEventFields on WebhookEvent {\n    id\n    provider\n    eventType\n    status\n    attempts\n    errorMessage\n    processedAt\n    createdAt\n    version\n  }\n"): (typeof documents)["\n  fragment WebhookEventFields on WebhookEvent {\n    id\n    provider\n    eventType\n    status\n    attempts\n    errorMessage\n    processedAt\n    createdAt\n    version\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProviderSubscriptionFields on ProviderSubscription {\n    id\n    resource\n    status\n    expiresAt\n    renewAt\n    lastNotificationAt\n    lastError\n    missedNotifications\n    version\n  }\n"): (typeof documents)["\n  fragment ProviderSubscriptionFields on ProviderSubscription {\n    id\n    resource\n    status\n    expiresAt\n    renewAt\n    lastNotificationAt\n    lastError\n    missedNotifications\n    version\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IntegrationsPage {\n    providers {\n      ...ProviderFields\n    }\n    integrations {\n      ...IntegrationFields\n      providerSubscriptions {\n        ...ProviderSubscriptionFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query IntegrationsPage {\n    providers {\n      ...ProviderFields\n    }\n    integrations {\n      ...IntegrationFields\n      providerSubscriptions {\n        ...ProviderSubscriptionFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ProviderSubscriptionChanged($integrationId: ID) {\n    providerSubscriptionChanged(integrationId: $integrationId) {\n      ...ProviderSubscriptionFields\n    }\n  }\n"): (typeof documents)["\n  subscription ProviderSubscriptionChanged($integrationId: ID) {\n    providerSubscriptionChanged(integrationId: $integrationId) {\n      ...ProviderSubscriptionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Providers {\n    providers {\n      ...ProviderFields\n    }\n  }\n"): (typeof documents)["\n  query Providers {\n    providers {\n      ...ProviderFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription IntegrationStatusChanged {\n    integrationStatusChanged {\n      ...IntegrationFields\n    }\n  }\n"): (typeof documents)["\n  subscription IntegrationStatusChanged {\n    integrationStatusChanged {\n      ...IntegrationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartConnection($input: StartConnectionInput!) {\n    startConnection(input: $input) {\n      authorizationUrl\n      state\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation StartConnection($input: StartConnectionInput!) {\n    startConnection(input: $input) {\n      authorizationUrl\n      state\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteConnection($input: CompleteConnectionInput!) {\n    completeConnection(input: $input) {\n      ...IntegrationFields\n    }\n  }\n"): (typeof documents)["\n  mutation CompleteConnection($input: CompleteConnectionInput!) {\n    completeConnection(input: $input) {\n      ...IntegrationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisconnectIntegration($id: ID!) {\n    disconnectIntegration(id: $id) {\n      ...IntegrationFields\n    }\n  }\n"): (typeof documents)["\n  mutation DisconnectIntegration($id: ID!) {\n    disconnectIntegration(id: $id) {\n      ...IntegrationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation TestIntegration($id: ID!) {\n    testIntegration(id: $id) {\n      healthy\n      checkedAt\n      latencyMs\n      error\n      integration {\n        ...IntegrationFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation TestIntegration($id: ID!) {\n    testIntegration(id: $id) {\n      healthy\n      checkedAt\n      latencyMs\n      error\n      integration {\n        ...IntegrationFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebhookActivity($integrationId: ID!, $first: Int) {\n    integration(id: $integrationId) {\n      ...IntegrationFields\n    }\n    webhookEvents(integrationId: $integrationId, first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...WebhookEventFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WebhookActivity($integrationId: ID!, $first: Int) {\n    integration(id: $integrationId) {\n      ...IntegrationFields\n    }\n    webhookEvents(integrationId: $integrationId, first: $first) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...WebhookEventFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WebhookEventUpdated($integrationId: ID) {\n    webhookEventUpdated(integrationId: $integrationId) {\n      ...WebhookEventFields\n    }\n  }\n"): (typeof documents)["\n  subscription WebhookEventUpdated($integrationId: ID) {\n    webhookEventUpdated(integrationId: $integrationId) {\n      ...WebhookEventFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryWebhookEvent($id: ID!) {\n    retryWebhookEvent(id: $id) {\n      ...WebhookEventFields\n    }\n  }\n"): (typeof documents)["\n  mutation RetryWebhookEvent($id: ID!) {\n    retryWebhookEvent(id: $id) {\n      ...WebhookEventFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Health {\n    providers {\n      id\n      name\n      configured\n      health {\n        circuitState\n        consecutiveFailures\n        lastFailureAt\n        lastError\n      }\n    }\n    webhookQueueStats {\n      pending\n      processing\n      completed\n      failed\n      oldestPendingAgeSeconds\n    }\n  }\n"): (typeof documents)["\n  query Health {\n    providers {\n      id\n      name\n      configured\n      health {\n        circuitState\n        consecutiveFailures\n        lastFailureAt\n        lastError\n      }\n    }\n    webhookQueueStats {\n      pending\n      processing\n      completed\n      failed\n      oldestPendingAgeSeconds\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;