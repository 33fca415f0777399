/**
 * Whether `resource` is an instance of a provider's subscribable-resource pattern: each
 * `{placeholder}` stands for one or more characters other than `/` (`calendar/{calendarId}`
 * matches `calendar/primary`; `/me/mailFolders('{folderId}')/messages` matches
 * `/me/mailFolders('Inbox')/messages`); everything else must be equal.
 */
export function matchesResourcePattern(resource: string, pattern: string): boolean {
  const source = pattern
    .split(/\{[A-Za-z][A-Za-z0-9]*\}/)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}$`).test(resource);
}
