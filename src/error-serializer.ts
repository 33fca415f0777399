/** An error as a log line shows it. */
export interface SerializedError {
  type: string;
  message: string;
  code?: string | number;
  statusCode?: number;
  kind?: string;
  service?: string;
  cause?: SerializedError | string;
}

/** The fields a log line keeps, beside type and message: the ones that say what failed, never a body. */
const KEPT_FIELDS = ['code', 'statusCode', 'kind', 'service'] as const;
/** Deep enough for undici's `fetch failed` → socket error chain, short enough for a loop of causes. */
const MAX_CAUSE_DEPTH = 3;

/**
 * The `err` serializer of every logger: type, message, the identifying fields and the cause
 * chain, but no stack (the service contract: no stack trace in a log line) and none of an error's
 * other properties, which may hold a provider's response body or a request's headers. Values
 * that are not errors pass through to the logger's redaction as they are.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  const serialized: SerializedError = { type: error.name, message: error.message };
  const fields = error as unknown as Record<string, unknown>;
  for (const field of KEPT_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' || typeof value === 'number') (serialized as unknown as Record<string, unknown>)[field] = value;
  }
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    // A cause that is not an error (an object a library attached) is named, not copied: it may hold a body.
    serialized.cause = error.cause instanceof Error ? (serializeError(error.cause, depth + 1) as SerializedError) : String(error.cause);
  }
  return serialized;
}
