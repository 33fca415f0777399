import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { WebhookReply } from '../inbound-webhook.js';
import type { WebhookIngest } from '../webhook-ingest.js';

export interface WebhookRouterOptions {
  ingest: WebhookIngest;
  /** Largest body accepted; larger ones get 413. @default '1mb' */
  bodyLimit?: string | number;
}

function send(res: Response, reply: WebhookReply): void {
  res.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.body === undefined) res.end();
  else if (typeof reply.body === 'string') res.send(reply.body);
  else res.json(reply.body);
}

/**
 * `POST /webhooks/:providerId` and `POST /webhooks/:providerId/:hook` (an endpoint id in the
 * path, as Asana targets are registered). The body is read raw (every signature covers the exact
 * bytes); the app must not put a JSON parser in front of this path.
 */
export function createWebhookRouter({ ingest, bodyLimit = '1mb' }: WebhookRouterOptions): Router {
  const router = Router();
  router.post(
    ['/webhooks/:providerId', '/webhooks/:providerId/:hook'],
    express.raw({ type: () => true, limit: bodyLimit }),
    async (req: Request<{ providerId: string; hook?: string }>, res: Response) => {
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const reply = await ingest({
        providerId: req.params.providerId,
        hook: req.params.hook,
        headers,
        query: new URL(req.originalUrl, 'http://webhook.invalid').searchParams,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        contentType: req.headers['content-type'] ?? '',
      });
      send(res, reply);
    },
  );
  // Body-reading failures: too large, bad encoding, aborted. Nothing was stored.
  router.use('/webhooks', (error: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const status = error.type === 'entity.too.large' ? 413 : error.status && error.status >= 400 && error.status < 500 ? error.status : 400;
    res.status(status).end();
  });
  return router;
}
