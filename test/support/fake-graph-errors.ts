import type { FakeResponse } from './fake-provider-server.js';

/** Graph's error body (https://learn.microsoft.com/en-us/graph/errors). */
export function graphError(status: number, code: string, message: string): FakeResponse {
  return {
    status,
    json: { error: { code, message, innerError: { date: '2026-11-24T08:00:00', 'request-id': 'b1f6e0a2-0000-4000-8000-000000000001', 'client-request-id': 'b1f6e0a2-0000-4000-8000-000000000001' } } },
  };
}

/** Graph's throttling answer: https://learn.microsoft.com/en-us/graph/throttling#sample-response */
export function graphThrottled(retryAfterSeconds: number): FakeResponse {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    json: { error: { code: 'TooManyRequests', message: 'Please retry again later.', innerError: { code: '429', message: 'Please retry after', status: '429' } } },
  };
}
