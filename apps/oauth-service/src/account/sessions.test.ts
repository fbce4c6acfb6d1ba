import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isLoginPage } from '../admin/test-support.ts';
import { type AccountHarness, startAccountHarness } from './test-support.ts';

describeEachDialect('account API: sign-in sessions', (temp) => {
  let h: AccountHarness;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url);
  });
  afterAll(() => h?.close());

  const list = async (auth: Record<string, string>, query = '') =>
    (await h.call('GET', `/sessions${query}`, auth)).json() as Array<{ id: string; current: boolean }>;

  it('lists the caller’s sessions, this one marked, with device and applications', async () => {
    const first = await h.signedInUser('two-browsers');
    const second = await h.consoleTokens('two-browsers');
    const sessions = await list(second.auth);
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions[0]).toEqual({
      id: expect.any(String),
      createdAt: expect.any(String),
      lastUsedAt: expect.toSatisfy((v) => v === null || typeof v === 'string'),
      ip: '127.0.0.1',
      userAgent: 'lightMyRequest',
      current: expect.any(Boolean),
      applications: [{ clientId: 'account-console', clientName: 'Account' }],
    });
    // Each console names its own session as current; `current` names another one explicitly.
    const firstCurrent = (await list(first.auth)).find((s) => s.current)!.id;
    const secondCurrent = sessions.find((s) => s.current)!.id;
    expect(firstCurrent).not.toBe(secondCurrent);
    expect((await list(second.auth, `?current=${first.sid}`)).find((s) => s.current)!.id).toBe(firstCurrent);
  });

  it("ends one session (that browser must sign in again); another user's session id is a 404", async () => {
    const owner = await h.signedInUser('session-owner');
    const other = await h.consoleTokens('session-owner');
    const stranger = await h.signedInUser('session-stranger');
    const target = (await list(owner.auth)).find((s) => !s.current)!.id;

    const refused = await h.call('DELETE', `/sessions/${target}`, stranger.auth);
    expect(refused.statusCode).toBe(404);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await list(owner.auth)).toHaveLength(2);

    expect((await h.call('DELETE', `/sessions/${target}`, owner.auth)).statusCode).toBe(204);
    expect(isLoginPage((await h.authorizeAgain(other.browser)).response)).toBe(true);
    expect(isLoginPage((await h.authorizeAgain(owner.browser)).response)).toBe(false);
    expect((await h.call('DELETE', `/sessions/${target}`, owner.auth)).statusCode).toBe(404);
    expect((await h.call('DELETE', '/sessions/no-such-session', owner.auth)).statusCode).toBe(404);
    await expect
      .poll(async () => (await h.auditOf('session.revoke'))[0])
      .toMatchObject({ actorId: owner.user.id, targetId: owner.user.id, details: { session_uid: target } });
  });

  it("ends every other session, keeping this one, and never another user's", async () => {
    const here = await h.signedInUser('many-browsers');
    const others = [await h.consoleTokens('many-browsers'), await h.consoleTokens('many-browsers')];
    const stranger = await h.signedInUser('bystander');
    expect((await h.call('DELETE', '/sessions', here.auth)).statusCode).toBe(204);
    expect(await list(here.auth)).toEqual([expect.objectContaining({ current: true })]);
    for (const other of others)
      expect(isLoginPage((await h.authorizeAgain(other.browser)).response)).toBe(true);
    expect(await list(stranger.auth)).toHaveLength(1);
  });

  it.each([
    ['an empty current sid', 'GET', '/sessions?current='],
    ['an unknown parameter', 'GET', '/sessions?user=someone'],
    ['an empty except sid', 'DELETE', '/sessions?except='],
  ] as const)('refuses %s with a 400 problem', async (_what, method, path) => {
    const { auth } = await h.signedInUser(`bad-query-${Math.random().toString(36).slice(2, 8)}`);
    const response = await h.call(method, path, auth);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('validation_failed');
  });
});
