/** An inbound webhook request as the transport (express) hands it to the core. */
export interface InboundWebhook {
  providerId: string;
  /** The endpoint id when the URL carries it as a path segment (`/webhooks/asana/<hook>`). */
  hook?: string | undefined;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  query: URLSearchParams;
  /** The exact bytes received: every signature is over them, never over a re-serialization. */
  rawBody: Buffer;
  contentType: string;
}

/** What the transport sends back. A string body goes out as is, an object as JSON. */
export interface WebhookReply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Record<string, unknown>;
}

/**
 * The request is refused: nothing is stored. `reason` is for the log and never contains a secret
 * or a signature; the provider only sees the status.
 */
export class WebhookRejection extends Error {
  override readonly name = 'WebhookRejection';
  constructor(
    readonly status: 400 | 401 | 404 | 413 | 415,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export const reject = (status: WebhookRejection['status'], reason: string): never => {
  throw new WebhookRejection(status, reason);
};
