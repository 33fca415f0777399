import { z } from 'zod';

// Loose objects: we type the fields we rely on and pass the rest of Google's resource through.

/** https://developers.google.com/calendar/api/v3/reference/calendarList#resource */
export const calendarListEntrySchema = z.looseObject({
  id: z.string(),
  summary: z.string().optional(),
  primary: z.boolean().optional(),
  accessRole: z.string().optional(),
  timeZone: z.string().optional(),
});
export type CalendarListEntry = z.infer<typeof calendarListEntrySchema>;

/** https://developers.google.com/calendar/api/v3/reference/calendarList/list#response */
export const calendarListPageSchema = z.object({
  items: z.array(calendarListEntrySchema).default([]),
  nextPageToken: z.string().optional(),
});

const eventDateTimeSchema = z.looseObject({ dateTime: z.string().optional(), date: z.string().optional(), timeZone: z.string().optional() });

/** https://developers.google.com/calendar/api/v3/reference/events#resource */
export const calendarEventSchema = z.looseObject({
  id: z.string(),
  status: z.string().optional(),
  htmlLink: z.string().optional(),
  summary: z.string().optional(),
  start: eventDateTimeSchema.optional(),
  end: eventDateTimeSchema.optional(),
});
export type CalendarEvent = z.infer<typeof calendarEventSchema>;

/** The writable part of an event the seed's callers pass to `createEvent`. */
export interface CalendarEventInput {
  summary?: string;
  description?: string;
  location?: string;
  start: { dateTime?: string; date?: string; timeZone?: string };
  end: { dateTime?: string; date?: string; timeZone?: string };
  attendees?: { email: string; displayName?: string; optional?: boolean }[];
  [field: string]: unknown;
}

/** How `createEvent` inserts an event. */
export interface CreateEventOptions {
  /**
   * Who Google notifies of the new event (events.insert's `sendUpdates`): every guest, only the
   * guests not on Google Calendar, or nobody. Google's own default is nobody, so attendees would
   * never see an invitation; the service's is everyone, as creating an event with attendees means.
   * https://developers.google.com/workspace/calendar/api/v3/reference/events/insert
   * @default 'all'
   */
  sendUpdates?: 'all' | 'externalOnly' | 'none';
}

/** https://developers.google.com/drive/api/reference/rest/v3/files#File */
export const driveFileSchema = z.looseObject({ id: z.string(), name: z.string(), mimeType: z.string() });
export type DriveFile = z.infer<typeof driveFileSchema>;

/** https://developers.google.com/gmail/api/reference/rest/v1/users.messages#Message */
export const gmailMessageSchema = z.looseObject({ id: z.string(), threadId: z.string(), labelIds: z.array(z.string()).optional() });
export type GmailMessage = z.infer<typeof gmailMessageSchema>;

/** OpenID Connect userinfo claims (https://developers.google.com/identity/openid-connect/openid-connect#obtainuserinfo). */
export const googleUserProfileSchema = z.looseObject({
  sub: z.string(),
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
  name: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  picture: z.string().optional(),
  locale: z.string().optional(),
});
export type GoogleUserProfile = z.infer<typeof googleUserProfileSchema>;
