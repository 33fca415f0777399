import type { ApolloServerPlugin } from '@apollo/server';

/**
 * `cache-control: no-store` on every GraphQL response: answers are per caller and per
 * organization, so no browser or proxy may keep them. This is the header Apollo's default
 * cache-control plugin sends when nothing declares a cache hint, which is the case for every
 * type here; that plugin is disabled because its willResolveField hook makes Apollo wrap and
 * time every resolved field (hundreds per `integrations` list) to compute a policy that is
 * always "uncacheable".
 */
export function noStorePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}
