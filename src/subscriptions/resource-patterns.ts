/** Longest resource accepted: a Graph path with two ids is far shorter. */
export const MAX_RESOURCE_LENGTH = 512;

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

/** The first of `patterns` that `resource` fits (`{name}` matches one segment), or undefined. */
export function matchResource(patterns: readonly string[], resource: string): string | undefined {
  if (resource.length === 0 || resource.length > MAX_RESOURCE_LENGTH) return undefined;
  return patterns.find((pattern) => compile(pattern).test(resource));
}
