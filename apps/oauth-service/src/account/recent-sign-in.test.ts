import { setTimeout as sleep } from 'node:timers/promises';
import { describeEachDialect } from '@platform/db/testing';
import { currentStep, totpAtStep } from '@platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer } from '../admin/test-support.ts';
import { type AccountHarness, startAccountHarness } from './test-support.ts';

// A console session whose sign-in is older than ACCOUNT_REAUTH_SECONDS cannot add, replace or remove a
// way into the account; reading, renaming and ending sessions stay open. Signing in again in the same
// session (`max_age=0`) renews `auth_time` and with it the access.

const WINDOW = 2;
const authTimeOf = (jwt: string): number =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).auth_time as number;

describeEachDialect('account API: sensitive changes need a recent sign-in', (temp) => {
  let h: AccountHarness;
  let plain: Awaited<ReturnType<AccountHarness['signedInUser']>>;
  let enrolled: Awaited<ReturnType<AccountHarness['signedInUser']>>;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url, { ACCOUNT_REAUTH_SECONDS: String(WINDOW) });
    plain = await h.signedInUser('stale-plain');
    enrolled = await h.signedInUser('stale-enrolled');
    const { secret } = (await h.call('POST', '/totp', enrolled.auth)).json() as { secret: string };
    const confirmed = await h.call('POST', '/totp/confirm', enrolled.auth, {
      code: totpAtStep(secret, currentStep()),
    });
    expect(confirmed.statusCode).toBe(200);
    await sleep((WINDOW + 1.2) * 1000);
  });
  afterAll(() => h?.close());

  const expectReauthentication = (response: { statusCode: number; json(): unknown }) => {
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'reauthentication_required', maxAge: WINDOW });
  };

  it('carries the session sign-in time as auth_time in the account token', () => {
    const authTime = authTimeOf(plain.tokens.access_token);
    expect(Math.abs(authTime - Date.now() / 1000)).toBeLessThan(30);
  });

  it('refuses adding a TOTP, a passkey, or unlinking with a stale sign-in', async () => {
    expectReauthentication(await h.call('POST', '/totp', plain.auth));
    expectReauthentication(await h.call('POST', '/totp/confirm', plain.auth, { code: '123456' }));
    expectReauthentication(await h.call('POST', '/passkeys/registration/options', plain.auth));
    expectReauthentication(await h.call('DELETE', '/linked-identities/entra', plain.auth));
  });

  it('refuses regenerating codes or removing a factor with a stale sign-in', async () => {
    expectReauthentication(await h.call('POST', '/recovery-codes', enrolled.auth));
    expectReauthentication(await h.call('DELETE', '/totp', enrolled.auth));
    expectReauthentication(await h.call('DELETE', '/passkeys/some-passkey', enrolled.auth));
    expect((await h.call('GET', '/factors', enrolled.auth)).json()).toMatchObject({
      totp: { confirmed: true },
    });
  });

  it('keeps reads and the non-sensitive changes open', async () => {
    expect((await h.call('GET', '/factors', plain.auth)).statusCode).toBe(200);
    expect((await h.call('GET', '/sessions', plain.auth)).statusCode).toBe(200);
    expect((await h.call('PATCH', '/me', plain.auth, { name: 'Still Here' })).statusCode).toBe(200);
  });

  it('does not renew the sign-in time on refresh', async () => {
    const refreshed = await h.consoleRefresh({
      grant_type: 'refresh_token',
      refresh_token: plain.tokens.refresh_token!,
    });
    expect(refreshed.statusCode).toBe(200);
    const access = refreshed.json().access_token as string;
    expect(authTimeOf(access)).toBe(authTimeOf(plain.tokens.access_token));
    expectReauthentication(await h.call('POST', '/totp', bearer(access)));
  });

  it('signs in again in the same session with max_age=0 and then allows the change', async () => {
    const again = await h.consoleTokens('stale-plain', undefined, plain.browser, { max_age: '0' });
    expect(again.sid).toBe(plain.sid);
    expect(authTimeOf(again.tokens.access_token)).toBeGreaterThan(authTimeOf(plain.tokens.access_token));
    expect((await h.call('POST', '/totp', again.auth)).statusCode).toBe(200);
  });

  it('without max_age, the same session answers at once and keeps the old sign-in time', async () => {
    const silent = await h.consoleTokens('stale-enrolled', undefined, enrolled.browser);
    expect(authTimeOf(silent.tokens.access_token)).toBe(authTimeOf(enrolled.tokens.access_token));
    expectReauthentication(await h.call('POST', '/recovery-codes', silent.auth));
  });
});
