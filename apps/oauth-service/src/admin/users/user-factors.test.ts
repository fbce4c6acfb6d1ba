import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signInFlow } from '../../mfa/sign-in-test-support.ts';
import { createPasskeysRepository } from '../../passkeys/passkeys.repository.ts';
import {
  ADMIN,
  type AdminHarness,
  bearer,
  InjectBrowser,
  isLoginPage,
  PASSWORD,
  startAdminHarness,
} from '../test-support.ts';

// An administrator's view of a user's second factors, their reset, the "enrol at next sign-in" requirement,
// and the MFA flags of roles and clients: each change audited, no secret in any answer.

describeEachDialect('admin API: second factors and MFA policy', (temp) => {
  let h: AdminHarness;
  let flow: ReturnType<typeof signInFlow>;
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    flow = signInFlow(h);
    auth = bearer(await h.clientToken());
  });
  afterAll(() => h?.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });

  /** A user with a confirmed TOTP, ten recovery codes and one passkey. */
  async function userWithEveryFactor(username: string) {
    const { user, secret, codes } = await flow.userWithTotp(username);
    await createPasskeysRepository(h.db).create({
      userId: user.id,
      credentialId: `cred-${username}`,
      publicKey: 'public-key-not-a-secret',
      signCount: 0,
      transports: ['internal'],
      backupEligible: true,
      backupState: true,
      deviceType: 'multiDevice',
      aaguid: '00000000-0000-0000-0000-000000000000',
      name: 'Work laptop',
    });
    return { user, secret, codes };
  }

  it("lists a user's factors without any secret", async () => {
    const { user, secret, codes } = await userWithEveryFactor('factor-lister');
    const response = await call('GET', `/api/admin/users/${user.id}/factors`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      user_id: user.id,
      username: 'factor-lister',
      totp: { confirmed: true, created_at: expect.any(String), last_used_at: expect.any(String) },
      recovery_codes: { left: 10, created_at: expect.any(String) },
      passkeys: [{ name: 'Work laptop', device_type: 'multiDevice', backed_up: true, last_used_at: null }],
      enrolment_required: false,
      required_by_role: false,
    });
    for (const hidden of [secret, codes[0]!, 'public-key-not-a-secret', 'cred-factor-lister'])
      expect(response.payload).not.toContain(hidden);
  });

  it('resets every factor, audited with what was removed', async () => {
    const { user } = await userWithEveryFactor('factor-loser');
    expect((await call('DELETE', `/api/admin/users/${user.id}/factors`)).statusCode).toBe(204);
    expect((await call('GET', `/api/admin/users/${user.id}/factors`)).json()).toMatchObject({
      totp: null,
      recovery_codes: { left: 0, created_at: null },
      passkeys: [],
    });
    expect((await h.auditOf('mfa.reset'))[0]).toMatchObject({
      actorType: 'client',
      targetType: 'user',
      targetId: user.id,
      details: { username: 'factor-loser', removed: { totp: true, recovery_code_count: 10, passkeys: 1 } },
    });
    // The password alone signs in again: nothing asks for a factor the user no longer has.
    const browser = new InjectBrowser(h.app);
    const { step } = await flow.authorize(browser);
    const after = await flow.password(browser, step, user.username);
    expect(after.leftTo?.searchParams.get('code')).toBeTruthy();
  });

  /** Gives `userId` a passkey straight through the repository (no sign-in needs it). */
  const addPasskey = (userId: string, name: string) =>
    createPasskeysRepository(h.db).create({
      userId,
      credentialId: `cred-${name}`,
      publicKey: 'public-key-not-a-secret',
      signCount: 0,
      transports: ['internal'],
      backupEligible: false,
      backupState: false,
      deviceType: 'singleDevice',
      aaguid: '00000000-0000-0000-0000-000000000000',
      name,
    });

  it("ends the user's sign-in sessions and refresh tokens with the reset, audited", async () => {
    const user = await h.createUser('factor-session', ['user']);
    const { tokens, browser } = await h.userTokens(
      { login: 'factor-session', password: PASSWORD },
      { scope: 'openid offline_access' },
    );
    await addPasskey(user.id, 'factor-session');
    expect((await call('DELETE', `/api/admin/users/${user.id}/factors`)).statusCode).toBe(204);
    expect((await h.refresh(tokens.refresh_token!)).json().error).toBe('invalid_grant');
    expect(isLoginPage((await h.authorizeAgain(browser)).response)).toBe(true);
    expect((await h.auditOf('mfa.reset'))[0]).toMatchObject({
      targetId: user.id,
      details: { revoked: { grants: 1, sessions: 1 } },
    });
  });

  it('an administrator resetting their own factors ends their own sessions too', async () => {
    const admin = await h.users.findByLogin(ADMIN.login);
    const { tokens, browser } = await h.userTokens(ADMIN);
    await addPasskey(admin!.id, 'own-reset');
    const reset = await h.app.inject({
      method: 'DELETE',
      url: `/api/admin/users/${admin!.id}/factors`,
      headers: bearer(tokens.access_token),
    });
    expect(reset.statusCode).toBe(204);
    expect((await h.refresh(tokens.refresh_token!)).json().error).toBe('invalid_grant');
    expect(isLoginPage((await h.authorizeAgain(browser)).response)).toBe(true);
    expect((await h.auditOf('mfa.reset'))[0]).toMatchObject({
      actorId: admin!.id,
      targetId: admin!.id,
      details: { revoked: { sessions: 1 } },
    });
  });

  it('requires enrolment at the next sign-in, and withdraws it; audited both ways', async () => {
    const user = await h.createUser('factor-newcomer');
    const required = await call('POST', `/api/admin/users/${user.id}/factors/require-enrolment`);
    expect(required.statusCode).toBe(200);
    expect(required.json()).toMatchObject({ enrolment_required: true, totp: null });
    expect((await h.auditOf('mfa.enrolment_required'))[0]).toMatchObject({
      targetId: user.id,
      details: { username: 'factor-newcomer', required: true },
    });
    // The next sign-in stops at the enrolment page instead of finishing.
    const browser = new InjectBrowser(h.app);
    const { step } = await flow.authorize(browser);
    const after = await flow.password(browser, step, user.username);
    expect(after.leftTo).toBeUndefined();
    expect(after.response.payload).toMatch(/otpauth|authenticator/i);

    const withdrawn = await call('DELETE', `/api/admin/users/${user.id}/factors/require-enrolment`);
    expect(withdrawn.json()).toMatchObject({ enrolment_required: false });
    expect((await h.auditOf('mfa.enrolment_required'))[0]).toMatchObject({ details: { required: false } });
  });

  it('404 for an unknown user, 401 without a token, 403 for a read-only token writing', async () => {
    for (const [method, path] of [
      ['GET', 'factors'],
      ['DELETE', 'factors'],
      ['POST', 'factors/require-enrolment'],
      ['DELETE', 'factors/require-enrolment'],
    ] as const) {
      const response = await call(method, `/api/admin/users/no-such-user/${path}`);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    const user = await h.createUser('factor-guarded');
    const anonymous = await h.app.inject({ method: 'GET', url: `/api/admin/users/${user.id}/factors` });
    expect(anonymous.statusCode).toBe(401);
    const reader = bearer(await h.clientToken('admin:read'));
    const refused = await h.app.inject({
      method: 'DELETE',
      url: `/api/admin/users/${user.id}/factors`,
      headers: reader,
    });
    expect(refused.statusCode).toBe(403);
  });

  it("a role's mfa_required is readable and settable, audited as role.update", async () => {
    const created = await call('POST', '/api/admin/roles', { name: 'treasurer', mfa_required: true });
    expect(created.statusCode).toBe(201);
    const { id } = created.json();
    expect(created.json()).toMatchObject({ name: 'treasurer', mfa_required: true });
    expect((await h.auditOf('role.create'))[0]).toMatchObject({ details: { mfa_required: true } });

    const cleared = await call('PATCH', `/api/admin/roles/${id}`, { mfa_required: false });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toMatchObject({ name: 'treasurer', mfa_required: false });
    expect((await h.auditOf('role.update'))[0]).toMatchObject({
      targetId: id,
      details: { changed: ['mfa_required'], mfa_required: false },
    });
    const listed = (await call('GET', '/api/admin/roles')).json().items as Array<{ name: string }>;
    expect(listed.every((role) => 'mfa_required' in role)).toBe(true);

    // Holders of a role requiring MFA are told so on their factors.
    await call('PATCH', `/api/admin/roles/${id}`, { mfa_required: true });
    const holder = await h.createUser('treasury-clerk', ['treasurer']);
    expect((await call('GET', `/api/admin/users/${holder.id}/roles`)).json().items).toEqual([
      expect.objectContaining({ name: 'treasurer', mfa_required: true }),
    ]);
    expect((await call('GET', `/api/admin/users/${holder.id}/factors`)).json().required_by_role).toBe(true);

    const bad = await call('PATCH', `/api/admin/roles/${id}`, { mfa_required: 'yes' });
    expect(bad.statusCode).toBe(400);
    const permission = await call('POST', '/api/admin/permissions', { name: 'x:y', mfa_required: true });
    expect(permission.statusCode).toBe(400);
  });

  it("a client's require_mfa is readable and settable, audited as client.update", async () => {
    const created = await call('POST', '/api/admin/clients', {
      name: 'Payroll',
      type: 'confidential',
      grant_types: ['authorization_code'],
      redirect_uris: ['https://payroll.example.test/cb'],
      scope: ['openid'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().require_mfa).toBe(false);
    const clientId = created.json().client_id as string;

    const updated = await call('PATCH', `/api/admin/clients/${clientId}`, { require_mfa: true });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().require_mfa).toBe(true);
    expect((await call('GET', `/api/admin/clients/${clientId}`)).json().require_mfa).toBe(true);
    expect((await h.auditOf('client.update'))[0]).toMatchObject({
      targetId: clientId,
      details: { changed: ['require_mfa'], require_mfa: true },
    });
    const listed = (await call('GET', '/api/admin/clients')).json().items as Array<{ client_id: string }>;
    expect(listed.find((client) => client.client_id === clientId)).toMatchObject({ require_mfa: true });
  });

  it('counts MFA adoption among active users, by factor', async () => {
    const before = (await call('GET', '/api/admin/stats/mfa')).json();
    await userWithEveryFactor('adopter-full');
    await flow.userWithTotp('adopter-totp');
    const disabled = await userWithEveryFactor('adopter-disabled');
    await call('POST', `/api/admin/users/${disabled.user.id}/disable`);
    const response = await call('GET', '/api/admin/stats/mfa');
    expect(response.statusCode).toBe(200);
    const after = response.json();
    expect(after.active_users - before.active_users).toBe(2);
    expect(after.with_second_factor - before.with_second_factor).toBe(2);
    expect(after.by_factor.totp - before.by_factor.totp).toBe(2);
    expect(after.by_factor.passkey - before.by_factor.passkey).toBe(1);
    expect(after.by_factor.recovery_codes - before.by_factor.recovery_codes).toBe(2);
  });
});
