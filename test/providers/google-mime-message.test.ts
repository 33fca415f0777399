import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../src/errors/app-error.js';
import { buildHtmlEmail, encodeHeaderValue, encodeRawMessage } from '../../src/providers/google/mime-message.js';

const headerOf = (message: string, name: string): string | undefined => {
  const head = message.slice(0, message.indexOf('\r\n\r\n')).replace(/\r\n[ \t]/g, ' ');
  return head
    .split('\r\n')
    .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 1)
    .trim();
};

/** Decodes RFC 2047 `B` encoded-words the way a mail reader does. */
const decodeEncodedWords = (value: string): string =>
  value
    .split(' ')
    .map((word) => /^=\?UTF-8\?B\?(.*)\?=$/.exec(word)?.[1])
    .map((base64) => Buffer.from(base64 ?? '', 'base64'))
    .reduce((all, bytes) => Buffer.concat([all, bytes]), Buffer.alloc(0))
    .toString('utf8');

describe('buildHtmlEmail (RFC 2822 message for Gmail users.messages.send)', () => {
  it('writes CRLF headers, an HTML part in UTF-8, and a base64 body in 76-character lines', () => {
    const html = `<p>${'Hello from the integrations subgraph. '.repeat(10)}</p>`;
    const message = buildHtmlEmail({ to: 'ada@example.com', subject: 'Quarterly review', html });

    expect(headerOf(message, 'To')).toBe('ada@example.com');
    expect(headerOf(message, 'Subject')).toBe('Quarterly review');
    expect(headerOf(message, 'MIME-Version')).toBe('1.0');
    expect(headerOf(message, 'Content-Type')).toBe('text/html; charset=UTF-8');
    expect(headerOf(message, 'Content-Transfer-Encoding')).toBe('base64');
    const body = message.slice(message.indexOf('\r\n\r\n') + 4);
    const lines = body.split('\r\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((line) => line.length <= 76)).toBe(true);
    expect(Buffer.from(lines.join(''), 'base64').toString('utf8')).toBe(html);
  });

  it('joins several recipients into one To header', () => {
    const message = buildHtmlEmail({ to: ['ada@example.com', 'grace@example.org'], subject: 'Hi', html: '<p>x</p>' });
    expect(headerOf(message, 'To')).toBe('ada@example.com, grace@example.org');
  });

  it('refuses CR or LF in the subject or recipient (header injection)', () => {
    expect(() => buildHtmlEmail({ to: 'ada@example.com', subject: 'Hi\r\nBcc: eve@evil.test', html: '' })).toThrow(AppError);
    expect(() => buildHtmlEmail({ to: 'ada@example.com', subject: 'Hi\nBcc: eve@evil.test', html: '' })).toThrow(/line breaks/);
    expect(() => buildHtmlEmail({ to: 'ada@example.com\r\nBcc: eve@evil.test', subject: 'Hi', html: '' })).toThrow(AppError);
    expect(() => buildHtmlEmail({ to: 'Ada <ada@example.com>, eve@evil.test', subject: 'Hi', html: '' })).toThrow(/plain email address/);
    expect(() => buildHtmlEmail({ to: [], subject: 'Hi', html: '' })).toThrow(/recipient/);
  });

  it('encodes a non-ASCII subject as RFC 2047 encoded-words of at most 75 characters, never splitting a character', () => {
    const subject = 'Réunion d’équipe — 会议 📅 '.repeat(4).trim();
    const encoded = encodeHeaderValue(subject);
    const words = encoded.split('\r\n ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(word.length).toBeLessThanOrEqual(75);
      // Each word decodes on its own to valid UTF-8 (no character cut in half).
      const text = Buffer.from(word.slice(10, -2), 'base64').toString('utf8');
      expect(text).not.toContain('\uFFFD');
    }
    expect(decodeEncodedWords(encoded.replace(/\r\n /g, ' '))).toBe(subject);
    expect(encodeHeaderValue('Plain ASCII')).toBe('Plain ASCII');
  });

  it('encodes the whole message as base64url without padding for `raw`', () => {
    const raw = encodeRawMessage(buildHtmlEmail({ to: 'ada@example.com', subject: 'ü?>', html: '<b>?</b>' }));
    expect(raw).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
