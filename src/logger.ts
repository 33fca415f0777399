import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';
import { serializeError } from './error-serializer.js';

export type { Logger } from 'pino';

/** Field names whose values are credentials wherever they appear in a logged object. */
const SECRET_FIELDS = [
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'idToken',
  'client_secret',
  'clientSecret',
  'code_verifier',
  'codeVerifier',
  'password',
  'token',
  'authorization',
  'cookie',
];

/**
 * pino's redaction (fast-redact) matches fixed paths, not "any depth", so the secret fields are
 * listed at the depths our log objects reach (top level, `{ body: {...} }`, `{ err: { response: {...} } }`).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

export interface LoggerOptions {
  /** @default 'info' */
  level?: LogLevel;
  /** Where lines go (tests capture them). @default standard output */
  destination?: DestinationStream;
}

/** The service's root logger: JSON lines, secrets redacted, `err` serialized without stack or bodies (see serializeError). */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'integrations-subgraph' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
    },
    options.destination,
  );
}
