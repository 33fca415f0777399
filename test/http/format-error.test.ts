import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { AppError, ErrorCode } from '../../src/errors/app-error.js';
import { createErrorFormatter } from '../../src/graphql/format-error.js';
import { IntegrationError } from '../../src/providers/integration-error.js';
import { CircuitOpenError } from '../../src/resilience/circuit-open-error.js';
import { DeadlineExceededError } from '../../src/resilience/deadline-exceeded-error.js';

/** The formatter's view of an error a resolver threw at `integration`. */
function format(thrown: unknown) {
  const logged: unknown[] = [];
  const formatter = createErrorFormatter({ error: (object: unknown) => void logged.push(object) } as never);
  const located = new GraphQLError(thrown instanceof Error ? thrown.message : String(thrown), {
    path: ['integration'],
    originalError: thrown instanceof Error ? thrown : undefined,
  });
  return { result: formatter(located.toJSON(), located), logged };
}

describe('createErrorFormatter', () => {
  it.each(Object.values(ErrorCode).filter((code) => code !== ErrorCode.INTERNAL_SERVER_ERROR))('passes AppError %s through', (code) => {
    const { result, logged } = format(new AppError(code, 'safe words'));
    expect(result).toEqual({ message: 'safe words', path: ['integration'], extensions: { code } });
    expect(logged).toHaveLength(0);
  });

  it('keeps AppError details as extensions', () => {
    expect(format(new AppError(ErrorCode.BAD_USER_INPUT, 'bad', { field: 'redirectUri' })).result.extensions).toEqual({
      field: 'redirectUri',
      code: 'BAD_USER_INPUT',
    });
  });

  it('maps the resilience layer: unavailable, rate limited (with the wait), open circuit, deadline', () => {
    const body = { error: 'secret upstream body with token xoxb-123' };
    const unavailable = format(new IntegrationError('google returned 503', { service: 'google', code: 'PROVIDER_UNAVAILABLE', statusCode: 503, response: body }));
    expect(unavailable.result.extensions).toEqual({ code: 'PROVIDER_UNAVAILABLE' });
    expect(JSON.stringify(unavailable.result)).not.toContain('xoxb');

    const limited = format(new IntegrationError('slack 429', { service: 'slack', code: 'RATE_LIMITED', statusCode: 429, retryAfterMs: 2500 }));
    expect(limited.result).toMatchObject({ message: 'slack is rate limiting requests; try again later', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 3 } });

    expect(format(new CircuitOpenError('asana', 10_000)).result.extensions).toEqual({ code: 'PROVIDER_UNAVAILABLE', retryAfterSeconds: 10 });
    expect(format(new DeadlineExceededError(30_000)).result.extensions).toEqual({ code: 'PROVIDER_UNAVAILABLE' });
  });

  it('passes the provider’s own code and message (already cleaned by the resilience layer) as extensions.providerError', () => {
    const limited = format(
      new IntegrationError('google rate limit reached (HTTP 403): userRateLimitExceeded: User Rate Limit Exceeded', {
        service: 'google',
        code: 'RATE_LIMITED',
        statusCode: 403,
        retryAfterMs: 1000,
        response: { error: { code: 403, message: 'User Rate Limit Exceeded' } },
        providerError: { code: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' },
      }),
    );
    expect(limited.result).toEqual({
      message: 'google is rate limiting requests; try again later',
      path: ['integration'],
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1, providerError: { code: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' } },
    });
  });

  it('answers anything else with INTERNAL_SERVER_ERROR and a generic message, logging it', () => {
    const { result, logged } = format(new Error('duplicate key value violates unique constraint "integrations_pkey" access_token=abc'));
    expect(result).toEqual({ message: 'internal server error', path: ['integration'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(logged).toHaveLength(1);
  });

  it('does not trust an unknown code on a resolver error', () => {
    const error = Object.assign(new Error('internal detail'), { extensions: { code: 'SOMETHING_ELSE' } });
    expect(format(error).result.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('answers a non-Error throw as internal', () => {
    expect(format('a string').result.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('keeps request errors (validation) with their code', () => {
    const formatter = createErrorFormatter({ error: () => undefined } as never);
    const validation = new GraphQLError('Cannot query field "x" on type "Query".', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(formatter(validation.toJSON(), validation).extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    const bare = new GraphQLError('Syntax Error: Unexpected "}".');
    expect(formatter(bare.toJSON(), bare)).toEqual({ message: 'Syntax Error: Unexpected "}".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
  });
});
