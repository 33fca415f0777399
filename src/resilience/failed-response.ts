import type { IncomingHttpHeaders } from 'node:http';
import type { IntegrationError } from './integration-error.js';
import type { StreamedResponse } from './stream-attempt.js';

/** A provider's answer that ended a streamed call in failure (`ResilientHttpClient.stream`), body read. */
export interface FailedResponse {
  status: number;
  statusText: string;
  /** Lower-case names; a repeated header's values in an array. */
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Error answers are short (a JSON or HTML error page): more than this is not kept, only the
 * status and headers.
 */
const MAX_FAILED_BODY_BYTES = 1024 * 1024;

const kept = new WeakMap<IntegrationError, FailedResponse>();

/**
 * Reads the body of an answer the resilience layer acts on (a status it retries or counts on
 * the breaker), so the connection is free whether another attempt follows or not. Undefined
 * when the body is longer than {@link MAX_FAILED_BODY_BYTES} (then the response is destroyed).
 */
export async function readFailedResponse(response: StreamedResponse): Promise<FailedResponse | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    if (length + chunk.byteLength > MAX_FAILED_BODY_BYTES) {
      response.body.destroy();
      return undefined;
    }
    chunks.push(chunk);
    length += chunk.byteLength;
  }
  return { status: response.statusCode, statusText: response.statusText, headers: response.headers, body: Buffer.concat(chunks, length) };
}

/** Attaches the answer, when there is one, to the failure it caused; returns the failure. */
export function keepFailedResponse(error: IntegrationError, response: FailedResponse | undefined): IntegrationError {
  if (response) kept.set(error, response);
  return error;
}

/**
 * The provider's answer behind a failed `stream` call (a 5xx, 408, 425 or 429 that outlived
 * the retries), or undefined for failures without one (network, timeout, circuit open).
 */
export const failedResponseOf = (error: unknown): FailedResponse | undefined =>
  typeof error === 'object' && error !== null ? kept.get(error as IntegrationError) : undefined;
