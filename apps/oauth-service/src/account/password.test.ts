import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isLoginPage, PASSWORD } from '../admin/test-support.ts';
import { type AccountHarness, startAccountHarness } from './test-support.ts';

const NEW_PASSWORD = 'amber-quarry-whistle-42';

describeEachDialect('account API: change password', (temp) => {
  let h: AccountHarness;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url, { LOGIN_MAX_FAILURES: '3' });
  });
  afterAll(() => h?.close());

  it('changes it, keeps this session, ends the others, and audits the change', async () => {
    const here = await h.signedInUser('changer');
    const elsewhere = await h.consoleTokens('changer');
    const response = await h.call('POST', `/password?keepSession=${here.sid}`, here.auth, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(response.statusCode).toBe(204);
    // The other browser must sign in again; this one goes straight through.
    expect(isLoginPage((await h.authorizeAgain(elsewhere.browser)).response)).toBe(true);
    expect(isLoginPage((await h.authorizeAgain(here.browser)).response)).toBe(false);
    const sessions = await h.call('GET', `/sessions?current=${here.sid}`, here.auth);
    expect(sessions.json()).toEqual([expect.objectContaining({ current: true })]);
    // The new password signs in; the old one no longer does.
    await expect(h.consoleTokens('changer', NEW_PASSWORD)).resolves.toBeDefined();
    await expect(h.consoleTokens('changer', PASSWORD)).rejects.toThrow();
    await expect
      .poll(async () => (await h.auditOf('user.password_change'))[0])
      .toMatchObject({
        actorId: here.user.id,
        targetId: here.user.id,
        outcome: 'success',
        details: { sessions_ended: 1 },
      });
  });

  it('refuses a wrong current password (400 current_password_incorrect), counting toward the lockout', async () => {
    const { user, auth } = await h.signedInUser('forgetful');
    const wrong = { currentPassword: 'not-my-password-at-all', newPassword: NEW_PASSWORD };
    for (const failures of [1, 2]) {
      const response = await h.call('POST', '/password', auth, wrong);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'current_password_incorrect',
        errors: [{ in: 'body', path: '/currentPassword' }],
      });
      expect((await h.users.get(user.id)).failedLoginCount).toBe(failures);
    }
    // The third failure locks the account (LOGIN_MAX_FAILURES=3): even the right password is refused.
    expect((await h.call('POST', '/password', auth, wrong)).statusCode).toBe(403);
    const locked = await h.call('POST', '/password', auth, { ...wrong, currentPassword: PASSWORD });
    expect(locked.statusCode).toBe(403);
    expect(locked.json().code).toBe('account_locked');
    await expect
      .poll(async () => (await h.auditOf('user.password_change'))[0])
      .toMatchObject({ actorId: user.id, outcome: 'failure', details: { reason: 'invalid_credentials' } });
    expect(JSON.stringify(await h.auditOf('user.password_change'))).not.toContain('not-my-password');
  });

  it.each([
    [
      'a new password the policy refuses',
      { currentPassword: PASSWORD, newPassword: 'short' },
      '/newPassword',
    ],
    ['the same password again', { currentPassword: PASSWORD, newPassword: PASSWORD }, '/newPassword'],
    ['no current password', { newPassword: NEW_PASSWORD }, '/currentPassword'],
    ['a number', { currentPassword: PASSWORD, newPassword: 12345678901234 }, '/newPassword'],
  ])('refuses %s with a 400 problem naming the field', async (_what, body, path) => {
    const { auth, user } = await h.signedInUser(
      `policy-${path.slice(1, 4)}-${Math.random().toString(36).slice(2, 8)}`,
    );
    const response = await h.call('POST', '/password', auth, body);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'body', path })]),
    );
    // Nothing changed: the password still signs in.
    await expect(h.consoleTokens(user.username)).resolves.toBeDefined();
  });
});
