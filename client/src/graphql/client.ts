import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { createLiveConnection, type LiveConnection } from './liveConnection';
import { createProviderProxy, type ProviderProxy } from './providerProxy';

export interface ApiClients {
  client: Client;
  /** State of the subscription socket. */
  live: LiveConnection;
  /** Calls through the provider proxy with the same token. */
  proxy: ProviderProxy;
  /** Closes the WebSocket; call when the token changes or the app unmounts. */
  dispose: () => void;
}

function websocketUrl(origin: string): string {
  const url = new URL('/graphql', origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * urql client for the subgraph: queries and mutations over HTTP POST, subscriptions over
 * graphql-ws on the same path. Apollo Server's CSRF prevention accepts JSON POSTs; the
 * `apollo-require-preflight` header keeps any GET (or proxy rewrite) acceptable too.
 */
export interface ApiClientOptions {
  /** Called when the server rejects the token (`UNAUTHENTICATED`). */
  onUnauthenticated?: () => void;
  /** @default window.location.origin */
  origin?: string;
}

export function createApiClients(token: string, options: ApiClientOptions = {}): ApiClients {
  const origin = options.origin ?? window.location.origin;
  const live = createLiveConnection();
  let everConnected = false;
  const ws: WsClient = createWsClient({
    url: websocketUrl(origin),
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: {
      connected: () => {
        everConnected = true;
        live.set('connected');
      },
      closed: () => live.set(everConnected ? 'reconnecting' : 'connecting'),
    },
  });

  const client = new Client({
    url: new URL('/graphql', origin).toString(),
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: () => ({
      headers: {
        authorization: `Bearer ${token}`,
        'apollo-require-preflight': 'true',
      },
    }),
    exchanges: [
      mapExchange({
        onError(error) {
          const unauthenticated = error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
            || (error.response as Response | undefined)?.status === 401;
          if (unauthenticated) options.onUnauthenticated?.();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return { client, live, proxy: createProviderProxy(token, origin), dispose: () => void ws.dispose() };
}
