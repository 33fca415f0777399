import { BREAK, getNamedType, getOperationAST, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';

/**
 * Fields whose value is not the organization's rows: they change without any write to announce
 * it, so an answer selecting one is never cached. Keep this list next to any new such field.
 */
export const VOLATILE_FIELDS: ReadonlySet<string> = new Set([
  // This instance's circuit breaker, in memory.
  'Provider.health',
  // Grows with the clock.
  'WebhookQueueStats.oldestPendingAgeSeconds',
]);

const verdicts = new WeakMap<DocumentNode, Map<string, boolean>>();

/**
 * Whether the answer to this operation is a function of the organization's rows alone: a query
 * (not a mutation or subscription) none of whose selected fields, fragments included, is
 * volatile. Decided once per parsed document (Apollo keeps one per query text) and operation.
 */
export function isCacheableOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): boolean {
  let byOperation = verdicts.get(document);
  if (!byOperation) verdicts.set(document, (byOperation = new Map()));
  const name = operationName ?? '';
  let verdict = byOperation.get(name);
  if (verdict === undefined) {
    verdict = decide(schema, document, operationName);
    byOperation.set(name, verdict);
  }
  return verdict;
}

function decide(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'query') return false;
  // Fragments are visited wherever they are defined, so a volatile field in any fragment of the
  // document counts, even one this operation does not spread: a cheap, safe over-approximation.
  let cacheable = true;
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        // Other operations of the document are not run by this request.
        return node === operation ? undefined : false;
      },
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && VOLATILE_FIELDS.has(`${getNamedType(parent).name}.${node.name.value}`)) {
          cacheable = false;
          return BREAK;
        }
        return undefined;
      },
    }),
  );
  return cacheable;
}
