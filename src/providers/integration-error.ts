/**
 * `IntegrationError` under the providers package, where the README's library API (and, through
 * `base-client.ts`, the seed) imports it from. It is defined by the resilience layer, which
 * raises it and sits below the providers.
 */
export {
  IntegrationError,
  IntegrationErrorCode,
  isIntegrationError,
  isProviderAuthError,
  type IntegrationErrorOptions,
  type IntegrationFailureKind,
} from '../resilience/integration-error.js';
