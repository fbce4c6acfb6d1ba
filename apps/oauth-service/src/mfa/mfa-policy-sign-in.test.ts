import { describeEachDialect } from '@platform/db/testing';
import { currentStep, totpAtStep } from '@platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type AdminHarness,
  bearer,
  InjectBrowser,
  PASSWORD,
  PORTAL,
  startAdminHarness,
} from '../admin/test-support.ts';
import { type FlowClient, signInFlow } from './sign-in-test-support.ts';

// Where else a second factor is required: by a client (require_mfa), by the administrator's "enrol at next
// sign-in", and after a required password change.

const MFA = 'urn:platform:acr:mfa';

describeEachDialect('multi-factor policy at sign-in', (temp) => {
  let h: AdminHarness;
  let flow: ReturnType<typeof signInFlow>;
  let strict: FlowClient;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    flow = signInFlow(h);
    const redirectUri = `${PORTAL.redirectUri}-strict`;
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/admin/clients',
      headers: bearer(await h.clientToken()),
      payload: {
        name: 'Strict payroll',
        type: 'confidential',
        grant_types: ['authorization_code'],
        redirect_uris: [redirectUri],
        scope: ['openid'],
      },
    });
    expect(created.statusCode).toBe(201);
    strict = { clientId: created.json().client_id, secret: created.json().client_secret, redirectUri };
    await flow.mfa.repository.setClientRequiresMfa(strict.clientId, true);
  });
  afterAll(() => h?.close());

  it('asks the second factor for a client that requires MFA, also within a password session', async () => {
    const { secret } = await flow.userWithTotp('strict-user');
    const browser = new InjectBrowser(h.app);
    const portal = await flow.authorize(browser);
    const signedIn = await flow.password(browser, portal.step, 'strict-user');
    expect(await flow.idTokenOf(browser, signedIn, portal.verifier)).toMatchObject({ amr: ['pwd'] });

    const started = await flow.authorize(browser, {}, strict);
    expect(started.step.response.payload).toContain('Two-step verification');
    const done = await flow.submit(browser, started.step, 'mfa', { code: totpAtStep(secret, currentStep()) });
    expect(await flow.idTokenOf(browser, done, started.verifier, strict)).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      acr: MFA,
    });
  });

  it('takes a user the administrator flagged through enrolment, and clears the flag', async () => {
    const user = await h.createUser('flagged-user');
    await flow.mfa.repository.setEnrolmentRequired(user.id, true);
    const browser = new InjectBrowser(h.app);
    const { step } = await flow.authorize(browser);
    const enrol = await flow.password(browser, step, 'flagged-user');
    expect(enrol.response.payload).toContain('Set up two-step verification');
    const secret = (/<code>([A-Z2-7 ]+)<\/code>/.exec(enrol.response.payload)?.[1] ?? '').replaceAll(' ', '');
    const codes = await flow.submit(browser, enrol, 'mfa/enrol', { code: totpAtStep(secret, currentStep()) });
    expect(codes.response.payload).toContain('Two-step verification is on');
    expect(await flow.mfa.repository.enrolmentRequired(user.id)).toBe(false);
  });

  it('asks the second factor after a required password change', async () => {
    const { user, secret } = await flow.userWithTotp('changes-first', []);
    await h.users.setPassword(user.id, PASSWORD, { mustChangePassword: true });
    const browser = new InjectBrowser(h.app);
    const { step, verifier } = await flow.authorize(browser, { acr_values: MFA });
    const change = await flow.password(browser, step, 'changes-first');
    expect(change.response.payload).toContain('Choose a new password');
    const newPassword = 'amber-falcon-meadow-42';
    const second = await flow.submit(browser, change, 'password', {
      login: 'changes-first',
      current: PASSWORD,
      password: newPassword,
      confirm: newPassword,
    });
    expect(second.response.payload).toContain('Two-step verification');
    const done = await flow.submit(browser, second, 'mfa', { code: totpAtStep(secret, currentStep()) });
    expect(await flow.idTokenOf(browser, done, verifier)).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      acr: MFA,
    });
  });
});

describeEachDialect('second-factor attempts share the account lockout', (temp) => {
  let h: AdminHarness;
  let flow: ReturnType<typeof signInFlow>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url, { env: { LOGIN_MAX_FAILURES: '3' } });
    flow = signInFlow(h);
  });
  afterAll(() => h?.close());

  it('locks the account after repeated wrong codes; the password step does not reset the count', async () => {
    const { user, secret } = await flow.userWithTotp('guessed');
    const browser = new InjectBrowser(h.app);
    const wrongCode = async () => {
      const { step } = await flow.authorize(browser, { acr_values: MFA });
      const page = await flow.password(browser, step, 'guessed');
      expect(page.response.payload).toContain('Two-step verification');
      return flow.submit(browser, page, 'mfa', { code: '000000' });
    };
    // A new sign-in (password right) between wrong codes: the count keeps growing.
    await wrongCode();
    await wrongCode();
    const third = await wrongCode();
    expect(third.response.payload).toContain('This account is locked');
    const locked = await h.users.findById(user.id);
    expect(locked?.lockedUntil).toBeGreaterThan(Date.now());

    // Locked: the right code is refused too, and so is the password.
    const rightCode = await flow.submit(browser, third, 'mfa', { code: totpAtStep(secret, currentStep()) });
    expect(rightCode.leftTo).toBeUndefined();
    expect(rightCode.response.payload).toContain('This account is locked');
    const again = await h.postSignIn(new InjectBrowser(h.app), 'guessed', PASSWORD);
    expect(again.payload).toContain('This account is locked');

    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).payload;
    const series = (factor: string, result: string) =>
      new RegExp(
        `^oauth_login_attempts_total\\{(factor="${factor}",result="${result}"|result="${result}",factor="${factor}")\\} (\\d+)`,
        'm',
      ).exec(metrics)?.[2];
    expect(Number(series('totp', 'invalid_credentials'))).toBe(2);
    expect(Number(series('totp', 'locked'))).toBe(2);
    expect(Number(series('password', 'success'))).toBeGreaterThanOrEqual(3);
    expect(series('recovery_code', 'success')).toBe('0');
    expect(series('passkey', 'success')).toBe('0');
  });
});

describeEachDialect('second-factor attempts share the per-address limit', (temp) => {
  let h: AdminHarness;
  let flow: ReturnType<typeof signInFlow>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url, { env: { LOGIN_IP_LIMIT_PER_MINUTE: '3' } });
    flow = signInFlow(h);
  });
  afterAll(() => h?.close());

  it('refuses codes from a flooding address with 429, whatever the code', async () => {
    const { secret } = await flow.userWithTotp('flooded');
    const browser = new InjectBrowser(h.app, '127.0.0.9');
    const { step } = await flow.authorize(browser, { acr_values: MFA });
    const page = await flow.password(browser, step, 'flooded');
    const first = await flow.submit(browser, page, 'mfa', { code: '000000' });
    const second = await flow.submit(browser, first, 'mfa', { code: '000000' });
    const limited = await flow.submit(browser, second, 'mfa', { code: totpAtStep(secret, currentStep()) });
    expect(limited.response.statusCode).toBe(429);
    expect(limited.response.payload).toContain('Too many sign-in attempts from your network');
  });
});
