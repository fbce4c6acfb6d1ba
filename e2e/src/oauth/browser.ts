// A minimal browser for driving the server-rendered sign-in pages over plain HTTP: a cookie jar, manual
// redirects, and form posts built from the page's own hidden fields.

export interface Response {
  status: number;
  url: string;
  location: string | null;
  body: string;
  headers: Headers;
}

/** Cookies per host, as a browser keeps them: a cleared or expired cookie is dropped. */
export class CookieJar {
  private readonly jar = new Map<string, string>();

  /** Keeps the `Set-Cookie` lines of a response to `url`. */
  store(url: string, setCookie: readonly string[]) {
    for (const cookie of setCookie) {
      const [pair] = cookie.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      const key = `${new URL(url).host}|${name}`;
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) this.jar.delete(key);
      else this.jar.set(key, value);
    }
  }

  /** The `Cookie` header for a request to `url` (empty when there is none). */
  header(url: string): string {
    const host = new URL(url).host;
    return [...this.jar.entries()]
      .filter(([key]) => key.startsWith(`${host}|`))
      .map(([key, value]) => `${key.split('|')[1]}=${value}`)
      .join('; ');
  }
}

export class Browser {
  private readonly jar = new CookieJar();

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { cookie: this.jar.header(url), accept: 'text/html' };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    this.jar.store(url, res.headers.getSetCookie());
    const location = res.headers.get('location');
    return {
      status: res.status,
      url,
      location: location ? new URL(location, url).toString() : null,
      body: await res.text(),
      headers: res.headers,
    };
  }

  /** Follows redirects while they stay on `origin`; returns the last response and the first foreign Location. */
  async follow(
    url: string,
    origin: string,
    init: { form?: Record<string, string> } = {},
  ): Promise<{ page: Response; leftTo: string | null }> {
    let res = await this.request(url, init);
    for (let hops = 0; hops < 10 && res.location; hops += 1) {
      if (new URL(res.location).origin !== origin) return { page: res, leftTo: res.location };
      res = await this.request(res.location);
    }
    return { page: res, leftTo: null };
  }
}

/** Value of a hidden input in a page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in page:\n${html.slice(0, 500)}`);
  return match[1]!.replaceAll('&amp;', '&').replaceAll('&quot;', '"');
}

/** The action of the form posting to a path ending in `suffix`. */
export function formAction(html: string, base: string, suffix: string): string {
  const match = new RegExp(`<form method="post" action="([^"]*${suffix})"`).exec(html);
  if (!match) throw new Error(`no form posting to *${suffix} in page:\n${html.slice(0, 500)}`);
  return new URL(match[1]!, base).toString();
}

/**
 * A form rendered by oidc-provider, by id (`op.deviceConfirmForm`, `op.logoutForm`) or, with `null`, the first
 * form of the page (its auto-submitting pages): action and hidden fields.
 */
export function providerForm(
  html: string,
  id: string | null,
  base: string,
): { action: string; fields: Record<string, string> } {
  const opening = id ? `<form[^>]*id="${id.replace('.', '\\.')}"[^>]*>` : '<form[^>]*>';
  const match = new RegExp(`${opening}([\\s\\S]*?)</form>`).exec(html);
  if (!match) throw new Error(`no form ${id} in page:\n${html.slice(0, 800)}`);
  const action = /action="([^"]*)"/.exec(match[0])?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const input of match[1]!.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) fields[name] = value;
  }
  return { action: new URL(action, base).toString(), fields };
}
