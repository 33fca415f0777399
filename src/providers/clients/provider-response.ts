import type { z } from 'zod';
import { IntegrationError, IntegrationErrorCode, isProviderAuthError } from '../integration-error.js';

/**
 * Turns a provider's JSON answer into a typed value once, at the boundary. An answer that does
 * not fit the documented shape is the provider's fault, not the caller's: it becomes an
 * `IntegrationError` (`PROVIDER_RESPONSE_INVALID`) naming the first field that did not fit,
 * with the body kept on `response` for debugging.
 */
export function parseProviderResponse<S extends z.ZodType>(service: string, schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues[0]?.path.join('.') || 'body';
  throw new IntegrationError(`${service} answered with an unexpected shape (at ${where})`, {
    service,
    code: IntegrationErrorCode.PROVIDER_RESPONSE_INVALID,
    kind: 'INVALID_RESPONSE',
    providerFault: true,
    response: body,
  });
}

/**
 * True when the provider refused the credentials (401, or Slack's equivalents mapped to it) or
 * said they lack a permission (`PROVIDER_PERMISSION_DENIED`: a 403 whose body says so): what
 * `testConnection` reports as `false`. Any other 403 (a rate limit Google answers 403, a
 * resource the user may not touch) says nothing about the credentials.
 */
export const isAuthRejection = (error: unknown): boolean =>
  isProviderAuthError(error) || (error instanceof IntegrationError && error.code === IntegrationErrorCode.PROVIDER_PERMISSION_DENIED);
