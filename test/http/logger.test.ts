import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createHttpLogger, requestLogger } from '../../src/http/http-logger.js';
import { createLogger, type Logger } from '../../src/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('createLogger redaction', () => {
  it('redacts token fields at the depths our log objects have', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        access_token: 'ya29.secret',
        refresh_token: '1//refresh',
        body: { client_secret: 'shh', code_verifier: 'pkce-v-123', id_token: 'eyJ.id', password: 'p' },
        err: { response: { token: 'xoxb-1', accessToken: 'camel' } },
        req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'session=1', accept: 'application/json' } },
        providerId: 'google',
      },
      'token exchange',
    );
    const text = JSON.stringify(lines);
    for (const secret of ['ya29.secret', '1//refresh', 'shh', 'pkce-v-123', 'eyJ.id', 'xoxb-1', 'camel', 'abc.def.ghi', 'session=1']) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]).toMatchObject({ providerId: 'google', access_token: '[redacted]', req: { headers: { accept: 'application/json' } } });
  });
});

describe('createLogger errors', () => {
  it('logs an error’s type, message, identifying fields and causes, but no stack and no other property', () => {
    const { lines, logger } = capture();
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const failure = Object.assign(new TypeError('fetch failed', { cause: socket }), {
      statusCode: 502,
      response: { echoed: 'provider body with xoxb-in-a-body' },
    });
    logger.error({ err: failure }, 'provider call failed');
    expect(lines[0]?.err).toEqual({
      type: 'TypeError',
      message: 'fetch failed',
      statusCode: 502,
      cause: { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:9', code: 'ECONNREFUSED' },
    });
    expect(JSON.stringify(lines)).not.toMatch(/\bat .*\.(ts|js):\d+|xoxb-in-a-body/);
  });

  it('names a cause that is not an error instead of copying it', () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error('token exchange failed', { cause: { body: 'refresh-in-a-body' } }) }, 'failed');
    expect(lines[0]?.err).toEqual({ type: 'Error', message: 'token exchange failed', cause: '[object Object]' });
  });
});

describe('createHttpLogger', () => {
  async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void, logger: Logger, paths: string[]): Promise<void> {
    const server = createServer((request, response) => {
      createHttpLogger(logger)(request, response);
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    for (const path of paths) await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`).catch(() => undefined);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  it('logs each request once, at the level of its status, with its id and path but never its query', async () => {
    const { lines, logger } = capture();
    await serve(
      (request, response) => {
        response.statusCode = request.url!.startsWith('/fails') ? 500 : request.url!.startsWith('/missing') ? 404 : 200;
        response.end();
      },
      logger,
      ['/oauth/callback?code=secret-code&state=s', '/missing?token=secret-token', '/fails', '/healthz'],
    );
    expect(lines.map(({ level, msg, req, res }) => ({ level, msg, req, res }))).toEqual([
      { level: 30, msg: 'request completed', req: { id: expect.any(String), method: 'GET', path: '/oauth/callback' }, res: { statusCode: 200 } },
      { level: 40, msg: 'request completed', req: { id: expect.any(String), method: 'GET', path: '/missing' }, res: { statusCode: 404 } },
      { level: 50, msg: 'request completed', req: { id: expect.any(String), method: 'GET', path: '/fails' }, res: { statusCode: 500 } },
    ]);
    expect(lines.every((line) => typeof line.responseTime === 'number')).toBe(true);
    expect(JSON.stringify(lines)).not.toMatch(/secret-code|secret-token/);
  });

  it('gives what a handler logs about a request the request’s id, and logs its error without the stack', async () => {
    const { lines, logger } = capture();
    await serve(
      (request, response) => {
        requestLogger(logger, request).error({ err: new Error('handler exploded') }, 'unhandled error in HTTP handler');
        response.statusCode = 500;
        response.end();
      },
      logger,
      ['/graphql?code=secret-code'],
    );
    const [failure, access] = lines;
    expect(failure).toMatchObject({ msg: 'unhandled error in HTTP handler', err: { type: 'Error', message: 'handler exploded' }, req: { path: '/graphql' } });
    expect((failure?.req as { id: string }).id).toBe((access?.req as { id: string }).id);
    expect(JSON.stringify(lines)).not.toMatch(/\bat .*\.(ts|js):\d+|secret-code/);
  });

  it('says so when the caller leaves before the answer is out', async () => {
    const { lines, logger } = capture();
    await serve((request) => request.socket.destroy(), logger, ['/slow']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'request aborted', req: expect.objectContaining({ path: '/slow' }) })]);
  });
});
