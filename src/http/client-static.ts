import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Paths the single-page app must never shadow. */
const SERVER_PATHS = /^\/(graphql|oauth|auth|webhooks|healthz|readyz|metrics)(\/|$)/;

/**
 * Serves the built UI (`client/dist`) at `/` with an SPA fallback to `index.html` for GET
 * requests that accept HTML. Does nothing when the UI is not built; returns whether it mounted.
 */
export function mountClient(app: Express, clientDir: string): boolean {
  const index = path.join(clientDir, 'index.html');
  if (!existsSync(index)) return false;
  app.use(
    express.static(clientDir, {
      index: false,
      maxAge: '1h',
      setHeaders: (response, file) => {
        // index.html names the hashed assets of the current build: it must not be cached.
        if (file.endsWith('.html')) response.setHeader('cache-control', 'no-cache');
      },
    }),
  );
  app.get(/.*/, (request, response, next) => {
    if (SERVER_PATHS.test(request.path) || !request.accepts('html')) return next();
    response.locals.route = 'client';
    response.setHeader('cache-control', 'no-cache');
    response.sendFile(index);
  });
  return true;
}
