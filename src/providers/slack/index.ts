export { SlackClient, slackClient } from './slack-client.js';
export { readSlackError } from './slack-error.js';
export type { SlackAuthTest, SlackConversation, SlackPostedMessage, SlackUploadedFile, SlackUser } from './slack-schemas.js';
