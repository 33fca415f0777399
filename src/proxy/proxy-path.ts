import { AppError, ErrorCode } from '../errors/app-error.js';

/** A dot segment, also percent-encoded: the URL parser resolves `%2e%2e` exactly like `..`. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
/** Control characters, space, `\` (a `/` to the URL parser in http(s) URLs) and `#` (a fragment is never sent). */
const FORBIDDEN_IN_PATH = /[\u0000-\u0020\u007f\\#]/;

const badPath = (message: string): AppError => new AppError(ErrorCode.BAD_USER_INPUT, message);

/**
 * The caller's path (below the provider's API base URL, query string included: `/v1/users?limit=10`),
 * checked so that joining it to any base URL stays below that base: it starts with `/` or `?`
 * (or is empty), has no dot segment and nothing the URL parser would read as one. The path is
 * kept byte for byte otherwise: an encoded `%2F` inside a segment (GitLab's project paths) reaches
 * the provider as sent.
 * @throws AppError BAD_USER_INPUT
 */
export function checkProxyPath(pathAndQuery: string): string {
  if (pathAndQuery !== '' && pathAndQuery[0] !== '/' && pathAndQuery[0] !== '?') throw badPath('the proxied path must start with "/"');
  const queryAt = pathAndQuery.indexOf('?');
  const path = queryAt < 0 ? pathAndQuery : pathAndQuery.slice(0, queryAt);
  if (FORBIDDEN_IN_PATH.test(path)) throw badPath('the proxied path holds a character that is not allowed in a path');
  if (path.split('/').some((segment) => DOT_SEGMENT.test(segment))) throw badPath('the proxied path may not contain "." or ".." segments');
  if (queryAt >= 0 && pathAndQuery.includes('#', queryAt)) throw badPath('the proxied URL may not carry a fragment');
  return pathAndQuery;
}

/** The provider URL of a path {@link checkProxyPath} accepted: the base URL (no trailing slash) followed by it. */
export function proxiedUrl(apiBaseUrl: string, checkedPath: string): string {
  const base = apiBaseUrl.replace(/\/+$/, '');
  return checkedPath.startsWith('?') ? `${base}/${checkedPath}` : base + checkedPath;
}
