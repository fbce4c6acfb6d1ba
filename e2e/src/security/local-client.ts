// An HTTP client that speaks from a chosen loopback address (127.0.0.2, 127.0.0.3, ...) and may send any
// header, Host and X-Forwarded-* included: what an attacker's client does and `fetch` does not let a test do.
import { request as httpRequest } from 'node:http';
import { CookieJar, formAction, hiddenField } from '../oauth/browser.ts';

export interface LocalResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Location resolved against the request URL, or null. */
  location: string | null;
}

export interface LocalRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The client's source address; the platform sees the connection coming from it. */
  localAddress?: string;
}

/** One request over a fresh connection from `localAddress`. */
export function send(url: string, init: LocalRequest = {}): Promise<LocalResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers,
        localAddress: init.localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const location = res.headers.location;
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            location: location ? new URL(location, url).toString() : null,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * A browser on one source address with a cookie jar and extra headers sent on every request (e.g. a forged
 * X-Forwarded-For).
 */
export class LocalBrowser {
  private readonly jar = new CookieJar();
  private readonly localAddress: string;
  private readonly extraHeaders: Record<string, string>;

  constructor(localAddress: string, extraHeaders: Record<string, string> = {}) {
    this.localAddress = localAddress;
    this.extraHeaders = extraHeaders;
  }

  async request(
    url: string,
    init: { form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<LocalResponse> {
    const cookie = this.jar.header(url);
    const headers: Record<string, string> = { accept: 'text/html', ...this.extraHeaders, ...init.headers };
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await send(url, {
      method: init.form ? 'POST' : 'GET',
      headers,
      body,
      localAddress: this.localAddress,
    });
    this.jar.store(url, [response.headers['set-cookie'] ?? []].flat());
    return response;
  }

  /** Follows redirects from `url` until a page is reached (or `maxHops`); returns that page and its URL. */
  async open(url: string, maxHops = 5): Promise<LocalResponse & { url: string }> {
    let current = url;
    let response = await this.request(current);
    for (let hop = 0; hop < maxHops && response.location; hop += 1) {
      current = response.location;
      response = await this.request(current);
    }
    return { ...response, url: current };
  }
}

/** Posts the sign-in form of `page` (at `pageUrl`) with these credentials; returns the answer unfollowed. */
export function postSignIn(
  browser: LocalBrowser,
  page: { body: string; url: string },
  credentials: { login: string; password: string },
  headers: Record<string, string> = {},
): Promise<LocalResponse> {
  return browser.request(formAction(page.body, page.url, '/login'), {
    form: { csrf: hiddenField(page.body, 'csrf'), ...credentials },
    headers,
  });
}
