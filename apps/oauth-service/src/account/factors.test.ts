import { describeEachDialect } from '@platform/db/testing';
import { currentStep, totpAtStep } from '@platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMfaRepository } from '../mfa/mfa.repository.ts';
import { type AccountHarness, startAccountHarness } from './test-support.ts';

// The account API's TOTP and recovery codes. Codes are computed by @platform/testing's own RFC 6238
// implementation (node:crypto only), not by the library the service uses.

describeEachDialect('account API: authenticator app and recovery codes', (temp) => {
  let h: AccountHarness;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url);
  });
  afterAll(() => h?.close());

  type Auth = Record<string, string>;
  const factors = async (auth: Auth) => (await h.call('GET', '/factors', auth)).json();
  const begin = async (auth: Auth) => (await h.call('POST', '/totp', auth)).json() as { secret: string };
  const confirm = (auth: Auth, code: string) => h.call('POST', '/totp/confirm', auth, { code });

  async function enrolled(username: string) {
    const signedIn = await h.signedInUser(username);
    const { secret } = await begin(signedIn.auth);
    const response = await confirm(signedIn.auth, totpAtStep(secret, currentStep()));
    expect(response.statusCode).toBe(200);
    return { ...signedIn, secret, codes: response.json().codes as string[] };
  }

  it('enrols an app: key, URI and QR once; a wrong code is a 400; the first code answers ten codes', async () => {
    const { auth, user } = await h.signedInUser('totp-enrol');
    expect(await factors(auth)).toEqual({
      mfaRequired: false,
      totp: null,
      recoveryCodes: { left: 0, createdAt: null },
      passkeys: 0,
    });
    const started = await h.call('POST', '/totp', auth);
    expect(started.statusCode).toBe(200);
    const { secret, uri, qrSvg } = started.json();
    expect(uri).toBe(
      `otpauth://totp/localhost%3A8080:totp-enrol?issuer=localhost%3A8080&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect((await factors(auth)).totp).toMatchObject({ confirmed: false, confirmedAt: null });

    const wrong = await confirm(auth, totpAtStep(secret, currentStep() + 5));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(wrong.json()).toMatchObject({ code: 'code_incorrect', errors: [{ path: '/code' }] });

    const done = await confirm(auth, totpAtStep(secret, currentStep()));
    expect(done.statusCode).toBe(200);
    expect(done.json().codes).toHaveLength(10);
    expect(await factors(auth)).toMatchObject({
      totp: { confirmed: true, confirmedAt: expect.any(String) },
      recoveryCodes: { left: 10, createdAt: expect.any(String) },
    });
    // A confirmed app is never shown again, and there is nothing left to confirm.
    const again = await h.call('POST', '/totp', auth);
    expect(again.statusCode).toBe(409);
    expect(JSON.stringify(again.json())).not.toContain(secret);
    expect((await confirm(auth, totpAtStep(secret, currentStep()))).statusCode).toBe(409);
    await expect
      .poll(async () => (await h.auditOf('mfa.totp.enrol')).map((e) => e.outcome))
      .toEqual(expect.arrayContaining(['success', 'failure']));
    const audited = (await h.auditOf('mfa.totp.enrol')).find(
      (e) => e.actorId === user.id && e.outcome === 'success',
    );
    expect(JSON.stringify(audited)).not.toContain(secret);
  });

  it('regenerates recovery codes (ten new, the old ones gone); without a factor that is a 409', async () => {
    const bare = await h.signedInUser('no-factor-codes');
    const refused = await h.call('POST', '/recovery-codes', bare.auth);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('no_factor');

    const { auth, codes } = await enrolled('regenerate-codes');
    const fresh = await h.call('POST', '/recovery-codes', auth);
    expect(fresh.statusCode).toBe(200);
    const next = fresh.json().codes as string[];
    expect(next).toHaveLength(10);
    expect(next.filter((code) => codes.includes(code))).toEqual([]);
    expect((await factors(auth)).recoveryCodes.left).toBe(10);
    await expect.poll(async () => (await h.auditOf('mfa.recovery.regenerate')).length).toBeGreaterThan(1);
  });

  it('removes the app and its recovery codes; the last factor of a user who must have one stays (409)', async () => {
    const { auth, user } = await enrolled('remove-totp');
    await createMfaRepository(h.db).setEnrolmentRequired(user.id, true);
    const refused = await h.call('DELETE', '/totp', auth);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'last_factor' });
    expect((await factors(auth)).mfaRequired).toBe(true);

    await createMfaRepository(h.db).setEnrolmentRequired(user.id, false);
    expect((await h.call('DELETE', '/totp', auth)).statusCode).toBe(204);
    expect(await factors(auth)).toMatchObject({ totp: null, recoveryCodes: { left: 0 } });
    expect((await h.call('DELETE', '/totp', auth)).statusCode).toBe(404);
    await expect
      .poll(async () => (await h.auditOf('mfa.totp.remove'))[0])
      .toMatchObject({
        actorId: user.id,
        targetId: user.id,
      });
  });

  it.each([
    ['no code', {}],
    ['an empty code', { code: '' }],
    ['an unknown field', { code: '123456', secret: 'x' }],
  ])('refuses a confirmation with %s (400 problem)', async (_what, body) => {
    const { auth } = await h.signedInUser(`bad-confirm-${Math.random().toString(36).slice(2, 8)}`);
    const response = await h.call('POST', '/totp/confirm', auth, body);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('validation_failed');
  });

  it('answers 401 without a token', async () => {
    expect((await h.call('GET', '/factors', {})).statusCode).toBe(401);
    expect((await h.call('POST', '/totp', {})).statusCode).toBe(401);
  });
});
