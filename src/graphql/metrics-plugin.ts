import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import type { ServiceMetrics } from '../metrics.js';

/**
 * The first root field names the operation in metrics: it is bounded by the schema, where
 * client-chosen operation names would let any caller mint label values without end.
 */
export function rootFieldOf(operation: OperationDefinitionNode | undefined): string {
  const first = operation?.selectionSet.selections.find((selection) => selection.kind === Kind.FIELD);
  return first?.kind === Kind.FIELD ? first.name.value : 'unknown';
}

/** Counts and times every GraphQL operation over HTTP. */
export function metricsPlugin(metrics: ServiceMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, errors }) {
          const labels = {
            operation_type: operation?.operation ?? 'unknown',
            root_field: operation ? rootFieldOf(operation) : 'unknown',
            outcome: errors && errors.length > 0 ? 'error' : 'success',
          };
          metrics.graphqlOperations.inc(labels);
          metrics.graphqlOperationDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
