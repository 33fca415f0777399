import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createHttpLogger } from '../../src/http/http-logger.js';
import { createLogger } from '../../src/logger.js';

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

describe('createHttpLogger errors', () => {
  it('logs a failed request’s error without its stack', async () => {
    const { lines, logger } = capture();
    const server = createServer((request, response) => {
      createHttpLogger(logger)(request, response);
      response.statusCode = 500;
      response.err = new Error('handler exploded');
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql?code=secret-code`);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(lines.at(-1)).toMatchObject({ err: { type: 'Error', message: 'handler exploded' }, req: { path: '/graphql' } });
    expect(JSON.stringify(lines)).not.toMatch(/\bat .*\.(ts|js):\d+|secret-code/);
  });
});
