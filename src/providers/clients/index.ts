export { configureProviderClients, type ProviderSource } from './default-providers.js';
export { createProviderClient, getProviderClient, type ProviderClients } from './provider-client-registry.js';
export { GenericProviderClient } from './generic-provider-client.js';
export type { ProviderClient } from './provider-client.js';
