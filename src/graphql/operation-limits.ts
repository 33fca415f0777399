import type { GraphQLArmorConfig } from '@escape.tech/graphql-armor-types';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, parse, type DocumentNode, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';

/** Ceilings on one operation's shape. Each rejection is a BAD_USER_INPUT error naming no internals. */
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
 * graphql-armor's Apollo configuration for the limits (field suggestions blocked too). The token
 * ceiling is not armor's: its Apollo plugin throws outside the parse phase and the caller gets a
 * 500, where graphql-js's own `maxTokens` parse option yields a 400 syntax error.
 */
export function armorConfig(limits: OperationLimits): GraphQLArmorConfig {
  return {
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    costLimit: { maxCost: limits.maxCost },
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    blockFieldSuggestion: { enabled: true },
  };
}

/** Reports a limit violation as a validation error instead of throwing (graphql-armor's Apollo default). */
const report = (context: ValidationContext | null, error: GraphQLError): void => {
  context?.reportError(new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } }));
};

/**
 * The same limits as validation rules, for transports that run graphql-js directly (graphql-ws):
 * a subscription is no cheaper to abuse than a query.
 */
export function limitValidationRules(limits: OperationLimits): ValidationRule[] {
  const callbacks = { propagateOnRejection: false, onReject: [report] };
  return [
    maxDepthRule({ n: limits.maxDepth, ...callbacks }),
    maxAliasesRule({ n: limits.maxAliases, ...callbacks }),
    costLimitRule({ maxCost: limits.maxCost, ...callbacks }),
    maxDirectivesRule({ n: limits.maxDirectives, ...callbacks }),
  ];
}

/** graphql-js parse options enforcing the token ceiling (Apollo's `parseOptions`). */
export const parseOptions = (limits: OperationLimits): ParseOptions => ({ maxTokens: limits.maxTokens });

/** Parses with the token ceiling; throws a GraphQLError (syntax error) past it. */
export function parseWithTokenLimit(source: string, limits: OperationLimits): DocumentNode {
  return parse(source, parseOptions(limits));
}
