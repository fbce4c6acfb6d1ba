import { describeEachDialect } from '@platform/db/testing';
import { currentStep, totpAtStep } from '@platform/testing';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InjectBrowser, PUBLIC_URL } from '../admin/test-support.ts';
import { ACR_MFA } from '../mfa/policy.ts';
import { action, field, type Step, signInFlow } from '../mfa/sign-in-test-support.ts';
import type { PasskeyUser } from './passkeys.service.ts';
import { claimsOf, type PasskeyHarness, RP, startPasskeyHarness } from './sign-in-test-support.ts';
import { SoftwareAuthenticator } from './test-support.ts';

// A passkey as the second factor after a password: the second-factor page offers it beside the code form,
// only the pending user's own passkey is accepted, and its refusals count towards the same lock as codes.

const ROLE = 'passkey-guarded';

function secondFactorSteps(p: PasskeyHarness) {
  const flow = signInFlow(p.h);

  /** POST …/mfa/passkey/options as the page script sends it (JSON, the page's CSRF token). */
  const requestOptions = (
    browser: InjectBrowser,
    page: Step,
    csrf = field(page.response.payload, 'csrf'),
  ) => {
    const target = /data-options="([^"]*)"/.exec(page.response.payload)?.[1] ?? '';
    return p.h.app.inject({
      method: 'POST',
      url: target,
      headers: {
        host: new URL(PUBLIC_URL).host,
        cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/json',
      },
      payload: JSON.stringify({ csrf }),
    });
  };

  async function options(browser: InjectBrowser, page: Step): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const response = await requestOptions(browser, page);
    expect(response.statusCode, response.payload).toBe(200);
    return response.json();
  }

  /** Password first, to the second-factor page of a sign-in that asks for MFA. */
  async function passwordThenSecondFactor(browser: InjectBrowser, username: string) {
    const { step, verifier } = await flow.authorize(browser, { acr_values: ACR_MFA });
    const page = await flow.password(browser, step, username);
    expect(page.response.payload).toContain('Two-step verification');
    return { page, verifier };
  }

  /** A passkey for an existing user, registered as the account console does. */
  async function addPasskey(user: PasskeyUser, synced = false) {
    const authenticator = new SoftwareAuthenticator(RP, synced);
    const options = await p.passkeys.registrationOptions(user);
    const registered = await p.passkeys.verifyRegistration(user, authenticator.register(options), 'Key');
    if (!registered.ok) throw new Error(registered.reason);
    return authenticator;
  }

  const submitPasskey = (browser: InjectBrowser, page: Step, credential: unknown) =>
    flow.submit(browser, page, 'mfa/passkey', { credential: JSON.stringify(credential) });

  return { flow, requestOptions, options, passwordThenSecondFactor, addPasskey, submitPasskey };
}

describeEachDialect('passkey as the second factor', (temp) => {
  let p: PasskeyHarness;
  let s: ReturnType<typeof secondFactorSteps>;
  beforeAll(async () => {
    p = await startPasskeyHarness(temp().url);
    s = secondFactorSteps(p);
    await p.h.roles.createRole({ name: ROLE });
    await s.flow.mfa.repository.setRoleMfaRequired(ROLE, true);
  });
  afterAll(() => p?.h.close());

  it('asks a passkey-only user whose role requires MFA for the passkey, not a TOTP enrolment', async () => {
    const { user, authenticator } = await p.userWithPasskey('kira', false, [ROLE]);
    const browser = new InjectBrowser(p.h.app);
    const { step, verifier } = await s.flow.authorize(browser);
    const page = await s.flow.password(browser, step, 'kira');
    const html = page.response.payload;
    expect(html).toContain('Two-step verification');
    expect(html).not.toContain('Set up two-step verification');
    expect(html).toMatch(/<form id="passkey-form"[^>]*action="[^"]*\/mfa\/passkey"/);
    expect(html).toContain('<script src="/interaction/assets/passkey-sign-in.js" defer></script>');
    // No TOTP, no recovery codes: no code form to fail at.
    expect(action(html, 'mfa')).toBe('');
    expect(String(page.response.headers['content-security-policy'])).toContain("script-src 'self'");

    const options = await s.options(browser, page);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([
      authenticator.credentials[0]!.id.toString('base64url'),
    ]);
    // Possession is the second factor: a passkey without user verification is enough after a password.
    const done = await s.submitPasskey(
      browser,
      page,
      authenticator.authenticate(options, { userVerified: false }),
    );
    expect(await s.flow.idTokenOf(browser, done, verifier)).toMatchObject({
      sub: user.id,
      amr: ['pwd', 'hwk', 'mfa'],
      acr: ACR_MFA,
    });
    const [success] = await p.h.auditOf('login.mfa.success');
    expect(success).toMatchObject({ actorId: user.id, details: { factor: 'passkey' } });
    const signIns = (await p.h.auditOf('login.success')).filter((e) => e.actorId === user.id);
    expect(signIns).toMatchObject([{ details: { amr: ['pwd', 'hwk', 'mfa'] } }]);
  });

  it('offers a synced passkey beside the code form (which works without it); swk in the ID token', async () => {
    const { user, secret } = await s.flow.userWithTotp('lena');
    const authenticator = await s.addPasskey(user, true);

    const withCode = new InjectBrowser(p.h.app);
    const first = await s.passwordThenSecondFactor(withCode, 'lena');
    expect(action(first.page.response.payload, 'mfa')).not.toBe('');
    expect(first.page.response.payload).toMatch(/<form id="passkey-form"[^>]* hidden>/);
    const byCode = await s.flow.submit(withCode, first.page, 'mfa', {
      code: totpAtStep(secret, currentStep()),
    });
    expect(await s.flow.idTokenOf(withCode, byCode, first.verifier)).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
    });

    const withPasskey = new InjectBrowser(p.h.app);
    const second = await s.passwordThenSecondFactor(withPasskey, 'lena');
    const answer = authenticator.authenticate(await s.options(withPasskey, second.page));
    const byPasskey = await s.submitPasskey(withPasskey, second.page, answer);
    expect(await s.flow.idTokenOf(withPasskey, byPasskey, second.verifier)).toMatchObject({
      amr: ['pwd', 'swk', 'mfa'],
      acr: ACR_MFA,
    });
  });

  it("refuses another user's passkey and counts the failure on the account signing in", async () => {
    const { user } = await s.flow.userWithTotp('mona');
    await s.addPasskey(user);
    const intruder = await p.userWithPasskey('nils');
    const browser = new InjectBrowser(p.h.app);
    const { page } = await s.passwordThenSecondFactor(browser, 'mona');
    const refused = await s.submitPasskey(
      browser,
      page,
      intruder.authenticator.authenticate(await s.options(browser, page)),
    );
    expect(refused.leftTo).toBeUndefined();
    expect(refused.response.payload).toContain('That passkey was not accepted.');
    expect((await p.h.users.findById(user.id))?.failedLoginCount).toBe(1);
    expect((await p.h.users.findById(intruder.user.id))?.failedLoginCount).toBe(0);
    const failures = (await p.h.auditOf('login.mfa.failure')).filter((e) => e.actorId === user.id);
    expect(failures).toMatchObject([{ details: { factor: 'passkey', reason: 'invalid_credentials' } }]);
  });

  it('does not take a passkey that was the first factor as the second one too', async () => {
    const { user, secret } = await s.flow.userWithTotp('quinn', [ROLE]);
    const authenticator = await s.addPasskey(user);
    const signIn = await p.openSignIn();
    const answer = authenticator.authenticate(await p.options(signIn), { userVerified: false });
    const page = await p.submit(signIn, answer);
    const html = page.response.payload;
    expect(html).toContain('Two-step verification');
    expect(html).not.toContain('id="passkey-form"');
    const uid = /\/interaction\/([^/"]+)\/mfa"/.exec(html)?.[1];
    const refused = await signIn.browser.request('POST', `/interaction/${uid}/mfa/passkey`, {
      csrf: field(html, 'csrf'),
      credential: JSON.stringify(answer),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'mfa_step_unexpected' });
    const done = await s.flow.submit(signIn.browser, page, 'mfa', {
      code: totpAtStep(secret, currentStep()),
    });
    expect(claimsOf((await p.exchange(done.leftTo!, signIn.verifier)).id_token)).toMatchObject({
      amr: ['hwk', 'otp', 'mfa'],
      acr: ACR_MFA,
    });
  });

  it('refuses the passkey forms with no second factor pending, and a forged CSRF token', async () => {
    const { user } = await s.flow.userWithTotp('otto');
    await s.addPasskey(user);
    const browser = new InjectBrowser(p.h.app);
    const { page } = await s.passwordThenSecondFactor(browser, 'otto');
    const forged = await s.requestOptions(browser, page, 'forged');
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-type']).toMatch(/^application\/problem\+json/);
    const notJson = await s.flow.submit(browser, page, 'mfa/passkey', { credential: 'not json' });
    expect(notJson.response.statusCode).toBe(400);
    expect(notJson.response.json()).toMatchObject({ code: 'invalid_credential' });

    const fresh = new InjectBrowser(p.h.app);
    const { step } = await s.flow.authorize(fresh);
    const loginUid = /\/interaction\/([^/"]+)\/login"/.exec(step.response.payload)?.[1];
    const early = await p.h.app.inject({
      method: 'POST',
      url: `/interaction/${loginUid}/mfa/passkey/options`,
      headers: {
        host: new URL(PUBLIC_URL).host,
        cookie: [...fresh.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/json',
      },
      payload: JSON.stringify({ csrf: field(step.response.payload, 'csrf') }),
    });
    expect(early.statusCode).toBe(400);
    expect(early.json()).toMatchObject({ code: 'mfa_step_unexpected' });
  });
});

describeEachDialect('passkey second factor shares the account lock', (temp) => {
  let p: PasskeyHarness;
  let s: ReturnType<typeof secondFactorSteps>;
  beforeAll(async () => {
    p = await startPasskeyHarness(temp().url, { LOGIN_MAX_FAILURES: '3' });
    s = secondFactorSteps(p);
  });
  afterAll(() => p?.h.close());

  it('locks after wrong codes and refused passkeys together; then the right passkey is refused too', async () => {
    const { user } = await s.flow.userWithTotp('petra');
    const own = await s.addPasskey(user);
    const browser = new InjectBrowser(p.h.app);
    const { page } = await s.passwordThenSecondFactor(browser, 'petra');
    const wrongCode = await s.flow.submit(browser, page, 'mfa', { code: '000000' });
    const badOrigin = await s.submitPasskey(
      browser,
      wrongCode,
      own.authenticate(await s.options(browser, wrongCode), { origin: 'https://evil.example' }),
    );
    expect(badOrigin.response.payload).toContain('That passkey was not accepted.');
    const stranger = own.stranger(Buffer.from(user.id).toString('base64url'));
    const unknown = await s.submitPasskey(
      browser,
      badOrigin,
      own.authenticate(await s.options(browser, badOrigin), {}, stranger),
    );
    expect(unknown.response.payload).toContain('This account is locked');
    expect((await p.h.users.findById(user.id))?.lockedUntil).toBeGreaterThan(Date.now());

    const right = await s.submitPasskey(
      browser,
      unknown,
      own.authenticate(await s.options(browser, unknown), {}, own.credentials[0]),
    );
    expect(right.leftTo).toBeUndefined();
    expect(right.response.payload).toContain('This account is locked');
  });
});

describeEachDialect('passkey second factor shares the per-address limit', (temp) => {
  let p: PasskeyHarness;
  let s: ReturnType<typeof secondFactorSteps>;
  beforeAll(async () => {
    p = await startPasskeyHarness(temp().url, { LOGIN_IP_LIMIT_PER_MINUTE: '3' });
    s = secondFactorSteps(p);
  });
  afterAll(() => p?.h.close());

  it('refuses passkeys from a flooding address with 429, even the right one', async () => {
    const { user } = await s.flow.userWithTotp('rosa');
    const own = await s.addPasskey(user);
    const browser = new InjectBrowser(p.h.app, '127.0.0.7');
    const { page } = await s.passwordThenSecondFactor(browser, 'rosa');
    const stranger = own.stranger(Buffer.from(user.id).toString('base64url'));
    const first = await s.submitPasskey(
      browser,
      page,
      own.authenticate(await s.options(browser, page), {}, stranger),
    );
    const second = await s.submitPasskey(
      browser,
      first,
      own.authenticate(await s.options(browser, first), {}, stranger),
    );
    // The password and two passkeys took the address's 3 attempts: the fourth is refused unchecked.
    const limited = await s.submitPasskey(
      browser,
      second,
      own.authenticate(await s.options(browser, second), {}, own.credentials[0]),
    );
    expect(limited.response.statusCode).toBe(429);
    expect(limited.response.payload).toContain('Too many sign-in attempts from your network');
  });
});
