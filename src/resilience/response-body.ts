/** A response body, decoded by its content type. */
export interface DecodedBody {
  data: unknown;
  /** The content type said JSON but the body did not parse (`data` is then the raw text). */
  invalidJson: boolean;
}

const NO_BODY_STATUSES = new Set([204, 205, 304]);
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b|\/json\b/;

/**
 * JSON (`application/json`, `…+json`) is parsed; a form (some token endpoints answer
 * `application/x-www-form-urlencoded`) becomes an object; text types and untyped bodies stay
 * text; anything else (files, images) comes back as bytes. An empty body is `undefined`.
 */
export async function decodeResponseBody(response: Response, method: string): Promise<DecodedBody> {
  if (method === 'HEAD' || NO_BODY_STATUSES.has(response.status)) {
    await response.body?.cancel();
    return { data: undefined, invalidJson: false };
  }
  const type = (response.headers.get('content-type') ?? '').toLowerCase();
  const json = type.startsWith('application/json') || JSON_TYPE.test(type);
  if (json || type === '' || type.startsWith('text/') || type.includes('xml') || type.startsWith('application/x-www-form-urlencoded')) {
    const text = await response.text();
    if (text === '') return { data: undefined, invalidJson: false };
    if (json) {
      try {
        return { data: JSON.parse(text) as unknown, invalidJson: false };
      } catch {
        return { data: text, invalidJson: true };
      }
    }
    if (type.startsWith('application/x-www-form-urlencoded')) return { data: Object.fromEntries(new URLSearchParams(text)), invalidJson: false };
    return { data: text, invalidJson: false };
  }
  return { data: new Uint8Array(await response.arrayBuffer()), invalidJson: false };
}
