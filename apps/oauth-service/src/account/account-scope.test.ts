import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer } from '../admin/test-support.ts';
import { type AccountHarness, startAccountHarness } from './test-support.ts';

// `account` is granted outside RBAC (account-scope.ts): a change of roles, which revokes grants holding
// scopes the roles no longer carry, must not take the account console's grant for holding `account`.
describeEachDialect('account scope: outside the roles', (temp) => {
  let h: AccountHarness;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url);
  });
  afterAll(() => h?.close());

  it("keeps the account console's grant when the user's roles change", async () => {
    const { user, tokens } = await h.signedInUser('role-changes', ['user', 'viewer']);
    const viewer = await h.roles.findRoleByName('viewer');
    const admin = bearer(await h.clientToken());
    const unassign = await h.app.inject({
      method: 'DELETE',
      url: `/api/admin/users/${user.id}/roles/${viewer!.id}`,
      headers: admin,
    });
    expect(unassign.statusCode).toBe(204);
    const refreshed = await h.consoleRefresh({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
    });
    expect(refreshed.statusCode).toBe(200);
  });

  it('is not granted to a disabled user', async () => {
    const { user, tokens } = await h.signedInUser('disabled-later');
    await h.users.disable(user.id);
    const refreshed = await h.consoleRefresh({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
    });
    expect(refreshed.statusCode).toBe(400);
  });
});
