import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * Root fields anyone may query without a token: what a federation gateway asks a subgraph
 * (`_service` for the SDL, `_entities` to resolve references, which scope themselves to the
 * caller, or answer nothing without one) and `__typename`, which reads nothing and is what
 * gateways' health checks send (Apollo Gateway's `serviceHealthCheck`).
 */
const PUBLIC_ROOT_FIELDS = new Set(['_service', '_entities', '__typename']);

function onlyPublicFields(selectionSet: SelectionSetNode, document: DocumentNode, seen: Set<string>): boolean {
  return selectionSet.selections.every((selection) => {
    switch (selection.kind) {
      case Kind.FIELD:
        return PUBLIC_ROOT_FIELDS.has(selection.name.value);
      case Kind.INLINE_FRAGMENT:
        return onlyPublicFields(selection.selectionSet, document, seen);
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        if (seen.has(name)) return true;
        seen.add(name);
        const fragment = document.definitions.find(
          (definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === name,
        );
        return fragment?.kind === Kind.FRAGMENT_DEFINITION && onlyPublicFields(fragment.selectionSet, document, seen);
      }
    }
  });
}

/** True when the operation is a query that selects nothing but the gateway's public root fields. */
export function isPublicOperation(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  return operation.operation === 'query' && onlyPublicFields(operation.selectionSet, document, new Set());
}
