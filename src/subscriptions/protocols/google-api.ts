import type { HttpRequestConfig } from '../../resilience/http-request.js';
import type { ProtocolContext } from '../subscription-protocol.js';
import { bearer } from './provider-error.js';

/**
 * One authorized request to a Google API. A 403 `rateLimitExceeded` comes back as the rate limit
 * it is (RATE_LIMITED): the client reads Google's errors with `readGoogleError`.
 */
export function googleRequest<T>(context: ProtocolContext, request: Omit<HttpRequestConfig, 'headers'>): Promise<T> {
  return context.call(async (accessToken) => (await context.http.send<T>({ ...request, headers: bearer(accessToken) })).data);
}
