/** Whether the fakes accept plain-http callback URLs on a loopback host. */
export interface CallbackUrlPolicy {
  /**
   * Every provider here requires an https notification/target URL; tests run their receivers on
   * 127.0.0.1 over plain http, so loopback http is accepted unless this is false.
   * @default true
   */
  allowHttpLoopback?: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why `value` cannot be a callback URL (a sentence), or undefined when it can: it must be an
 * absolute https URL, or http to a loopback host when the policy allows it.
 */
export function callbackUrlProblem(value: unknown, policy: CallbackUrlPolicy = {}): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'is missing';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not an absolute URL: ${value}`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && (policy.allowHttpLoopback ?? true) && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return `must use https: ${value}`;
}
