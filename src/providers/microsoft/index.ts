export { MicrosoftClient, microsoftClient } from './microsoft-client.js';
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
