import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { AppError, ErrorCode } from '../errors/app-error.js';
import { IntegrationError, IntegrationErrorCode } from '../resilience/integration-error.js';
import { operationLimitOf } from './operation-limits.js';
import type { ProviderErrorSummary } from '../resilience/provider-error.js';
import { CircuitOpenError } from '../resilience/circuit-open-error.js';
import { DeadlineExceededError } from '../resilience/deadline-exceeded-error.js';

interface ProviderFailure {
  code: ErrorCode;
  message: string;
  retryAfterMs?: number | undefined;
  providerError?: ProviderErrorSummary | undefined;
}

/**
 * How a failed provider call (resilience layer) reaches the caller: a contract code, a message of
 * ours, the wait, and the provider's own code and message (`extensions.providerError`, cleaned
 * and bounded by the resilience layer).
 */
function describeProviderFailure(error: unknown): ProviderFailure | undefined {
  if (error instanceof CircuitOpenError) {
    return { code: ErrorCode.PROVIDER_UNAVAILABLE, message: 'the provider is unavailable; try again later', retryAfterMs: error.retryAfterMs };
  }
  if (error instanceof DeadlineExceededError) {
    return { code: ErrorCode.PROVIDER_UNAVAILABLE, message: 'the provider did not answer in time; try again later' };
  }
  if (!(error instanceof IntegrationError)) return undefined;
  // Our own wording in the message; what the provider said travels apart, as it said it.
  const { retryAfterMs, providerError } = error;
  if (error.code === IntegrationErrorCode.PROVIDER_UNAVAILABLE) {
    return { code: ErrorCode.PROVIDER_UNAVAILABLE, message: `${error.service} is unavailable; try again later`, retryAfterMs, providerError };
  }
  if (error.code === IntegrationErrorCode.RATE_LIMITED) {
    return { code: ErrorCode.RATE_LIMITED, message: `${error.service} is rate limiting requests; try again later`, retryAfterMs, providerError };
  }
  return undefined;
}

const CONTRACT_CODES = new Set<string>(Object.values(ErrorCode));
/**
 * Codes GraphQL itself and Apollo Server put on request errors (parse, validation, variables,
 * limits). Their messages describe the caller's document, not our internals, so they pass.
 */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

const INTERNAL_MESSAGE = 'internal server error';

export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

const withCode = (
  formatted: GraphQLFormattedError,
  message: string,
  code: string,
  extra: Readonly<Record<string, unknown>> = {},
): GraphQLFormattedError => ({
  message,
  ...(formatted.locations && { locations: formatted.locations }),
  ...(formatted.path && { path: formatted.path }),
  extensions: { ...extra, code },
});

/**
 * The one place that decides what a caller learns about an error (Apollo's `formatError`, and
 * the graphql-ws adapter for subscriptions). AppError and IntegrationError codes become
 * `extensions.code`; request errors keep their code; anything else is logged here and answered
 * with INTERNAL_SERVER_ERROR and a generic message. Stack traces never leave.
 */
export function createErrorFormatter(logger: Pick<Logger, 'error'>): ErrorFormatter {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      return withCode(formatted, original.message, original.code, original.details);
    }
    const providerFailure = describeProviderFailure(original);
    if (providerFailure) {
      const { code, message, retryAfterMs, providerError } = providerFailure;
      return withCode(formatted, message, code, {
        ...(retryAfterMs !== undefined && { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) }),
        ...(providerError !== undefined && { providerError }),
      });
    }
    // An operation over a limit, on either transport and whoever wrapped it.
    const limit = operationLimitOf(original);
    if (limit) return withCode(formatted, limit.message, ErrorCode.BAD_USER_INPUT);
    // Request errors (parse, validation, variables; Apollo wraps them keeping the code)
    // and errors raised deliberately with a contract code describe the caller's request.
    if (original instanceof GraphQLError) {
      const code = typeof original.extensions.code === 'string' ? original.extensions.code : undefined;
      if (code !== undefined && code !== ErrorCode.INTERNAL_SERVER_ERROR && (CONTRACT_CODES.has(code) || REQUEST_ERROR_CODES.has(code))) {
        return withCode(formatted, formatted.message, code);
      }
      // graphql-js's own parse and validation errors (graphql-ws runs graphql-js directly) carry
      // no code and no path; errors raised while executing always have a path.
      if (code === undefined && original.path === undefined && original.originalError === undefined) {
        return withCode(formatted, formatted.message, 'GRAPHQL_VALIDATION_FAILED');
      }
    }
    const cause = original instanceof Error ? original : new Error(typeof original === 'string' ? original : 'non-error thrown');
    logger.error({ err: cause, path: formatted.path }, 'unexpected error in GraphQL operation');
    return withCode(formatted, INTERNAL_MESSAGE, ErrorCode.INTERNAL_SERVER_ERROR);
  };
}
