import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { bearerToken, contentType, type FakeProviderServer } from '../../support/fake-provider-server.js';
import { createFakeGoogle, GOOGLE_ACCESS_TOKEN, googleError } from '../../support/fake-google.js';

export const GOOGLE_REFRESH_TOKEN = '1//fake-google-refresh-token';
export const GOOGLE_CLIENT_ID = 'proxy-test-client.apps.googleusercontent.com';
export const GOOGLE_CLIENT_SECRET = 'proxy-test-client-secret';

/** Drive's limit for `uploadType=media` (https://developers.google.com/drive/api/guides/manage-uploads#simple). */
const SIMPLE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024;

export interface StoredDriveFile {
  id: string;
  mimeType: string;
  bytes: Buffer;
  sha256: string;
}

/**
 * www.googleapis.com as the proxy tests use it: the shared Google fake (Calendar, userinfo) plus
 * Drive media upload and download, a Drive `about` that answers gzip-compressed as Google does
 * when asked, and oauth2.googleapis.com/token for the refresh grant. Only
 * {@link GOOGLE_ACCESS_TOKEN} is accepted; the token endpoint hands it out.
 */
export function createProxiedGoogle(): { server: FakeProviderServer; files: Map<string, StoredDriveFile> } {
  const { server } = createFakeGoogle();
  const files = new Map<string, StoredDriveFile>();
  const unauthenticated = googleError(401, 'Request had invalid authentication credentials.', 'UNAUTHENTICATED');
  const authorized = (token: string | undefined): boolean => token === GOOGLE_ACCESS_TOKEN;

  // https://developers.google.com/identity/protocols/oauth2/web-server#offline
  server.route('POST', '/token', (request, check) => {
    check(contentType(request) === 'application/x-www-form-urlencoded', 'the token endpoint takes a form');
    const form = request.form();
    check(form.get('grant_type') === 'refresh_token', 'grant_type=refresh_token');
    check(form.get('client_id') === GOOGLE_CLIENT_ID && form.get('client_secret') === GOOGLE_CLIENT_SECRET, 'client_secret_post credentials');
    if (form.get('refresh_token') !== GOOGLE_REFRESH_TOKEN) return { status: 400, json: { error: 'invalid_grant', error_description: 'Bad Request' } };
    // Google does not rotate refresh tokens: none in the answer.
    return { json: { access_token: GOOGLE_ACCESS_TOKEN, expires_in: 3599, scope: 'https://www.googleapis.com/auth/drive', token_type: 'Bearer' } };
  });

  // https://developers.google.com/drive/api/guides/manage-uploads#simple
  server.route('POST', '/upload/drive/v3/files', (request, check) => {
    if (!authorized(bearerToken(request))) return unauthenticated;
    check(request.query.get('uploadType') === 'media', 'uploadType=media');
    check(contentType(request) !== '', 'Content-Type is the uploaded media type');
    const declared = request.headers['content-length'];
    check(declared === undefined || Number(declared) === request.body.length, 'Content-Length is the number of bytes uploaded');
    check(declared !== undefined || request.headers['transfer-encoding'] === 'chunked', 'without Content-Length the upload is chunked');
    if (request.body.length > SIMPLE_UPLOAD_MAX_BYTES) return googleError(413, 'Request Too Large', 'FAILED_PRECONDITION');
    const file: StoredDriveFile = {
      id: randomUUID().replaceAll('-', ''),
      mimeType: contentType(request),
      bytes: request.body,
      sha256: createHash('sha256').update(request.body).digest('hex'),
    };
    files.set(file.id, file);
    return { json: { kind: 'drive#file', id: file.id, name: 'Untitled', mimeType: file.mimeType } };
  });

  // https://developers.google.com/drive/api/guides/manage-downloads#download-content
  server.route('GET', '/drive/v3/files/:fileId', (request, _check, params) => {
    if (!authorized(bearerToken(request))) return unauthenticated;
    const file = files.get(params.fileId!);
    if (!file) return googleError(404, `File not found: ${params.fileId}.`, 'NOT_FOUND');
    if (request.query.get('alt') !== 'media') return { json: { kind: 'drive#file', id: file.id, name: 'Untitled', mimeType: file.mimeType } };
    return { headers: { 'content-type': file.mimeType, 'content-length': String(file.bytes.length) }, body: file.bytes };
  });

  server.route('GET', '/drive/v3/about', (request, check) => {
    if (!authorized(bearerToken(request))) return unauthenticated;
    check(request.query.get('fields') !== null, 'about.get needs fields');
    const body = JSON.stringify({ kind: 'drive#about', user: { displayName: 'Ada Lovelace', emailAddress: 'ada@example.com' } });
    const accepted = String(request.headers['accept-encoding'] ?? '');
    return accepted.includes('gzip')
      ? { headers: { 'content-type': 'application/json; charset=UTF-8', 'content-encoding': 'gzip', vary: 'Origin, X-Origin, Referer' }, body: gzipSync(body) }
      : { json: JSON.parse(body) };
  });

  return { server, files };
}
