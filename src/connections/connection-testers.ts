import { connectionTestUrl } from '../providers/clients/generic-provider-client.js';
import { createProviderClient, hasClientClass } from '../providers/clients/provider-client-registry.js';
import { listResolvedProviders, resolveProvider, type ProvidersConfig } from '../providers/resolve-provider.js';
import type { ConnectionTester } from './integration-test-service.js';

/**
 * `testConnection` of every provider that has one: the built-in clients', and the generic
 * client's for an entry with an account lookup or userinfo endpoint. Each test runs with the
 * integration's own params, so a Zendesk test goes to that integration's subdomain.
 */
export function connectionTesters(config: ProvidersConfig): Record<string, ConnectionTester> {
  const testers: Record<string, ConnectionTester> = {};
  for (const provider of listResolvedProviders(config)) {
    if (!hasClientClass(provider.id) && connectionTestUrl(provider) === undefined) continue;
    testers[provider.id] = (accessToken, integration) =>
      createProviderClient(provider.id, resolveProvider(provider.id, config, integration.connectionParams)).testConnection(accessToken);
  }
  return testers;
}
