export { SlackClient, slackClient } from './slack-client.js';
export { slackApiError } from './slack-api-error.js';
export type { SlackAuthTest, SlackConversation, SlackPostedMessage, SlackUploadedFile, SlackUser } from './slack-schemas.js';
