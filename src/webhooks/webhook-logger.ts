/** The slice of a pino logger the webhook pipeline uses. Objects never carry secrets or bodies. */
export interface WebhookLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

export const silentWebhookLogger: WebhookLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
