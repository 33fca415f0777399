/** Longest resource accepted: a Graph path with two ids is far shorter. */
const MAX_RESOURCE_LENGTH = 512;

/**
 * A placeholder stands for one path segment: no slash, and none of the characters that would
 * change what the provider reads (a quote ending Graph's OData key, a query or fragment,
 * whitespace).
 */
const SEGMENT = String.raw`[^/'\s?#]+`;

const compiled = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (!regex) {
    const source = pattern
      .split(/(\{[A-Za-z][\w-]*\})/)
      .map((part) => (/^\{[A-Za-z][\w-]*\}$/.test(part) ? SEGMENT : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`);
    compiled.set(pattern, regex);
  }
  return regex;
}

/**
 * The first of a provider's subscribable-resource patterns that `resource` fits, or undefined:
 * each `{placeholder}` stands for one segment (`calendar/{calendarId}` matches `calendar/primary`;
 * `/me/mailFolders('{folderId}')/messages` matches `/me/mailFolders('Inbox')/messages`); the rest
 * must be equal.
 */
export function matchResource(patterns: readonly string[], resource: string): string | undefined {
  if (resource.length === 0 || resource.length > MAX_RESOURCE_LENGTH) return undefined;
  return patterns.find((pattern) => compile(pattern).test(resource));
}

/** Whether `resource` is an instance of `pattern` (see {@link matchResource}). */
export const matchesResourcePattern = (resource: string, pattern: string): boolean => matchResource([pattern], resource) !== undefined;
