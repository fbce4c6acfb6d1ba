// Driving oauth-service's HTML sign-in, second-factor and consent pages as a browser would (a cookie jar, manual redirects,
// forms posted with their own hidden fields), then redeeming the code with openid-client as an RP would.
import * as client from 'openid-client';
import type { SoftwareAuthenticator } from '../../../apps/oauth-service/src/passkeys/test-support.ts';
import { registerClient } from '../../../apps/oauth-service/src/testing.ts';
import { type Account, BENCH_USER, type OurServer, PORTAL_REDIRECT, type Server } from './servers.ts';

interface Page {
  status: number;
  url: string;
  location: string | null;
  body: string;
}

export class Browser {
  private readonly jar = new Map<string, string>();

  /** GET `url`, or POST `form` to it; a `json` body is posted as the sign-in page's script posts it. */
  async request(url: string, form?: Record<string, string>, json?: unknown): Promise<Page> {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    } else if (json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(json);
    }
    const method = body === undefined ? 'GET' : 'POST';
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
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

/** openid-client's view of `clientId` (client_secret_basic) on `server`: the admin portal's by default. */
export const portalConfig = (server: Server, clientId = 'admin-portal', secret = server.portalSecret) =>
  client.discovery(new URL(server.issuer), clientId, {}, client.ClientSecretBasic(secret), {
    execute: [client.allowInsecureRequests],
  });

/**
 * A third-party client beside the portal (which is first-party and never shows a consent page), with the
 * portal's redirect URI and scopes: its users consent on the consent page.
 */
export async function thirdPartyConfig(server: OurServer) {
  const { clientId, secret } = await registerClient(server.env, {
    name: 'Bench third-party app',
    type: 'confidential',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [PORTAL_REDIRECT],
    scope: ['openid', 'profile', 'offline_access'],
    firstParty: false,
  });
  return portalConfig(server, clientId, secret);
}

export interface FlowSteps {
  /** Sign-in pages answered, with a password or a passkey. */
  signIns: number;
  /** Second-factor pages answered with a TOTP code. */
  secondFactors: number;
  consents: number;
}

type AssertionOptions = Parameters<SoftwareAuthenticator['authenticate']>[0];

/** Who signs in, and how: a password (and a TOTP code when asked), or a passkey alone. */
export interface SignInAs {
  account?: Account;
  /** The code of the user's authenticator app, computed when the second-factor page asks for it. */
  totpCode?: () => string;
  /** Signs the sign-in page's passkey challenge (a software authenticator holding the user's passkey). */
  passkey?: (options: AssertionOptions) => ReturnType<SoftwareAuthenticator['authenticate']>;
}

/** The sign-in page's passkey step, as its script does it: options (JSON), the signed answer as a form. */
async function passkeySignIn(browser: Browser, page: Page, issuer: string, as: SignInAs) {
  const match = /<form id="passkey-form" method="post" action="([^"]*)" data-options="([^"]*)"/.exec(
    page.body,
  );
  if (!match) throw new Error(`no passkey form in page:\n${page.body.slice(0, 500)}`);
  const csrf = hiddenField(page.body, 'csrf');
  const options = await browser.request(new URL(match[2]!, page.url).toString(), undefined, { csrf });
  if (options.status !== 200) throw new Error(`passkey options: ${options.status} ${options.body}`);
  const credential = as.passkey!(JSON.parse(options.body));
  return browser.follow(new URL(match[1]!, page.url).toString(), issuer, {
    csrf,
    credential: JSON.stringify(credential),
  });
}

/** Answers the page the flow is on (sign-in, second factor, consent); the next page or the client. */
async function answerPage(browser: Browser, page: Page, issuer: string, as: SignInAs, steps: FlowSteps) {
  const html = page.body;
  const csrf = hiddenField(html, 'csrf');
  if (html.includes('/login"')) {
    steps.signIns += 1;
    if (as.passkey) return passkeySignIn(browser, page, issuer, as);
    const { login, password } = as.account ?? BENCH_USER;
    return browser.follow(formAction(html, page.url, '/login'), issuer, { csrf, login, password });
  }
  if (html.includes('/mfa"') && as.totpCode) {
    steps.secondFactors += 1;
    return browser.follow(formAction(html, page.url, '/mfa'), issuer, { csrf, code: as.totpCode() });
  }
  if (html.includes('/confirm"')) {
    steps.consents += 1;
    return browser.follow(formAction(html, page.url, '/confirm'), issuer, { csrf });
  }
  throw new Error(`unexpected page (${page.status}):\n${html.slice(0, 800)}`);
}

/**
 * One authorization-code + PKCE flow of the admin portal: authorize → sign-in page → credentials → (second
 * factor) → (consent) → code → token exchange. `browser` carries the session between flows when the caller
 * keeps it. The password-only bench user signs in unless `as` says otherwise.
 */
export async function codeFlow(
  server: Server,
  config: client.Configuration,
  options: { browser?: Browser; params?: Record<string, string>; steps?: FlowSteps; as?: SignInAs } = {},
) {
  const browser = options.browser ?? new Browser();
  const steps = options.steps ?? { signIns: 0, secondFactors: 0, consents: 0 };
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
  for (let step = 0; step < 4 && !leftTo; step += 1)
    ({ page, leftTo } = await answerPage(browser, page, server.issuer, options.as ?? {}, steps));
  if (!leftTo)
    throw new Error(
      `the flow did not return to the client; last page (${page.status}):\n${page.body.slice(0, 800)}`,
    );
  return client.authorizationCodeGrant(config, new URL(leftTo), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
}
