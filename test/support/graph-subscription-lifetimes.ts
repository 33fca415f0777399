/**
 * Microsoft Graph's published maximum subscription lifetimes, per resource, as data:
 * https://learn.microsoft.com/en-us/graph/api/resources/subscription#subscription-lifetime
 * (the table of the change-notifications overview, revision of 2024-11-07), with the resource
 * paths of https://learn.microsoft.com/en-us/graph/api/subscription-post-subscriptions.
 * Any path starting with `me` may name `users/{id}` instead.
 */
export interface GraphResourceKind {
  /** Graph's name for the resource, as in the table. */
  name: string;
  /** Matches the `resource` of a subscription, without a leading slash. */
  pattern: RegExp;
  /** Maximum lifetime in minutes. */
  maxMinutes: number;
  /** Maximum when `includeResourceData` is true, where the table gives one. */
  maxMinutesWithResourceData?: number;
  /** The change types the resource supports, where it restricts them. @default created, updated, deleted */
  changeTypes?: readonly string[];
  /**
   * Teams resources need a `lifecycleNotificationUrl` when the expiration is more than an hour
   * away: https://learn.microsoft.com/en-us/graph/api/resources/subscription#properties
   */
  teams?: boolean;
  /** `@odata.type` and path segment of the changed item in a notification's `resourceData`. */
  item?: { odataType: string; segment: string };
}

const USER = String.raw`(?:me|users/[^/]+|users\('[^']+'\))`;

export const GRAPH_RESOURCE_KINDS: readonly GraphResourceKind[] = [
  {
    name: 'Outlook message',
    pattern: new RegExp(`^${USER}/(?:messages|mailfolders(?:\\('[^']+'\\)|/[^/]+)/messages)$`, 'i'),
    maxMinutes: 10080,
    maxMinutesWithResourceData: 1440,
    item: { odataType: '#Microsoft.Graph.Message', segment: 'Messages' },
  },
  {
    name: 'Outlook event',
    pattern: new RegExp(`^${USER}/(?:events|calendar/events|calendars/[^/]+/events)$`, 'i'),
    maxMinutes: 10080,
    maxMinutesWithResourceData: 1440,
    item: { odataType: '#Microsoft.Graph.Event', segment: 'Events' },
  },
  {
    name: 'Outlook contact',
    pattern: new RegExp(`^${USER}/(?:contacts|contactfolders/[^/]+/contacts)$`, 'i'),
    maxMinutes: 10080,
    maxMinutesWithResourceData: 1440,
    item: { odataType: '#Microsoft.Graph.Contact', segment: 'Contacts' },
  },
  {
    name: 'Teams chatMessage',
    pattern: /^(?:teams\/[^/]+\/channels\/[^/]+\/messages|chats\/[^/]+\/messages|teams\/getAllMessages|chats\/getAllMessages)$/i,
    maxMinutes: 4320,
    teams: true,
    item: { odataType: '#Microsoft.Graph.chatMessage', segment: 'messages' },
  },
  { name: 'Teams channel', pattern: /^teams\/(?:[^/]+|getAllChannels)\/channels$/i, maxMinutes: 4320, teams: true },
  { name: 'Teams chat', pattern: /^(?:chats|users\/[^/]+\/chats|appCatalogs\/teamsApps\/[^/]+\/installedToChats)$/i, maxMinutes: 4320, teams: true },
  { name: 'Teams conversationMember', pattern: /^(?:teams\/[^/]+\/members|chats\/[^/]+\/members|teams\/[^/]+\/channels\/[^/]+\/members)$/i, maxMinutes: 4320, teams: true },
  { name: 'Teams team', pattern: /^teams(?:\/[^/]+)?$/i, maxMinutes: 4320, teams: true },
  { name: 'Group conversation', pattern: /^groups(?:\('[^']+'\)|\/[^/]+)\/conversations$/i, maxMinutes: 4230 },
  { name: 'OneDrive driveItem', pattern: new RegExp(`^(?:${USER}/drive|drives/[^/]+)/root$`, 'i'), maxMinutes: 42300, changeTypes: ['updated'] },
  { name: 'SharePoint list', pattern: /^sites\/[^/]+\/lists\/[^/]+$/i, maxMinutes: 42300, changeTypes: ['updated'] },
  { name: 'user, group', pattern: /^(?:users|groups)(?:\/[^/]+)?$/i, maxMinutes: 41760, changeTypes: ['updated', 'deleted'] },
  { name: 'presence', pattern: /^communications\/presences(?:\/[^/]+|\?.*)$/i, maxMinutes: 60 },
  { name: 'Security alert', pattern: /^security\/alerts(?:\?.*)?$/i, maxMinutes: 43200 },
  { name: 'Teams callRecord', pattern: /^communications\/callRecords$/i, maxMinutes: 4230 },
  { name: 'todoTask', pattern: new RegExp(`^${USER}/todo/lists/[^/]+/tasks$`, 'i'), maxMinutes: 4230 },
];

/** The kind of a subscription resource (a leading slash is allowed), or undefined when Graph offers no subscription on it. */
export function graphResourceKind(resource: string): GraphResourceKind | undefined {
  const path = resource.replace(/^\//, '');
  return GRAPH_RESOURCE_KINDS.find((kind) => kind.pattern.test(path));
}
