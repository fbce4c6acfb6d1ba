import { createHash, randomBytes } from 'node:crypto';
import { currentStep, totpAtStep } from '@platform/testing';
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import {
  type AdminHarness,
  exchangeCode,
  type InjectBrowser,
  PASSWORD,
  PORTAL,
  PUBLIC_URL,
} from '../admin/test-support.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { createMfaModule } from './wiring.ts';

// Drives the sign-in pages of the real service (app.inject) for the second-factor tests: authorize, post the
// page's forms, exchange the code, read the ID token.

export const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
export const action = (html: string, ending: string) =>
  new RegExp(`action="([^"]*/${ending})"`).exec(html)?.[1] ?? '';
/** The base32 key the enrolment page shows in groups of four. */
export const shownSecret = (html: string) =>
  (/<code>([A-Z2-7 ]+)<\/code>/.exec(html)?.[1] ?? '').replaceAll(' ', '');

export type Step = Awaited<ReturnType<InjectBrowser['follow']>>;

export interface FlowClient {
  clientId: string;
  secret: string;
  redirectUri: string;
}

export const PORTAL_CLIENT: FlowClient = PORTAL;

export function signInFlow(h: AdminHarness) {
  /** Starts an authorization in `browser`: the first page (or the redirect back), and the PKCE verifier. */
  async function authorize(
    browser: InjectBrowser,
    params: Record<string, string> = {},
    client = PORTAL_CLIENT,
  ) {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL('/oauth/authorize', PUBLIC_URL);
    for (const [key, value] of Object.entries({
      client_id: client.clientId,
      response_type: 'code',
      redirect_uri: client.redirectUri,
      scope: 'openid',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: randomBytes(8).toString('hex'),
      ...params,
    }))
      url.searchParams.set(key, value);
    return { step: await browser.follow('GET', url.toString()), verifier };
  }

  /** Posts the form of `step`'s page that ends in `ending`, with its CSRF token. */
  const submit = (browser: InjectBrowser, step: Step, ending: string, form: Record<string, string> = {}) => {
    const html = step.response.payload;
    const target = action(html, ending);
    expect(target, `a form ending in ${ending} on: ${html.slice(0, 300)}`).not.toBe('');
    return browser.follow('POST', target, { csrf: field(html, 'csrf'), ...form });
  };

  const password = (browser: InjectBrowser, step: Step, login: string) =>
    submit(browser, step, 'login', { login, password: PASSWORD });

  /** Exchanges the code the flow left with; returns the ID token's claims. */
  async function idTokenOf(browser: InjectBrowser, step: Step, verifier: string, client = PORTAL_CLIENT) {
    let done = step;
    // A third-party client's consent page comes last.
    if (!done.leftTo && action(done.response.payload, 'confirm'))
      done = await submit(browser, done, 'confirm');
    expect(done.leftTo?.searchParams.get('code'), done.response.payload.slice(0, 300)).toEqual(
      expect.any(String),
    );
    const response = await exchangeCode(h.app, done.leftTo!.searchParams.get('code')!, verifier, client);
    expect(response.statusCode, response.payload).toBe(200);
    return decodeJwt(response.json().id_token as string);
  }

  const mfa = createMfaModule(h.db, h.config, createSecretBox(h.config.ENCRYPTION_KEY));

  /** A user (with `roles`) whose TOTP is already confirmed (with the previous step's code). */
  async function userWithTotp(username: string, roles: string[] = []) {
    const user = await h.createUser(username, roles);
    const enrolment = await mfa.service.beginTotpEnrolment(user);
    const codes = await mfa.service.confirmTotpEnrolment(
      user.id,
      totpAtStep(enrolment!.secret, currentStep() - 1),
    );
    return { user, secret: enrolment!.secret, codes: codes! };
  }

  return { authorize, submit, password, idTokenOf, mfa, userWithTotp };
}
