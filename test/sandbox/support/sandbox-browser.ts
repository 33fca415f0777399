import { CookieJar } from '../../support/cookie-jar.js';

const unescapeHtml = (value: string): string =>
  value.replace(/&(amp|lt|gt|quot|#39);/g, (_whole, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name]!);

/** The action of the page's POST form whose submit button reads `label`. */
function formAction(html: string, label: string): string {
  const forms = html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g);
  for (const [, action, inner] of forms) if (new RegExp(`>${label}</button>`).test(inner!)) return unescapeHtml(action!);
  throw new Error(`no "${label}" form on the page:\n${html.slice(0, 2000)}`);
}

export interface SandboxPagesVisited {
  /** The query the browser came back to the redirect URI with (`code`, `state`, `iss`, or `error`). */
  callback: URLSearchParams;
  /** The consent page's HTML, when one was shown. */
  consentPage?: string;
}

/**
 * Plays a person's browser from an authorization URL through the sandbox's own pages: reads the
 * sign-in page and submits a name, reads the consent page and presses Allow (or Deny), following
 * redirects with the cookies oidc-provider sets, until the browser is sent to `redirectPath`.
 */
export async function passSandboxPages(authorizationUrl: string, options: { name?: string; deny?: boolean; redirectPath?: string } = {}): Promise<SandboxPagesVisited> {
  const jar = new CookieJar();
  const redirectPath = options.redirectPath ?? '/oauth/callback';
  let consentPage: string | undefined;
  let next = authorizationUrl;
  let body: URLSearchParams | undefined;
  for (let step = 0; step < 20; step += 1) {
    const response = await fetch(next, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body } : {}),
    });
    jar.store(response);
    const html = await response.text();
    body = undefined;
    const location = response.headers.get('location');
    if (location) {
      const target = new URL(location, next);
      if (target.pathname === redirectPath) return { callback: target.searchParams, ...(consentPage !== undefined && { consentPage }) };
      next = target.toString();
      continue;
    }
    if (response.status !== 200) throw new Error(`the sandbox answered ${response.status} at ${new URL(next).pathname}:\n${html.slice(0, 2000)}`);
    if (html.includes('>Sign in</button>')) {
      next = new URL(formAction(html, 'Sign in'), next).toString();
      body = new URLSearchParams({ name: options.name ?? 'Ada Lovelace' });
    } else {
      consentPage = html;
      next = new URL(formAction(html, options.deny ? 'Deny' : 'Allow'), next).toString();
      body = new URLSearchParams();
    }
  }
  throw new Error('the sandbox pages did not lead back to the redirect URI');
}
