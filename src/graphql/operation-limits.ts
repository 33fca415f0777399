import type { GraphQLArmorConfig } from '@escape.tech/graphql-armor-types';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, parse, type DocumentNode, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';

/** Ceilings on one operation's shape. Each rejection is a BAD_USER_INPUT error naming the limit and no internals. */
export interface OperationLimits {
  /**
   * Field nesting. The deepest legitimate read is `integrations → webhookEvents → edges → node →
   * integration → provider → health → circuitState` (8) and the gateway's `_entities` adds one.
   * @default 10
   */
  maxDepth: number;
  /** @default 15 */
  maxAliases: number;
  /** graphql-armor's cost (objects 2, scalars 1, ×1.5 per level). @default 5000 */
  maxCost: number;
  /** Lexical tokens in the document. @default 1000 */
  maxTokens: number;
  /** @default 50 */
  maxDirectives: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  maxDepth: 10,
  maxAliases: 15,
  maxCost: 5000,
  maxTokens: 1000,
  maxDirectives: 50,
};

/**
 * graphql-armor's Apollo configuration: only its hiding of field suggestions. The limits are
 * {@link limitValidationRules} on every transport, so that they read alike everywhere; the
 * token ceiling is graphql-js's own `maxTokens` parse option (armor's Apollo plugin throws
 * outside the parse phase and the caller gets a 500).
 */
export const ARMOR_CONFIG: GraphQLArmorConfig = {
  maxDepth: { enabled: false },
  maxAliases: { enabled: false },
  costLimit: { enabled: false },
  maxTokens: { enabled: false },
  maxDirectives: { enabled: false },
  blockFieldSuggestion: { enabled: true },
};

/**
 * An operation over one of the limits: `BAD_USER_INPUT`, on HTTP and on the socket alike, with a
 * message naming the limit (graphql-armor's, without its "Syntax Error:" prefix: the document
 * is well formed). Apollo files validation errors under its own code; the error formatter
 * finds this one inside.
 */
export class OperationLimitError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'BAD_USER_INPUT' } });
    this.name = 'OperationLimitError';
  }
}

/** Reports a limit violation as a validation error instead of throwing (graphql-armor's default). */
const report = (context: ValidationContext | null, error: GraphQLError): void => {
  context?.reportError(new OperationLimitError(error.message.replace(/^Syntax Error: /, '')));
};

/**
 * The limits as validation rules, for Apollo and for transports that run graphql-js directly
 * (graphql-ws: a subscription is no cheaper to abuse than a query). Every alias counts,
 * `__typename`'s too (armor leaves them out by default, and they cost as much to answer).
 */
export function limitValidationRules(limits: OperationLimits): ValidationRule[] {
  const callbacks = { propagateOnRejection: false, onReject: [report] };
  return [
    maxDepthRule({ n: limits.maxDepth, ...callbacks }),
    maxAliasesRule({ n: limits.maxAliases, allowList: [], ...callbacks }),
    costLimitRule({ maxCost: limits.maxCost, ...callbacks }),
    maxDirectivesRule({ n: limits.maxDirectives, ...callbacks }),
  ];
}

/**
 * graphql-js's own error for the token ceiling: "Syntax Error: Document contains more that N
 * tokens. Parsing aborted." (its spelling in graphql 16; "than" accepted too, should it be fixed).
 */
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\./;

/**
 * The limit an error reports, if it reports one: a rule's {@link OperationLimitError}, as is or
 * inside Apollo's validation error, or graphql-js's token-ceiling syntax error, as is (graphql-ws)
 * or inside Apollo's parse error.
 */
export function operationLimitOf(error: unknown): OperationLimitError | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  if (error instanceof OperationLimitError) return error;
  if (error.originalError instanceof OperationLimitError) return error.originalError;
  const tokens = TOKEN_LIMIT.exec(error.originalError?.message ?? error.message);
  return tokens ? new OperationLimitError(`Token limit of ${tokens[1]} exceeded.`) : undefined;
}

/** graphql-js parse options enforcing the token ceiling (Apollo's `parseOptions`). */
export const parseOptions = (limits: OperationLimits): ParseOptions => ({ maxTokens: limits.maxTokens });

/** Parses with the token ceiling; throws a GraphQLError (syntax error) past it. */
export function parseWithTokenLimit(source: string, limits: OperationLimits): DocumentNode {
  return parse(source, parseOptions(limits));
}
