import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isLoginPage, PASSWORD, PUBLIC_URL } from '../admin/test-support.ts';
import { type AccountHarness, startAccountHarness } from './test-support.ts';

const TEST_RESOURCE = `${PUBLIC_URL}/test`;

describeEachDialect('account API: connected applications', (temp) => {
  let h: AccountHarness;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url);
  });
  afterAll(() => h?.close());

  /** A user signed in to the account console and, in another browser, to the admin portal for test-service. */
  async function withTwoApplications(username: string) {
    const account = await h.signedInUser(username);
    const { tokens } = await h.userTokens(
      { login: username, password: PASSWORD },
      { scope: 'openid offline_access test:read', resource: TEST_RESOURCE },
    );
    return { ...account, portalRefreshToken: tokens.refresh_token! };
  }

  it('lists the consents and grants, per application', async () => {
    const { auth } = await withTwoApplications('app-lister');
    const response = await h.call('GET', '/applications', auth);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      {
        clientId: 'account-console',
        clientName: 'Account',
        scopes: ['account', 'email', 'offline_access', 'openid', 'profile'],
        grantedAt: expect.any(String),
        firstParty: true,
      },
      {
        clientId: 'admin-portal',
        clientName: 'Platform console',
        scopes: ['offline_access', 'openid', 'test:read'],
        grantedAt: expect.any(String),
        firstParty: true,
      },
    ]);
  });

  it("revokes an application: its refresh token then fails with invalid_grant, the user's session stays", async () => {
    const { user, auth, browser, portalRefreshToken } = await withTwoApplications('app-revoker');
    expect((await h.call('DELETE', '/applications/admin-portal', auth)).statusCode).toBe(204);

    const refused = await h.refresh(portalRefreshToken);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_grant');
    const remaining = (await h.call('GET', '/applications', auth)).json();
    expect(remaining.map((app: { clientId: string }) => app.clientId)).toEqual(['account-console']);
    expect((await h.call('DELETE', '/applications/admin-portal', auth)).statusCode).toBe(404);
    await expect
      .poll(async () => (await h.auditOf('grant.revoke'))[0])
      .toMatchObject({
        actorId: user.id,
        targetId: user.id,
        details: { client_id: 'admin-portal', grants: 1 },
      });
    // Still signed in: the console's own tokens work, and the browser's session goes on without a sign-in.
    expect((await h.call('GET', '/me', auth)).statusCode).toBe(200);
    expect(isLoginPage((await h.authorizeAgain(browser)).response)).toBe(false);
  });

  it("answers 404 for an application only another user allowed, and leaves that user's grant alone", async () => {
    const owner = await withTwoApplications('grant-owner');
    const stranger = await h.signedInUser('grant-stranger');
    const response = await h.call('DELETE', '/applications/admin-portal', stranger.auth);
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await h.refresh(owner.portalRefreshToken)).statusCode).toBe(200);
    expect((await h.call('DELETE', '/applications/no-such-client', stranger.auth)).statusCode).toBe(404);
  });
});
