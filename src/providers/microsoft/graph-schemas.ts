import { z } from 'zod';

/** A Graph collection page: `value` plus `@odata.nextLink` while more pages remain (https://learn.microsoft.com/en-us/graph/paging). */
export const graphPageSchema = <T extends z.ZodType>(item: T) =>
  z.looseObject({ value: z.array(item), '@odata.nextLink': z.url().optional() });

/** https://learn.microsoft.com/en-us/graph/api/resources/user */
export const graphUserSchema = z.looseObject({
  id: z.string(),
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
});
export type GraphUser = z.infer<typeof graphUserSchema>;

/** https://learn.microsoft.com/en-us/graph/api/resources/team */
export const graphTeamSchema = z.looseObject({ id: z.string(), displayName: z.string().nullish(), description: z.string().nullish() });
export type GraphTeam = z.infer<typeof graphTeamSchema>;

/** https://learn.microsoft.com/en-us/graph/api/resources/channel */
export const graphChannelSchema = z.looseObject({
  id: z.string(),
  displayName: z.string().nullish(),
  description: z.string().nullish(),
  membershipType: z.string().nullish(),
});
export type GraphChannel = z.infer<typeof graphChannelSchema>;

/** https://learn.microsoft.com/en-us/graph/api/resources/chatmessage */
export const graphChatMessageSchema = z.looseObject({ id: z.string(), webUrl: z.string().nullish(), createdDateTime: z.string().nullish() });
export type GraphChatMessage = z.infer<typeof graphChatMessageSchema>;

/** https://learn.microsoft.com/en-us/graph/api/resources/calendar */
export const graphCalendarSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  canEdit: z.boolean().nullish(),
  isDefaultCalendar: z.boolean().nullish(),
});
export type GraphCalendar = z.infer<typeof graphCalendarSchema>;

/** https://learn.microsoft.com/en-us/graph/api/resources/event */
export const graphEventSchema = z.looseObject({ id: z.string(), webLink: z.string().nullish(), subject: z.string().nullish() });
export type GraphEvent = z.infer<typeof graphEventSchema>;

/** `dateTimeTimeZone`: a local date-time and the Windows or IANA zone it is in. */
export interface GraphDateTimeTimeZone {
  dateTime: string;
  timeZone: string;
}

/** The writable part of an event (https://learn.microsoft.com/en-us/graph/api/user-post-events). */
export interface GraphEventInput {
  subject: string;
  body?: { contentType: 'HTML' | 'text'; content: string };
  start: GraphDateTimeTimeZone;
  end: GraphDateTimeTimeZone;
  location?: { displayName: string };
  attendees?: { emailAddress: { address: string; name?: string }; type: 'required' | 'optional' | 'resource' }[];
  isOnlineMeeting?: boolean;
  [field: string]: unknown;
}

/** What `sendMail` sends: an HTML message to one or more recipients. */
export interface GraphMailInput {
  to: string | readonly string[];
  subject: string;
  html: string;
  /** @default true */
  saveToSentItems?: boolean;
}
