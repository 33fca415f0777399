import { AppError, ErrorCode } from '../../errors/app-error.js';

/** What `GoogleClient.sendEmail` puts on the wire. */
export interface HtmlEmail {
  /** One address, or several. Each must be a bare `local@domain` address. */
  to: string | readonly string[];
  subject: string;
  html: string;
}

// Deliberately narrow: no display names, no comments, no quoted local parts. Anything a
// header could be smuggled through (CR, LF, commas, angle brackets) is outside this set.
const BARE_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

// RFC 2047 §2: an encoded-word is at most 75 characters; `=?UTF-8?B?` + `?=` take 12 of them,
// leaving 63 base64 characters, i.e. 45 bytes of UTF-8 (a multiple of 3, so no padding mid-header).
const MAX_ENCODED_WORD_BYTES = 45;

/**
 * Builds the RFC 2822 (MIME) message Gmail's `users.messages.send` expects in `raw`
 * (https://developers.google.com/gmail/api/reference/rest/v1/users.messages/send).
 * Header values are checked rather than escaped: a CR or LF in `to` or `subject` is a
 * header-injection attempt, so it is refused, never "cleaned".
 */
export function buildHtmlEmail(email: HtmlEmail): string {
  const recipients = typeof email.to === 'string' ? [email.to] : [...email.to];
  if (recipients.length === 0) throw invalid('at least one recipient is required');
  for (const address of recipients) assertBareAddress(address, 'to');
  if (/[\r\n]/.test(email.subject)) throw invalid('subject must not contain line breaks');

  // No From header: Gmail sets it to the authenticated user's address.
  const headers = [
    `To: ${recipients.join(', ')}`,
    `Subject: ${encodeHeaderValue(email.subject)}`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
  ];
  // RFC 2045 §6.8: base64 body lines are at most 76 characters.
  const body = Buffer.from(email.html, 'utf8').toString('base64').replace(/.{76}(?=.)/g, '$&\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
}

/** The `raw` field: the whole message, base64url without padding. */
export function encodeRawMessage(message: string): string {
  return Buffer.from(message, 'utf8').toString('base64url');
}

/** ASCII subjects go as they are; anything else as RFC 2047 `B` encoded-words folded over lines. */
export function encodeHeaderValue(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  // Split on code points so a multi-byte character never straddles two encoded-words (RFC 2047 §5).
  for (const character of value) {
    if (Buffer.byteLength(chunk + character, 'utf8') > MAX_ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += character;
  }
  words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join('\r\n ');
}

function assertBareAddress(address: string, header: string): void {
  if (!BARE_ADDRESS.test(address)) throw invalid(`${header} must be a plain email address`);
}

function invalid(message: string): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, message);
}
