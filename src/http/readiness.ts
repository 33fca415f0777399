import type { Request, Response } from 'express';

/** One dependency `/readyz` asks about. `check` throws (or times out) when it is down. */
export interface ReadinessCheck {
  /** What the 503 body names: `database`, `redis`, … */
  name: string;
  check(): Promise<void>;
}

/** How long one dependency may take to answer a readiness probe. @default 2000 */
export const READINESS_TIMEOUT_MS = 2000;

async function probe(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
    });
    await Promise.race([check.check(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/readyz`: 200 when every dependency answers, else 503 with `{ status, down: [names] }`.
 * Error details stay out of the body (a connection string could be in them).
 */
export function readinessHandler(checks: readonly ReadinessCheck[], timeoutMs = READINESS_TIMEOUT_MS) {
  return async (_request: Request, response: Response): Promise<void> => {
    const results = await Promise.all(checks.map(async (check) => ({ name: check.name, up: await probe(check, timeoutMs) })));
    const down = results.filter((result) => !result.up).map((result) => result.name);
    const checksBody = Object.fromEntries(results.map((result) => [result.name, result.up ? 'up' : 'down']));
    response
      .status(down.length === 0 ? 200 : 503)
      .set('cache-control', 'no-store')
      .json(down.length === 0 ? { status: 'ready', checks: checksBody } : { status: 'unavailable', down, checks: checksBody });
  };
}
