/** One HTTP exchange a fake took part in: a request it received, or one it sent (a delivery). */
export interface LoggedExchange {
  /** Order across every fake sharing the log. */
  seq: number;
  /** Which fake: `microsoft`, `google`, `asana`, `pubsub`, `oauth`, … */
  provider: string;
  /** `in`: the fake received it; `out`: the fake sent it (validation, handshake, notification). */
  direction: 'in' | 'out';
  method: string;
  /** Path without the query string (for `out`, of the URL called). */
  path: string;
  /** For `out`: the full URL called. */
  url?: string;
  query: Record<string, string>;
  /** Selected headers, lower-cased: authorization, content-type and every `x-*` header. */
  headers: Record<string, string>;
  /** JSON parsed, a form as an object, other text as a string; undefined when empty. */
  body: unknown;
  /** Fake-clock time when the request was received or sent. */
  at: number;
  /** Status of the answer, once there is one. */
  status?: number;
  /** `seq` at the moment the answer left (`in`) or arrived (`out`): orders answers against other exchanges. */
  answeredSeq?: number;
  /** For `out`: why no answer came (`timeout`, a network error). */
  error?: string;
}

export interface LogFilter {
  provider?: string;
  direction?: 'in' | 'out';
  method?: string;
  /** Exact path, or a pattern. */
  path?: string | RegExp;
}

/**
 * A request log several fakes (and the OAuth server of `oidc-server.ts`) write to, so a test can
 * assert the order of calls across providers: "the Graph subscription was deleted before the
 * token was revoked", "the validation request came before the create call was answered".
 */
export class RequestLog {
  readonly entries: LoggedExchange[] = [];
  #seq = 0;

  record(entry: Omit<LoggedExchange, 'seq'>): LoggedExchange {
    const logged: LoggedExchange = { ...entry, seq: ++this.#seq };
    this.entries.push(logged);
    return logged;
  }

  /** Marks `entry` answered with `status` now (or failed with `error`). */
  answered(entry: LoggedExchange, status: number | undefined, error?: string): void {
    if (status !== undefined) entry.status = status;
    if (error !== undefined) entry.error = error;
    entry.answeredSeq = ++this.#seq;
  }

  filter(filter: LogFilter = {}): LoggedExchange[] {
    return this.entries.filter(
      (entry) =>
        (filter.provider === undefined || entry.provider === filter.provider) &&
        (filter.direction === undefined || entry.direction === filter.direction) &&
        (filter.method === undefined || entry.method === filter.method) &&
        (filter.path === undefined || (typeof filter.path === 'string' ? entry.path === filter.path : filter.path.test(entry.path))),
    );
  }

  /** The first matching entry; throws naming the filter when there is none. */
  first(filter: LogFilter): LoggedExchange {
    const found = this.filter(filter)[0];
    if (!found) throw new Error(`no logged exchange matches ${JSON.stringify({ ...filter, path: String(filter.path) })}`);
    return found;
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** The headers worth logging: authorization, content-type and the `x-*` ones. */
export function selectHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const selected: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || !(lower === 'authorization' || lower === 'content-type' || lower.startsWith('x-'))) continue;
    selected[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return selected;
}

/** A body as a test wants to read it: JSON parsed, a form as an object, else its text. */
export function parseLoggedBody(text: string, contentType: string | undefined): unknown {
  if (text.length === 0) return undefined;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (type === 'application/json' || type.endsWith('+json') || /^[[{]/.test(text.trimStart())) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
