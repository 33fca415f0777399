import { Transform, type Readable, type TransformCallback } from 'node:stream';

export interface BodyLimitHooks {
  /** The source went over the limit: the stream errors with `error` right after this. */
  onOverflow(error: Error): void;
  /** The source ended within the limit: every byte has been handed on. */
  onEnd(): void;
}

/**
 * Counts what passes and errors with `tooLarge()` past `maxBytes`, so a body over the limit is
 * refused after one chunk more than the limit, not after reading it whole.
 */
class BodyLimit extends Transform {
  #received = 0;

  constructor(
    private readonly source: Readable,
    private readonly maxBytes: number,
    private readonly tooLarge: () => Error,
    private readonly hooks: BodyLimitHooks,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#received += chunk.byteLength;
    if (this.#received <= this.maxBytes) {
      callback(null, chunk);
      return;
    }
    // The rest of the source is read and dropped: it may be a caller's request, whose connection carries the 413.
    this.source.unpipe(this);
    this.source.resume();
    const error = this.tooLarge();
    this.hooks.onOverflow(error);
    callback(error);
  }

  override _flush(callback: TransformCallback): void {
    this.hooks.onEnd();
    callback();
  }
}

/**
 * `source` passed on as the reader takes it (piped, so at the reader's pace: nothing is buffered
 * beyond a stream's high-water mark), counting bytes against `maxBytes`.
 */
export function limitRequestBody(source: Readable, maxBytes: number, tooLarge: () => Error, hooks: BodyLimitHooks): Readable {
  const limited = new BodyLimit(source, maxBytes, tooLarge, hooks);
  source.once('error', (error) => limited.destroy(error));
  return source.pipe(limited);
}
