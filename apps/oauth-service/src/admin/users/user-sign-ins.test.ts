import { describeEachDialect } from '@platform/db/testing';
import { beforeAll, expect, it } from 'vitest';
import { createIdentitiesRepository } from '../../federation/identities.repository.ts';
import { adminSuite, bearer } from '../test-support.ts';

// An administrator's view of a user's links to upstream identity providers, and the unlink of one: the
// subject shown (to match the provider's records), the provider's name, whether the account has a password
// of its own, and each unlink audited against the user.

describeEachDialect('admin API: linked sign-ins of a user', (temp) => {
  const s = adminSuite(temp);
  const link = (userId: string, providerId: string, subject: string) =>
    createIdentitiesRepository(s.h.db).link({ providerId, subject, userId, email: `${subject}@example.com` });

  beforeAll(async () => {
    const created = await s.call('POST', '/api/admin/upstream-providers', {
      id: 'corp',
      display_name: 'Corp sign-in',
      kind: 'oidc',
      issuer: 'https://login.corp.example',
      client_id: 'corp-client',
    });
    expect(created.statusCode, created.payload).toBe(201);
    const github = await s.call('POST', '/api/admin/upstream-providers', {
      id: 'github',
      display_name: 'GitHub',
      kind: 'oauth2',
      authorization_endpoint: 'https://github.com/login/oauth/authorize',
      token_endpoint: 'https://github.com/login/oauth/access_token',
      userinfo_endpoint: 'https://api.github.com/user',
      client_id: 'gh-client',
    });
    expect(github.statusCode, github.payload).toBe(201);
  });

  it("lists a user's links with the provider's name and the upstream subject", async () => {
    const user = await s.h.createUser('linked-lister');
    await link(user.id, 'github', '4242');
    await link(user.id, 'corp', 'corp-subject-1');
    const response = await s.call('GET', `/api/admin/users/${user.id}/linked-sign-ins`);
    expect(response.statusCode, response.payload).toBe(200);
    expect(response.json()).toEqual({
      user_id: user.id,
      username: 'linked-lister',
      has_password: true,
      linked: [
        {
          provider_id: 'corp',
          display_name: 'Corp sign-in',
          subject: 'corp-subject-1',
          email: 'corp-subject-1@example.com',
          linked_at: expect.any(String),
          last_sign_in_at: null,
        },
        expect.objectContaining({ provider_id: 'github', display_name: 'GitHub', subject: '4242' }),
      ],
    });
  });

  it('says an account made at an upstream sign-in has no password of its own', async () => {
    const user = await s.h.users.create({
      username: 'linked-only',
      email: 'linked-only@example.com',
      invited: true,
    });
    await link(user.id, 'corp', 'corp-subject-2');
    const body = (await s.call('GET', `/api/admin/users/${user.id}/linked-sign-ins`)).json();
    expect(body).toMatchObject({ has_password: false, linked: [{ provider_id: 'corp' }] });
  });

  it('unlinks the last way in, audited with the subject; the link is gone', async () => {
    const user = await s.h.users.create({
      username: 'linked-unlinked',
      email: 'linked-unlinked@example.com',
      invited: true,
    });
    await link(user.id, 'corp', 'corp-subject-3');
    const response = await s.call('DELETE', `/api/admin/users/${user.id}/linked-sign-ins/corp`);
    expect(response.statusCode, response.payload).toBe(204);
    expect((await s.call('GET', `/api/admin/users/${user.id}/linked-sign-ins`)).json().linked).toEqual([]);
    expect(await createIdentitiesRepository(s.h.db).find('corp', 'corp-subject-3')).toBeUndefined();
    expect((await s.h.auditOf('upstream.unlinked'))[0]).toMatchObject({
      actorType: 'client',
      targetType: 'user',
      targetId: user.id,
      outcome: 'success',
      details: { username: 'linked-unlinked', provider: 'corp', subject: 'corp-subject-3' },
    });
  });

  it('answers 404 problem+json for an unknown user or a link the user does not have', async () => {
    const user = await s.h.createUser('linked-none');
    const unknownUser = await s.call('GET', '/api/admin/users/no-such-user/linked-sign-ins');
    expect(unknownUser.statusCode).toBe(404);
    expect(unknownUser.headers['content-type']).toContain('application/problem+json');
    const noLink = await s.call('DELETE', `/api/admin/users/${user.id}/linked-sign-ins/corp`);
    expect(noLink.statusCode).toBe(404);
    expect(noLink.json()).toMatchObject({ status: 404, detail: 'the user has no sign-in linked at "corp"' });
    const before = (await s.h.auditOf('upstream.unlinked')).length;
    expect((await s.call('DELETE', '/api/admin/users/no-such-user/linked-sign-ins/corp')).statusCode).toBe(
      404,
    );
    expect((await s.h.auditOf('upstream.unlinked')).length).toBe(before);
  });

  it('lets admin:read list and refuses it the unlink, keeping the link', async () => {
    const user = await s.h.createUser('linked-kept');
    await link(user.id, 'corp', 'corp-subject-4');
    const reader = bearer(await s.h.clientToken('admin:read'));
    expect(
      (await s.call('GET', `/api/admin/users/${user.id}/linked-sign-ins`, undefined, reader)).statusCode,
    ).toBe(200);
    const refused = await s.call(
      'DELETE',
      `/api/admin/users/${user.id}/linked-sign-ins/corp`,
      undefined,
      reader,
    );
    expect(refused.statusCode).toBe(403);
    expect(await createIdentitiesRepository(s.h.db).find('corp', 'corp-subject-4')).toBeDefined();
  });
});
