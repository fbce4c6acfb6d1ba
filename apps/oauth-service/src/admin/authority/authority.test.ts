import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClientsRepository } from '../../clients/clients.repository.ts';
import { createSecretBox } from '../../crypto/secret-box.ts';
import { ADMIN, type AdminHarness, bearer, startAdminHarness } from '../test-support.ts';

// GET /api/admin/users/:id/authority: flow-service's narrow question about a definition author.

describeEachDialect('admin API: a user’s current authority', (temp) => {
  let h: AdminHarness;
  let flowToken: string;
  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    // The seeded flow-service client may ask; its secret is rotated here so the test can use it.
    const { clientSecret } = await createClientsRepository(
      h.db,
      createSecretBox(h.config.ENCRYPTION_KEY),
    ).rotateSecret('flow-service');
    flowToken = await h.clientToken('admin:authority', { clientId: 'flow-service', secret: clientSecret });
  });
  afterAll(() => h?.close());

  const ask = (id: string, token = flowToken) =>
    h.app.inject({ method: 'GET', url: `/api/admin/users/${id}/authority`, headers: bearer(token) });

  it('answers active and the scopes the user’s roles grant, and follows changes at once', async () => {
    const user = await h.createUser('author-a', ['operator']);
    const before = await ask(user.id);
    expect(before.statusCode).toBe(200);
    expect(before.json().active).toBe(true);
    expect(before.json().scopes).toEqual(expect.arrayContaining(['flow:write', 'kline:write', 'test:write']));
    expect(before.json().scopes).not.toContain('admin:authority');
    const operator = (await h.roles.findRoleByName('operator'))!;
    await h.roles.unassignRole(user.id, operator.id);
    expect((await ask(user.id)).json()).toEqual({ active: true, scopes: [] });
    await h.users.setStatus(user.id, 'disabled');
    expect((await ask(user.id)).json()).toEqual({ active: false, scopes: [] });
    expect((await ask('no-such-user')).statusCode).toBe(404);
  });

  it('refuses admin:read tokens, user tokens and no token', async () => {
    const user = await h.createUser('author-b', ['user']);
    expect((await ask(user.id, await h.clientToken('admin:read'))).statusCode).toBe(403);
    // No role grants admin:authority, so even the administrator cannot get it into a token.
    const { tokens } = await h.userTokens(ADMIN, { scope: 'openid admin:authority admin:read' });
    expect((await ask(user.id, tokens.access_token)).statusCode).toBe(403);
    expect(
      (await h.app.inject({ method: 'GET', url: `/api/admin/users/${user.id}/authority` })).statusCode,
    ).toBe(401);
  });
});
