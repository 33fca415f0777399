/** A request body ready for `fetch`, and whether it can be sent again on a retry. */
export interface EncodedBody {
  body: BodyInit | undefined;
  /** Set for bodies we serialize (JSON); `fetch` sets the type of forms and multipart itself. */
  contentType: string | undefined;
  /** False for streams: they are consumed by the first attempt. */
  replayable: boolean;
  /** Streams need `duplex: 'half'` in Node's fetch. */
  streamed: boolean;
}

const NO_BODY: EncodedBody = Object.freeze({ body: undefined, contentType: undefined, replayable: true, streamed: false });

const isStream = (body: object): boolean => body instanceof ReadableStream || Symbol.asyncIterator in body;

/**
 * Plain objects, arrays and other JSON values become JSON; strings, `URLSearchParams` (form),
 * `FormData` (multipart), `Blob`, `ArrayBuffer`, typed arrays (`Buffer`) and streams go as they are.
 */
export function encodeBody(body: unknown): EncodedBody {
  if (body === undefined || body === null) return NO_BODY;
  if (
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof FormData ||
    body instanceof Blob ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  ) {
    return { body: body as BodyInit, contentType: undefined, replayable: true, streamed: false };
  }
  if (typeof body === 'object' && isStream(body)) {
    return { body: body as BodyInit, contentType: undefined, replayable: false, streamed: true };
  }
  return { body: JSON.stringify(body), contentType: 'application/json', replayable: true, streamed: false };
}
