/** What a secret is replaced with in log lines. */
export const REDACTED = '[REDACTED]';

/**
 * Header, field and query parameter names whose values are credentials. `code` is the OAuth
 * authorization code: short-lived, but exchangeable for tokens until it is used.
 */
const SECRET_NAMES = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'client_assertion',
  'assertion',
  'code',
  'code_verifier',
  'token',
  'password',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'clientsecret',
  'codeverifier',
]);

export const isSecretName = (name: string): boolean => SECRET_NAMES.has(name.toLowerCase());

export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) redacted[name] = isSecretName(name) ? REDACTED : value;
  return redacted;
}

function redactParams(params: URLSearchParams): URLSearchParams {
  const redacted = new URLSearchParams();
  for (const [name, value] of params) redacted.append(name, isSecretName(name) ? REDACTED : value);
  return redacted;
}

/** The URL without credentials: user info dropped, secret query parameters replaced. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '[unparseable URL]';
  }
  parsed.username = '';
  parsed.password = '';
  if (parsed.search) parsed.search = redactParams(parsed.searchParams).toString();
  return parsed.toString();
}

const MAX_DEPTH = 8;

/** A copy of a JSON-like value with every secret field, at any depth, replaced. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof URLSearchParams) return redactParams(value).toString();
  const redacted: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) redacted[key] = isSecretName(key) ? REDACTED : redactValue(item, depth + 1);
  return redacted;
}

/**
 * A request body as it may appear in a log line: JSON and form bodies with secrets redacted,
 * other strings parsed as JSON or a form when they are one (a pre-encoded token request is
 * still a token request), anything else only described.
 */
export function describeBody(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    const trimmed = body.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return redactValue(JSON.parse(body));
      } catch {
        return `[text, ${body.length} chars]`;
      }
    }
    if (/^[^\s=&]+=[^\s]*$/.test(body)) return redactParams(new URLSearchParams(body)).toString();
    return `[text, ${body.length} chars]`;
  }
  if (body instanceof URLSearchParams) return redactParams(body).toString();
  if (typeof FormData !== 'undefined' && body instanceof FormData) return '[multipart form]';
  if (body instanceof Blob) return `[binary, ${body.size} bytes]`;
  if (body instanceof ArrayBuffer) return `[binary, ${body.byteLength} bytes]`;
  if (ArrayBuffer.isView(body)) return `[binary, ${body.byteLength} bytes]`;
  if (typeof body === 'object' && (body instanceof ReadableStream || Symbol.asyncIterator in body)) return '[stream]';
  return redactValue(body);
}

/**
 * Token-shaped text: credentials after an auth scheme or a secret parameter name, JWTs, and the
 * token formats of the providers the service speaks to (Slack `xox…-`, Google `ya29.` access and
 * `1//` refresh tokens, Asana `0/…:…` personal access tokens).
 */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer)\s+[^\s,;"']+/gi, `$1 ${REDACTED}`],
  [/\b(Basic)\s+[A-Za-z0-9+/=]{8,}/g, `$1 ${REDACTED}`],
  [/\b(access_token|refresh_token|id_token|client_secret|client_assertion|code_verifier|assertion|password|token)(["']?\s*[=:]\s*["']?)[^\s&,;"']{8,}/gi, `$1$2${REDACTED}`],
  [/\beyJ[\w-]+\.[\w-]+(?:\.[\w-]*)?/g, REDACTED],
  [/\b(?:xox[a-z]|xapp)-[\w-]+/gi, REDACTED],
  [/\bya29\.[\w.-]+/g, REDACTED],
  [/(?<![\w:/])1\/\/[\w.-]+/g, REDACTED],
  [/\b\d\/\d+(?:\/\d+)?:\w+/g, REDACTED],
];
/**
 * A long run without spaces: an opaque token of a format not named above when it mixes letters
 * and digits. Longer than resource ids a message is worth showing with (Drive's are 33 or 44).
 */
const LONG_RUN = /[\w+/.~=-]{48,}/g;

const maskRun = (run: string): string => {
  const core = run.replace(/\.+$/, '');
  return /\d/.test(core) && /[a-z]/i.test(core) ? REDACTED + run.slice(core.length) : run;
};

/**
 * Free text (a provider's error message, say) with anything that looks like a credential
 * replaced by {@link REDACTED}. Long runs are masked only when they mix letters and digits, so
 * words, paths and URLs stay readable.
 */
export function maskSecrets(value: string): string {
  let masked = value;
  for (const [pattern, replacement] of SECRET_PATTERNS) masked = masked.replace(pattern, replacement);
  return masked.replace(LONG_RUN, maskRun);
}
