import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InjectBrowser, PASSWORD } from '../admin/test-support.ts';
import { type AccountHarness, startAccountHarness } from './test-support.ts';

describeEachDialect('account API: security events', (temp) => {
  let h: AccountHarness;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url);
  });
  afterAll(() => h?.close());

  it("lists the caller's own sign-ins, failures and changes, newest first, without details", async () => {
    const { auth, user } = await h.signedInUser('audited');
    await h.postSignIn(new InjectBrowser(h.app), 'audited', 'wrong-password-1');
    await h.signedInUser('someone-else');
    await h.postSignIn(new InjectBrowser(h.app), 'someone-else', 'wrong');
    await h.call('PATCH', '/me', auth, { name: 'Audited User' });
    await h.call('POST', '/password', auth, { currentPassword: 'wrong-current-1', newPassword: PASSWORD });

    const events = async () =>
      (await h.call('GET', '/events', auth)).json() as Array<Record<string, unknown>>;
    await expect.poll(async () => (await events()).length).toBe(5);
    const list = await events();
    expect(list.map((event) => [event.action, event.outcome])).toEqual([
      ['user.password_change', 'failure'],
      ['user.update', 'success'],
      ['login.failure', 'failure'],
      // The console is first-party: its consent is given without a page, and recorded.
      ['consent.grant', 'success'],
      ['login.success', 'success'],
    ]);
    expect(list[0]).toEqual({
      at: expect.any(String),
      action: 'user.password_change',
      outcome: 'failure',
      ip: '127.0.0.1',
      userAgent: 'lightMyRequest',
      clientName: 'Account',
    });
    expect(JSON.stringify(list)).not.toContain('someone-else');
    expect(JSON.stringify(list)).not.toContain(user.id);
    // Tokens issued are routine, not security events.
    expect(list.some((event) => String(event.action).startsWith('token.'))).toBe(false);
    const limited = await h.call('GET', '/events?limit=1', auth);
    expect(limited.json()).toHaveLength(1);
  });

  it.each(['0', '101', 'many', '1.5'])('refuses limit=%s with a 400 problem', async (limit) => {
    const { auth } = await h.signedInUser(`limits-${limit.replace('.', '')}`);
    const response = await h.call('GET', `/events?limit=${limit}`, auth);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0]).toMatchObject({ in: 'querystring', path: '/limit' });
  });
});
