export { IntegrationEntity, type IntegrationStatusValue } from './integration.entity.js';
export { OAuthStateEntity } from './oauth-state.entity.js';
export { WebhookEventEntity, type WebhookEventStatusValue } from './webhook-event.entity.js';
