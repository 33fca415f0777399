import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from './context.js';

/**
 * Gives every query over HTTP one read transaction (see OrganizationReads): switched on when
 * execution starts, ended once the response is ready (committed, or rolled back after a failed
 * statement). Mutations keep a transaction per read: their services open transactions of their
 * own, and holding a connection across them could starve the pool.
 */
export function readTransactionPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ contextValue, operation }) {
          if (operation.operation === 'query') contextValue.reads.shareOneTransaction();
        },
        async willSendResponse({ contextValue }) {
          await contextValue.reads.end();
        },
      };
    },
  };
}
