/**
 * Where a value sits in a provider's JSON answer: dot-separated property names, numbers indexing
 * arrays (`team.id`, `authed_user.scope`, `0.id` for the first element of a top-level array). The
 * empty path is the answer itself. A list of paths is tried in order (`['email', 'preferred_username']`).
 */
export type JsonPath = string;

export function readPath(value: unknown, path: JsonPath): unknown {
  if (path === '') return value;
  let current = value;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * The first of `paths` holding a non-empty string or a finite number (GitHub's numeric user id),
 * as a string; undefined when none does.
 */
export function readText(value: unknown, paths: JsonPath | readonly JsonPath[]): string | undefined {
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    const found = readPath(value, path);
    if (typeof found === 'string' && found.length > 0) return found;
    if (typeof found === 'number' && Number.isFinite(found)) return String(found);
  }
  return undefined;
}
