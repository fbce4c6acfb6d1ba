import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AccountHarness, startAccountHarness } from './test-support.ts';

describeEachDialect('account API: profile', (temp) => {
  let h: AccountHarness;
  let auth: Record<string, string>;
  let userId: string;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url);
    const signedIn = await h.signedInUser('profile-owner');
    auth = signedIn.auth;
    userId = signedIn.user.id;
  });
  afterAll(() => h?.close());

  it("shows the caller's own profile", async () => {
    const response = await h.call('GET', '/me', auth);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: userId,
      username: 'profile-owner',
      name: 'profile-owner',
      email: 'profile-owner@example.test',
      emailVerified: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('changes the display name, audited with the user as actor and target', async () => {
    // The console's server (a trusted proxy: loopback) forwards the browser's address and User-Agent.
    const forwarded = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-user-agent': 'Firefox/140' };
    const response = await h.call('PATCH', '/me', { ...auth, ...forwarded }, { name: '  Ada Lovelace ' });
    expect(response.statusCode).toBe(200);
    expect(response.json().name).toBe('Ada Lovelace');
    expect((await h.users.get(userId)).displayName).toBe('Ada Lovelace');
    await expect
      .poll(async () => (await h.auditOf('user.update'))[0])
      .toMatchObject({
        actorType: 'user',
        actorId: userId,
        targetType: 'user',
        targetId: userId,
        clientId: 'account-console',
        ip: '203.0.113.7',
        userAgent: 'Firefox/140',
        details: { fields: ['display_name'] },
      });
  });

  it.each([
    ['an empty name', { name: '' }, '/name'],
    ['a blank name', { name: '   ' }, '/name'],
    ['a name with a line break', { name: 'a\nb' }, '/name'],
    ['a name of 201 characters', { name: 'x'.repeat(201) }, '/name'],
    ['no name', {}, '/name'],
    ['another field (email changes need re-verification)', { name: 'x', email: 'a@b.c' }, '/email'],
    ['a number', { name: 5 }, '/name'],
  ])('refuses %s with a 400 problem naming the field', async (_what, body, path) => {
    const response = await h.call('PATCH', '/me', auth, body);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().code).toBe('validation_failed');
    expect(response.json().errors[0]).toMatchObject({ in: 'body', path });
  });
});
