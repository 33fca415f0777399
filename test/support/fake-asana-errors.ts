import type { FakeResponse } from './fake-provider-server.js';

/** Asana's error body (https://developers.asana.com/docs/errors). */
export const asanaError = (status: number, message: string): FakeResponse => ({
  status,
  json: { errors: [{ message, help: 'For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors' }] },
});

/** Asana's rate-limit answer: 429 with Retry-After in seconds (https://developers.asana.com/docs/rate-limits). */
export const asanaRateLimited = (retryAfterSeconds: number): FakeResponse => ({
  ...asanaError(429, 'You have made too many requests recently. Please, be chill.'),
  headers: { 'retry-after': String(retryAfterSeconds) },
});
