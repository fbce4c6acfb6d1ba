// Driving oauth-service's HTML sign-in and consent pages as a browser would (a cookie jar, manual redirects,
// forms posted with their own hidden fields), then redeeming the code with openid-client as an RP would.
import * as client from 'openid-client';
import { ADMIN, PORTAL_REDIRECT, type Server } from './servers.ts';

interface Page {
  status: number;
  url: string;
  location: string | null;
  body: string;
}

export class Browser {
  private readonly jar = new Map<string, string>();

  async request(url: string, form?: Record<string, string>): Promise<Page> {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(url, { method: form ? 'POST' : 'GET', headers, body, redirect: 'manual' });
    // One origin only (the issuer), so the jar keys cookies by name.
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const location = res.headers.get('location');
    return {
      status: res.status,
      url,
      location: location ? new URL(location, url).toString() : null,
      body: await res.text(),
    };
  }

  /** Follows redirects while they stay on `origin`; returns the last page and the first foreign Location. */
  async follow(url: string, origin: string, form?: Record<string, string>) {
    let page = await this.request(url, form);
    for (let hops = 0; hops < 10 && page.location; hops += 1) {
      if (new URL(page.location).origin !== origin) return { page, leftTo: page.location };
      page = await this.request(page.location);
    }
    return { page, leftTo: null };
  }
}

function hiddenField(html: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in page:\n${html.slice(0, 500)}`);
  return match[1]!.replaceAll('&amp;', '&').replaceAll('&quot;', '"');
}

function formAction(html: string, base: string, suffix: string): string {
  const match = new RegExp(`<form method="post" action="([^"]*${suffix})"`).exec(html);
  if (!match) throw new Error(`no form posting to *${suffix} in page:\n${html.slice(0, 500)}`);
  return new URL(match[1]!, base).toString();
}

export const portalConfig = (server: Server) =>
  client.discovery(
    new URL(server.issuer),
    'admin-portal',
    {},
    client.ClientSecretBasic(server.portalSecret),
    { execute: [client.allowInsecureRequests] },
  );

export interface FlowSteps {
  signIns: number;
  consents: number;
}

/**
 * One authorization-code + PKCE flow of the admin portal: authorize → sign-in page → credentials → (consent)
 * → code → token exchange. `browser` carries the session between flows when the caller keeps it.
 */
export async function codeFlow(
  server: Server,
  config: client.Configuration,
  options: { browser?: Browser; params?: Record<string, string>; steps?: FlowSteps } = {},
) {
  const browser = options.browser ?? new Browser();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: PORTAL_REDIRECT,
    scope: 'openid profile offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...options.params,
  });
  let { page, leftTo } = await browser.follow(url.toString(), server.issuer);
  for (let step = 0; step < 4 && !leftTo; step += 1) {
    const html = page.body;
    const csrf = hiddenField(html, 'csrf');
    if (html.includes('/login"')) {
      if (options.steps) options.steps.signIns += 1;
      ({ page, leftTo } = await browser.follow(formAction(html, page.url, '/login'), server.issuer, {
        csrf,
        login: ADMIN.login,
        password: ADMIN.password,
      }));
    } else if (html.includes('/confirm"')) {
      if (options.steps) options.steps.consents += 1;
      ({ page, leftTo } = await browser.follow(formAction(html, page.url, '/confirm'), server.issuer, {
        csrf,
      }));
    } else {
      throw new Error(`unexpected page (${page.status}):\n${html.slice(0, 800)}`);
    }
  }
  if (!leftTo)
    throw new Error(
      `the flow did not return to the client; last page (${page.status}):\n${page.body.slice(0, 800)}`,
    );
  return client.authorizationCodeGrant(config, new URL(leftTo), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
}
