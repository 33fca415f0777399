export { MicrosoftClient, microsoftClient } from './microsoft-client.js';
export { readGraphError } from './graph-error.js';
export type {
  GraphCalendar,
  GraphChannel,
  GraphChatMessage,
  GraphEvent,
  GraphEventInput,
  GraphMailInput,
  GraphTeam,
  GraphUser,
} from './graph-schemas.js';
