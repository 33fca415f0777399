import type { FakeClock } from './fake-clock.js';
import { parseLoggedBody, selectHeaders, type RequestLog } from './fake-request-log.js';

/** One request a fake sent to a receiver (a validation, a handshake, a notification) and what came back. */
export interface Delivery {
  /** What the fake meant by it: `validation`, `handshake`, `notification`, `sync`, `push`, … */
  kind: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Fake-clock time it was sent. */
  at: number;
  /** The receiver's status; undefined when it never answered (see `error`). */
  status?: number;
  /** Response headers, lower-cased. */
  responseHeaders: Record<string, string>;
  responseText: string;
  /** `timeout`, or the network error (`ECONNREFUSED`, …) when there was no answer. */
  error?: string;
  /** Real milliseconds from sending to the answer. */
  durationMs: number;
}

export interface DeliveryContext {
  provider: string;
  clock: FakeClock;
  log?: RequestLog;
  /** Every delivery is appended here too. */
  deliveries: Delivery[];
}

export interface DeliveryRequest {
  kind: string;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Real milliseconds to wait for the answer before giving up with `error: 'timeout'`. */
  timeoutMs: number;
}

/**
 * Sends `request` the way a provider's delivery system does: one attempt, no redirects followed,
 * an answer later than `timeoutMs` counted as none. Never throws: the outcome is in the returned
 * record, which is also logged (direction `out`) and kept in `context.deliveries`.
 */
export async function deliver(context: DeliveryContext, request: DeliveryRequest): Promise<Delivery> {
  const method = request.method ?? 'POST';
  const headers = request.headers ?? {};
  const body = request.body ?? '';
  const url = new URL(request.url);
  const entry = context.log?.record({
    provider: context.provider,
    direction: 'out',
    method,
    path: url.pathname,
    url: request.url,
    query: Object.fromEntries(url.searchParams),
    headers: selectHeaders(headers),
    body: parseLoggedBody(body, headers['content-type']),
    at: context.clock.now(),
  });
  const delivery: Delivery = { kind: request.kind, method, url: request.url, headers, body, at: context.clock.now(), responseHeaders: {}, responseText: '', durationMs: 0 };
  context.deliveries.push(delivery);
  const started = performance.now();
  try {
    const response = await fetch(request.url, {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    delivery.status = response.status;
    response.headers.forEach((value, name) => {
      delivery.responseHeaders[name] = value;
    });
    delivery.responseText = await response.text();
  } catch (error) {
    delivery.error = describeFailure(error);
  }
  delivery.durationMs = performance.now() - started;
  if (entry) context.log!.answered(entry, delivery.status, delivery.error);
  return delivery;
}

/** A 2xx answer. */
export const delivered = (delivery: Delivery): boolean => delivery.status !== undefined && delivery.status >= 200 && delivery.status < 300;

/** Read by shape: fetch's errors come from the process's realm, not a jest test's, so `instanceof Error` fails. */
function describeFailure(error: unknown): string {
  const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  if (failure?.name === 'TimeoutError' || failure?.name === 'AbortError') return 'timeout';
  return failure?.cause?.code ?? failure?.cause?.message ?? failure?.message ?? String(error);
}
