import { describeEachDialect } from '@platform/db/testing';
import { expect, it } from 'vitest';
import { adminSuite, isLoginPage, PASSWORD, PUBLIC_URL } from '../test-support.ts';

const TEST_RESOURCE = `${PUBLIC_URL}/test`;

describeEachDialect("admin API: a user's grants and sessions", (temp) => {
  const suite = adminSuite(temp);
  const { call } = suite;

  /** A user with the `user` role, signed in to the admin portal with a refresh token for test-service. */
  async function signedIn(username: string) {
    const user = await suite.h.createUser(username, ['user']);
    const { tokens, browser } = await suite.h.userTokens(
      { login: username, password: PASSWORD },
      { scope: 'openid offline_access test:read', resource: TEST_RESOURCE },
    );
    expect(tokens.refresh_token).toEqual(expect.any(String));
    return { user, tokens, browser };
  }

  it('lists the consent, grant and session the sign-in left', async () => {
    const { user } = await signedIn('lister');
    const grants = await call('GET', `/api/admin/users/${user.id}/grants`);
    expect(grants.statusCode).toBe(200);
    expect(grants.json()).toEqual({
      items: [
        {
          client_id: 'admin-portal',
          client_name: 'Platform console',
          consent: {
            scopes: expect.arrayContaining(['openid', 'offline_access']),
            resource_scopes: { [TEST_RESOURCE]: ['test:read'] },
            updated_at: expect.any(String),
          },
          grants: [
            {
              id: expect.any(String),
              scopes: expect.arrayContaining(['openid', 'offline_access']),
              resource_scopes: { [TEST_RESOURCE]: ['test:read'] },
              created_at: expect.any(String),
              expires_at: expect.any(String),
            },
          ],
        },
      ],
    });
    // The provider's token events reach the audit log in batches a few milliseconds apart.
    const listed = async () => (await call('GET', `/api/admin/users/${user.id}/sessions`)).json().items;
    await expect.poll(async () => (await listed())[0]?.last_used_at).toEqual(expect.any(String));
    const sessions = await listed();
    expect(sessions).toEqual([
      {
        id: expect.any(String),
        login_at: expect.any(String),
        expires_at: expect.any(String),
        clients: ['admin-portal'],
        // Where and with what the user signed in, and when a client last got tokens in this session.
        ip: '127.0.0.1',
        user_agent: 'lightMyRequest',
        last_used_at: expect.any(String),
      },
    ]);
    expect(Date.parse(sessions[0].last_used_at)).toBeGreaterThanOrEqual(Date.parse(sessions[0].login_at));
    // The session's cookie value (its row id) never leaves: only its uid.
    const row = await suite.h.db
      .selectFrom('oidc_payloads')
      .select(['id', 'uid'])
      .where('model', '=', 'Session')
      .where('uid', '=', sessions[0].id)
      .executeTakeFirstOrThrow();
    expect((await call('GET', `/api/admin/users/${user.id}/sessions`)).payload).not.toContain(row.id);
  });

  it('revoking all grants kills the refresh token and the session, and is recorded', async () => {
    const { user, tokens, browser } = await signedIn('revoked-all');
    const rotated = await suite.h.refresh(tokens.refresh_token!);
    expect(rotated.statusCode).toBe(200);
    const refreshToken = rotated.json().refresh_token as string;

    const response = await call('DELETE', `/api/admin/users/${user.id}/grants`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ consents: 1, grants: 1, sessions: 1 });

    const refused = await suite.h.refresh(refreshToken);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_grant');
    const again = await suite.h.authorizeAgain(browser);
    expect(isLoginPage(again.response)).toBe(true);

    expect((await call('GET', `/api/admin/users/${user.id}/grants`)).json()).toEqual({ items: [] });
    expect((await call('GET', `/api/admin/users/${user.id}/sessions`)).json()).toEqual({ items: [] });
    expect((await suite.h.auditOf('grant.revoke'))[0]).toMatchObject({
      targetType: 'user',
      targetId: user.id,
      details: { username: 'revoked-all', all_clients: true, consents: 1, grants: 1, sessions: 1 },
    });
  });

  it("a password reset by an administrator ends the user's sessions and grants", async () => {
    const { user, tokens, browser } = await signedIn('reset-everywhere');
    const reset = await call('POST', `/api/admin/users/${user.id}/password`, {
      password: 'amber-meadow-compass-42',
    });
    expect(reset.statusCode).toBe(204);
    expect((await suite.h.refresh(tokens.refresh_token!)).json().error).toBe('invalid_grant');
    expect(isLoginPage((await suite.h.authorizeAgain(browser)).response)).toBe(true);
    expect((await suite.h.auditOf('user.password_reset'))[0]).toMatchObject({
      targetId: user.id,
      details: { must_change_password: false, revoked: { grants: 1, sessions: 1 } },
    });
  });

  it('before revocation the same browser goes through without signing in', async () => {
    const { browser } = await signedIn('still-signed-in');
    const again = await suite.h.authorizeAgain(browser);
    expect(isLoginPage(again.response)).toBe(false);
  });

  it('revokes one client: its consent, grants and the sessions that authorized it', async () => {
    const { user, tokens, browser } = await signedIn('revoked-one');
    expect((await call('DELETE', `/api/admin/users/${user.id}/grants/platform-cli`)).statusCode).toBe(404);

    const response = await call('DELETE', `/api/admin/users/${user.id}/grants/admin-portal`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ consents: 1, grants: 1, sessions: 1 });
    expect((await suite.h.refresh(tokens.refresh_token!)).json().error).toBe('invalid_grant');
    expect(isLoginPage((await suite.h.authorizeAgain(browser)).response)).toBe(true);
    expect((await suite.h.auditOf('grant.revoke'))[0]).toMatchObject({
      targetId: user.id,
      details: { client_id: 'admin-portal', grants: 1 },
    });
  });

  it('ends one session: sign-in is needed again, offline access stays until grants are revoked', async () => {
    const { user, tokens, browser } = await signedIn('signed-out');
    const [session] = (await call('GET', `/api/admin/users/${user.id}/sessions`)).json().items;
    expect((await call('DELETE', `/api/admin/users/${user.id}/sessions/unknown-uid`)).statusCode).toBe(404);

    const response = await call('DELETE', `/api/admin/users/${user.id}/sessions/${session.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sessions: 1 });
    expect(isLoginPage((await suite.h.authorizeAgain(browser)).response)).toBe(true);
    expect((await suite.h.refresh(tokens.refresh_token!)).statusCode).toBe(200);
    expect((await suite.h.auditOf('session.revoke'))[0]).toMatchObject({
      targetId: user.id,
      details: { session_uid: session.id, sessions: 1 },
    });
  });

  it('ends every session of a user', async () => {
    const { user } = await signedIn('many-sessions');
    await suite.h.userTokens(
      { login: 'many-sessions', password: PASSWORD },
      { scope: 'openid offline_access test:read', resource: TEST_RESOURCE },
    );
    expect((await call('GET', `/api/admin/users/${user.id}/sessions`)).json().items).toHaveLength(2);
    const response = await call('DELETE', `/api/admin/users/${user.id}/sessions`);
    expect(response.json()).toEqual({ sessions: 2 });
    expect((await call('GET', `/api/admin/users/${user.id}/sessions`)).json()).toEqual({ items: [] });
    expect((await suite.h.auditOf('session.revoke'))[0]).toMatchObject({
      details: { all_sessions: true, sessions: 2 },
    });
  });

  it('deleting a user revokes their grants and sessions too', async () => {
    const { user, tokens } = await signedIn('deleted-user');
    expect(
      (
        await suite.h.app.inject({
          method: 'DELETE',
          url: `/api/admin/users/${user.id}`,
          headers: suite.auth,
        })
      ).statusCode,
    ).toBe(204);
    expect((await suite.h.refresh(tokens.refresh_token!)).json().error).toBe('invalid_grant');
    const left = await suite.h.db
      .selectFrom('oidc_payloads')
      .select('id')
      .where('payload', 'like', `%${user.id}%`)
      .execute();
    expect(left).toEqual([]);
    expect((await suite.h.auditOf('user.delete'))[0]).toMatchObject({
      details: { revoked: { consents: 1, grants: 1, sessions: 1 } },
    });
  });

  it('answers 404 for an unknown user', async () => {
    for (const [method, path] of [
      ['GET', 'grants'],
      ['DELETE', 'grants'],
      ['DELETE', 'grants/admin-portal'],
      ['GET', 'sessions'],
      ['DELETE', 'sessions'],
      ['DELETE', 'sessions/x'],
    ] as const) {
      expect((await call(method, `/api/admin/users/missing/${path}`)).statusCode, `${method} ${path}`).toBe(
        404,
      );
    }
  });
});
