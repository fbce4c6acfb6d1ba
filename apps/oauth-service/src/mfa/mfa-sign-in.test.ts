import { describeEachDialect } from '@platform/db/testing';
import { currentStep, totpAtStep } from '@platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, InjectBrowser, isLoginPage, startAdminHarness } from '../admin/test-support.ts';
import { RECOVERY_CODE_COUNT } from './recovery-codes.ts';
import { action, shownSecret, signInFlow } from './sign-in-test-support.ts';

// The second factor through the real interaction routes and oidc-provider: enrolment at sign-in when the
// policy requires a factor the user lacks, the TOTP or recovery-code step, and amr/acr in the ID token.

const PWD = 'urn:platform:acr:pwd';
const MFA = 'urn:platform:acr:mfa';

describeEachDialect('multi-factor sign-in', (temp) => {
  let h: AdminHarness;
  let flow: ReturnType<typeof signInFlow>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    flow = signInFlow(h);
    await h.roles.createRole({ name: 'guarded' });
    await flow.mfa.repository.setRoleMfaRequired('guarded', true);
  });
  afterAll(() => h?.close());

  it('lists both acr values in discovery', async () => {
    const discovery = await h.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(discovery.json().acr_values_supported).toEqual([PWD, MFA]);
  });

  it('signs a password-only user in as before, with amr pwd and the one-factor acr', async () => {
    await h.createUser('plain-user', ['viewer']);
    const browser = new InjectBrowser(h.app);
    const { step, verifier } = await flow.authorize(browser);
    const signedIn = await flow.password(browser, step, 'plain-user');
    expect(signedIn.leftTo).toBeDefined();
    expect(await flow.idTokenOf(browser, signedIn, verifier)).toMatchObject({ amr: ['pwd'], acr: PWD });
  });

  it('asks nothing more of a user who has a TOTP when nothing requires it', async () => {
    await flow.userWithTotp('optional-totp');
    const browser = new InjectBrowser(h.app);
    const { step, verifier } = await flow.authorize(browser);
    const signedIn = await flow.password(browser, step, 'optional-totp');
    expect(await flow.idTokenOf(browser, signedIn, verifier)).toMatchObject({ amr: ['pwd'], acr: PWD });
  });

  it('takes a user whose role requires MFA through enrolment, shows ten recovery codes once, then signs in with mfa', async () => {
    const user = await h.createUser('enrols-at-sign-in', ['guarded']);
    const browser = new InjectBrowser(h.app);
    const { step, verifier } = await flow.authorize(browser);
    const enrolPage = await flow.password(browser, step, 'enrols-at-sign-in');
    expect(enrolPage.leftTo).toBeUndefined();
    const html = enrolPage.response.payload;
    expect(html).toContain('Set up two-step verification');
    expect(html).toMatch(/<svg [^>]*role="img"/);
    const secret = shownSecret(html);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    const wrong = await flow.submit(browser, enrolPage, 'mfa/enrol', { code: '000000' });
    expect(wrong.response.payload).toContain('That code is not valid');
    // Until confirmed, the same secret is shown again: nothing depends on it yet.
    expect(shownSecret(wrong.response.payload)).toBe(secret);

    const codesPage = await flow.submit(browser, wrong, 'mfa/enrol', {
      code: totpAtStep(secret, currentStep()),
    });
    const codes = [
      ...codesPage.response.payload.matchAll(/<li><span class="scope-name">([^<]+)<\/span><\/li>/g),
    ].map((m) => m[1]);
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    // Reloading the interaction never shows the codes again.
    const again = await browser.follow(
      'GET',
      `/interaction/${/interaction\/([^/]+)\//.exec(action(codesPage.response.payload, 'mfa/continue'))?.[1]}`,
    );
    expect(again.response.payload).not.toContain(codes[0]);

    const done = await flow.submit(browser, again, 'mfa/continue');
    expect(await flow.idTokenOf(browser, done, verifier)).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      acr: MFA,
    });
    const [enrolled] = await h.auditOf('mfa.totp.enrol');
    expect(enrolled).toMatchObject({ actorId: user.id, outcome: 'success', details: { factor: 'totp' } });
    expect(JSON.stringify(await h.auditOf('mfa.totp.enrol'))).not.toContain(secret);
  });

  it('asks the second factor at the next sign-in: a reused or wrong code is refused, a fresh one signs in', async () => {
    const { user, secret } = await flow.userWithTotp('second-factor', ['guarded']);
    const browser = new InjectBrowser(h.app);
    const { step, verifier } = await flow.authorize(browser);
    const codePage = await flow.password(browser, step, 'second-factor');
    expect(codePage.response.payload).toContain('Two-step verification');
    expect(isLoginPage(codePage.response)).toBe(false);

    // The enrolment used the previous step's code: it is refused now, though still inside the window.
    const reused = await flow.submit(browser, codePage, 'mfa', {
      code: totpAtStep(secret, currentStep() - 1),
    });
    expect(reused.response.payload).toContain('That code is not valid');
    const wrong = await flow.submit(browser, reused, 'mfa', { code: '12345' });
    expect(wrong.response.payload).toContain('That code is not valid');
    // The right password alone is not a sign-in: nothing is recorded as one until the second factor passes.
    const signIns = async () => (await h.auditOf('login.success')).filter((e) => e.actorId === user.id);
    expect(await signIns()).toEqual([]);
    const done = await flow.submit(browser, wrong, 'mfa', { code: totpAtStep(secret, currentStep() + 1) });
    expect(await flow.idTokenOf(browser, done, verifier)).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      acr: MFA,
    });

    const failures = await h.auditOf('login.mfa.failure');
    expect(failures.filter((e) => e.actorId === user.id)).toHaveLength(2);
    const [success] = await h.auditOf('login.mfa.success');
    expect(success).toMatchObject({ actorId: user.id, details: { factor: 'totp' } });
    expect(await signIns()).toMatchObject([
      { actorName: 'second-factor', details: { amr: ['pwd', 'otp', 'mfa'] } },
    ]);
  });

  it('accepts a recovery code once, and audits its use', async () => {
    const { user, codes } = await flow.userWithTotp('recovering', ['guarded']);
    const [code] = codes as [string];
    const first = new InjectBrowser(h.app);
    const started = await flow.authorize(first);
    const codePage = await flow.password(first, started.step, 'recovering');
    const done = await flow.submit(first, codePage, 'mfa', { code: code.toUpperCase() });
    expect(await flow.idTokenOf(first, done, started.verifier)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'] });
    const [used] = await h.auditOf('mfa.recovery.use');
    expect(used).toMatchObject({ actorId: user.id, details: { factor: 'recovery_code' } });
    expect(JSON.stringify(used)).not.toContain(code);

    const second = new InjectBrowser(h.app);
    const again = await flow.authorize(second);
    const page = await flow.password(second, again.step, 'recovering');
    const refused = await flow.submit(second, page, 'mfa', { code });
    expect(refused.leftTo).toBeUndefined();
    expect(refused.response.payload).toContain('That code is not valid');
  });

  it('steps a password session up when a client asks acr_values for mfa, without asking the password again', async () => {
    const { secret } = await flow.userWithTotp('steps-up');
    const browser = new InjectBrowser(h.app);
    const first = await flow.authorize(browser);
    const signedIn = await flow.password(browser, first.step, 'steps-up');
    expect(await flow.idTokenOf(browser, signedIn, first.verifier)).toMatchObject({ amr: ['pwd'], acr: PWD });

    const stepUp = await flow.authorize(browser, { acr_values: MFA });
    expect(isLoginPage(stepUp.step.response)).toBe(false);
    expect(stepUp.step.response.payload).toContain('Two-step verification');
    const done = await flow.submit(browser, stepUp.step, 'mfa', { code: totpAtStep(secret, currentStep()) });
    expect(await flow.idTokenOf(browser, done, stepUp.verifier)).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      acr: MFA,
    });

    // The session now holds two factors: the next request for mfa passes straight through.
    const third = await flow.authorize(browser, { acr_values: MFA });
    expect(third.step.leftTo).toBeDefined();
  });

  it('takes a password session without a factor through enrolment on step-up', async () => {
    await h.createUser('steps-up-enrols');
    const browser = new InjectBrowser(h.app);
    const first = await flow.authorize(browser);
    await flow.password(browser, first.step, 'steps-up-enrols');
    const stepUp = await flow.authorize(browser, { acr_values: MFA });
    expect(stepUp.step.response.payload).toContain('Set up two-step verification');
  });

  it('refuses a second-factor form posted with no second factor pending', async () => {
    const browser = new InjectBrowser(h.app);
    const { step } = await flow.authorize(browser);
    const response = await browser.request(
      'POST',
      action(step.response.payload, 'login').replace(/login$/, 'mfa'),
      {
        csrf: /name="csrf" value="([^"]*)"/.exec(step.response.payload)?.[1] ?? '',
        code: '123456',
      },
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, code: 'mfa_step_unexpected' });
  });
});
