import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
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
