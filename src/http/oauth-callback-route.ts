import { Router } from 'express';

/**
 * Mounts `GET /oauth/callback` (service.md): the provider sends the browser here; the handler
 * (src/connections/oauth-callback.ts) completes the connection and says where to go next. 303
 * so the browser follows with a GET and the code never lands in the UI's history.
 */
export function oauthCallbackRouter(handle: (parameters: URLSearchParams) => Promise<string>): Router {
  const router = Router();
  router.get('/oauth/callback', async (request, response) => {
    const query = request.originalUrl.includes('?') ? request.originalUrl.slice(request.originalUrl.indexOf('?') + 1) : '';
    // The URL carries a one-time code: keep it out of shared caches and referrers.
    response.set('Cache-Control', 'no-store');
    response.set('Referrer-Policy', 'no-referrer');
    response.redirect(303, await handle(new URLSearchParams(query)));
  });
  return router;
}
