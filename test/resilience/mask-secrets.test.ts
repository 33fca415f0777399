import { describe, expect, it } from '@jest/globals';
import { maskSecrets, readCommonErrorShapes, summarizeProviderError } from '../../src/resilience/index.js';

describe('maskSecrets: what a provider may echo back of a request', () => {
  it.each([
    ['the token after Bearer', 'Invalid header Authorization: Bearer abc.def-123', 'Invalid header Authorization: Bearer [REDACTED]'],
    ['HTTP Basic credentials', 'Basic aW50ZWdyYXRpb25zOnNlY3JldA== refused', 'Basic [REDACTED] refused'],
    ['a secret parameter', 'bad client_secret=GOCSPX-abcdef123 in body', 'bad client_secret=[REDACTED] in body'],
    ['a secret JSON field', '{"access_token": "tok-0123456789"}', '{"access_token": "[REDACTED]"}'],
    ['a JWT', 'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl expired', 'token [REDACTED] expired'],
    ['a Slack token', 'token xoxb-1234-5678-abcdEFGH revoked', 'token [REDACTED] revoked'],
    ['a Google access token', 'ya29.a0AfH6SMB-x_y is not valid', '[REDACTED] is not valid'],
    ['a Google refresh token', 'grant 1//0gLsRefresh-Token_x expired', 'grant [REDACTED] expired'],
    ['an Asana personal access token', 'PAT 2/1200000000000001/1200000000000002:0a1b2c3d4e rejected', 'PAT [REDACTED] rejected'],
    ['a long run of letters and digits', `key ${'a1'.repeat(24)}. Unknown`, 'key [REDACTED]. Unknown'],
  ])('masks %s', (_what, text, masked) => {
    expect(maskSecrets(text)).toBe(masked);
  });

  it('leaves ordinary words, identifiers, paths and URLs readable', () => {
    const text =
      'Access token has expired. File not found: 1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms. See https://developers.google.com/workspace/calendar/api/guides/errors (code: 404, at 10:30)';
    // A Drive file id (44 characters) stays: a not-found message is useless without it.
    expect(maskSecrets(text)).toBe(
      'Access token has expired. File not found: 1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms. See https://developers.google.com/workspace/calendar/api/guides/errors (code: 404, at 10:30)',
    );
    expect(maskSecrets('The caller does not have permission')).toBe('The caller does not have permission');
  });
});

describe('summarizeProviderError', () => {
  it('keeps one line of at most 200 characters, and 64 for the code', () => {
    const summary = summarizeProviderError({ code: `c${'o'.repeat(100)}`, message: `first\r\nsecond\u2028third\u0007 ${'word '.repeat(80)}` });
    expect(summary?.code).toHaveLength(64);
    expect(summary?.message).toMatch(/^first second third word word/);
    expect(summary?.message?.length).toBe(200);
    expect(summary?.message?.endsWith('…')).toBe(true);
  });

  it('drops what is empty once cleaned', () => {
    expect(summarizeProviderError({ code: ' ', message: '\n\t' })).toBeUndefined();
    expect(summarizeProviderError(readCommonErrorShapes({ error: { code: 500 } }, 500))).toBeUndefined();
  });
});
