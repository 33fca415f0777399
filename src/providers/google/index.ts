export { GoogleClient, googleClient } from './google-client.js';
export { readGoogleError } from './google-error.js';
export { buildHtmlEmail, encodeRawMessage, type HtmlEmail } from './mime-message.js';
export type {
  CalendarEvent,
  CalendarEventInput,
  CalendarListEntry,
  CreateEventOptions,
  DriveFile,
  GmailMessage,
  GoogleUserProfile,
} from './google-schemas.js';
