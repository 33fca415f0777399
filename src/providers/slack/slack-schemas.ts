import { z } from 'zod';

/**
 * Every Web API answer is an envelope with `ok`; failures carry `error` (and sometimes
 * `needed`/`provided` scopes) with HTTP 200: https://docs.slack.dev/apis/web-api/#responses
 */
export const slackEnvelopeSchema = z.looseObject({
  ok: z.boolean(),
  error: z.string().optional(),
  needed: z.string().optional(),
  provided: z.string().optional(),
});

/** https://docs.slack.dev/reference/objects/conversation-object */
export const slackConversationSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  is_channel: z.boolean().optional(),
  is_private: z.boolean().optional(),
  is_archived: z.boolean().optional(),
});
export type SlackConversation = z.infer<typeof slackConversationSchema>;

/** https://docs.slack.dev/reference/methods/conversations.list */
export const conversationsListSchema = z.looseObject({
  channels: z.array(slackConversationSchema),
  response_metadata: z.looseObject({ next_cursor: z.string().optional() }).optional(),
});

/** https://docs.slack.dev/reference/methods/conversations.create */
export const conversationsCreateSchema = z.looseObject({ channel: slackConversationSchema });

/** https://docs.slack.dev/reference/methods/chat.postMessage */
export const postMessageSchema = z.looseObject({ channel: z.string(), ts: z.string(), message: z.looseObject({}).optional() });
export type SlackPostedMessage = z.infer<typeof postMessageSchema>;

/** https://docs.slack.dev/reference/objects/user-object */
export const slackUserSchema = z.looseObject({
  id: z.string(),
  team_id: z.string().optional(),
  name: z.string().optional(),
  real_name: z.string().optional(),
  is_bot: z.boolean().optional(),
  profile: z.looseObject({ email: z.string().optional(), display_name: z.string().optional(), real_name: z.string().optional() }).optional(),
});
export type SlackUser = z.infer<typeof slackUserSchema>;
export const usersInfoSchema = z.looseObject({ user: slackUserSchema });

/** https://docs.slack.dev/reference/methods/files.getUploadURLExternal */
export const uploadUrlSchema = z.looseObject({ upload_url: z.url(), file_id: z.string() });

const slackFileSchema = z.looseObject({ id: z.string(), title: z.string().optional() });
export type SlackUploadedFile = z.infer<typeof slackFileSchema>;

/** https://docs.slack.dev/reference/methods/files.completeUploadExternal: one entry per completed file. */
export const completeUploadSchema = z.looseObject({ files: z.tuple([slackFileSchema], slackFileSchema) });

/** https://docs.slack.dev/reference/methods/auth.test */
export const authTestSchema = z.looseObject({
  url: z.string().optional(),
  team: z.string().optional(),
  user: z.string().optional(),
  team_id: z.string().optional(),
  user_id: z.string().optional(),
  bot_id: z.string().optional(),
});
export type SlackAuthTest = z.infer<typeof authTestSchema>;
