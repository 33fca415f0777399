import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLErrorExtensions } from 'graphql';
import { AppError, ErrorCode } from '../errors/app-error.js';
import type { GraphQLContext } from './context.js';
import { isPublicOperation } from './public-operations.js';

/**
 * Why a request's credentials were refused, on the context object. The HTTP transport builds the
 * context before the operation is parsed, so it cannot yet tell a gateway's public `_entities`
 * query from one that needs a caller; it records the failure and this plugin decides. A symbol
 * key, because Apollo shallow-copies the context per operation (a WeakMap would lose it).
 */
const AUTHENTICATION_FAILURE = Symbol('authenticationFailure');
type WithFailure = GraphQLContext & { [AUTHENTICATION_FAILURE]?: AppError };

export function rememberAuthenticationFailure(context: GraphQLContext, error: AppError): void {
  (context as WithFailure)[AUTHENTICATION_FAILURE] = error;
}

/**
 * Every operation needs an authenticated caller except the gateway's (`_service`, `_entities`),
 * which run with a null principal when the token is missing or invalid. The refusal is a 401.
 */
export function authenticationPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          if (contextValue.principal || (operation && isPublicOperation(operation, document))) return;
          const failure = (contextValue as WithFailure)[AUTHENTICATION_FAILURE] ?? new AppError(ErrorCode.UNAUTHENTICATED, 'missing bearer token');
          // Apollo reads `extensions.http` (status + a header Map) for the response head; the cast is
          // because graphql-yoga, installed for the gateway tests, re-declares that extension's type.
          const http = { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer']]) } as unknown as GraphQLErrorExtensions['http'];
          throw new GraphQLError(failure.message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http } });
        },
      };
    },
  };
}
