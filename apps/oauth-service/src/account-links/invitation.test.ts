import { describeEachDialect } from '@platform/db/testing';
import { type SmtpTestServer, startSmtpServer } from '@platform/testing';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../accounts/passwords.ts';
import {
  type AdminHarness,
  bearer,
  InjectBrowser,
  PASSWORD,
  startAdminHarness,
} from '../admin/test-support.ts';

// Invitations and email verification, asked for through the admin API and delivered by a real SMTP server.

const csrfOf = (html: string) => /name="csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
const OWN_PASSWORD = 'copper-lagoon-thistle-58';

describeEachDialect('invitations and email verification by mail', (temp) => {
  let smtp: SmtpTestServer;
  let h: AdminHarness;
  let auth: Record<string, string>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    h = await startAdminHarness(temp().url, { env: { SMTP_URL: smtp.url } });
    auth = bearer(await h.clientToken());
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.stop();
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });

  /** Opens a mailed link and posts its form (with `form` fields) as the link's holder would. */
  async function follow(link: string, form: Record<string, string> = {}) {
    const browser = new InjectBrowser(h.app);
    const page = await browser.request('GET', link);
    expect(page.statusCode).toBe(200);
    const token = new URL(link).searchParams.get('token') ?? '';
    return browser.request('POST', new URL(link).pathname, { csrf: csrfOf(page.payload), token, ...form });
  }

  it('invites: no password until the link is followed, then sign-in works and the address counts as verified', async () => {
    const created = await call('POST', '/api/admin/users', {
      username: 'ines',
      email: 'ines@example.test',
      invite: true,
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ invitation_pending: true, email_verified: false });
    const mail = await smtp.waitForMail('ines@example.test');
    expect(mail.subject).toBe('You are invited: set your password');

    // Even a password hash that matches (set behind the service's back) does not open a pending invitation.
    await h.db
      .updateTable('users')
      .set({ password_hash: await hashPassword(PASSWORD) })
      .where('id', '=', created.json().id)
      .execute();
    const refused = await h.postSignIn(new InjectBrowser(h.app), 'ines', PASSWORD);
    expect(refused.payload).toContain('The username or password is incorrect.');

    const done = await follow(mail.link!, { password: OWN_PASSWORD, confirm: OWN_PASSWORD });
    expect(done.statusCode).toBe(200);
    expect(done.payload).toContain('Password set');
    await h.userTokens({ login: 'ines', password: OWN_PASSWORD }, { scope: 'openid' });
    const user = (await call('GET', `/api/admin/users/${created.json().id}`)).json();
    expect(user).toMatchObject({ invitation_pending: false, email_verified: true });
    expect((await h.auditOf('user.invitation_accept'))[0]).toMatchObject({ actorId: user.id });

    const again = await call('POST', `/api/admin/users/${user.id}/invitation`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('no_pending_invitation');
  });

  it('resends an invitation: the newer link works, the older one no longer', async () => {
    const created = (
      await call('POST', '/api/admin/users', { username: 'jan', email: 'jan@example.test', invite: true })
    ).json();
    const first = await smtp.waitForMail('jan@example.test');
    expect((await call('POST', `/api/admin/users/${created.id}/invitation`)).statusCode).toBe(204);
    const second = await smtp.waitForMail('jan@example.test', { skip: 1 });
    expect((await new InjectBrowser(h.app).request('GET', first.link!)).statusCode).toBe(400);
    expect((await follow(second.link!, { password: OWN_PASSWORD, confirm: OWN_PASSWORD })).statusCode).toBe(
      200,
    );
  });

  it('refuses an invitation that also sets a password', async () => {
    const response = await call('POST', '/api/admin/users', {
      username: 'kim',
      email: 'kim@example.test',
      invite: true,
      password: PASSWORD,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('verifies an address: mailed on creation, confirmed by a POST (not the GET a mail scanner makes), shown in the ID token', async () => {
    const created = (
      await call('POST', '/api/admin/users', {
        username: 'lea',
        email: 'lea@example.test',
        password: PASSWORD,
      })
    ).json();
    const mail = await smtp.waitForMail('lea@example.test');
    expect(mail.subject).toBe('Confirm your email address');
    await new InjectBrowser(h.app).request('GET', mail.link!);
    expect((await call('GET', `/api/admin/users/${created.id}`)).json().email_verified).toBe(false);

    const before = await h.userTokens({ login: 'lea', password: PASSWORD }, { scope: 'openid email' });
    expect(decodeJwt(String(before.tokens.id_token)).email_verified).toBe(false);

    const done = await follow(mail.link!);
    expect(done.payload).toContain('Address confirmed');
    expect((await call('GET', `/api/admin/users/${created.id}`)).json().email_verified).toBe(true);
    const after = await h.userTokens({ login: 'lea', password: PASSWORD }, { scope: 'openid email' });
    expect(decodeJwt(String(after.tokens.id_token)).email_verified).toBe(true);

    const again = await call('POST', `/api/admin/users/${created.id}/verification-email`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('email_already_verified');
  });

  it('opens nothing once the address changed: a link proves only the address it was mailed to', async () => {
    const user = await h.createUser('olga');
    expect((await call('POST', `/api/admin/users/${user.id}/verification-email`)).statusCode).toBe(204);
    const mail = await smtp.waitForMail(user.email);
    const moved = await h.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${user.id}`,
      headers: auth,
      payload: { email: 'olga-new@example.test' },
    });
    expect(moved.json().email_verified).toBe(false);
    expect((await new InjectBrowser(h.app).request('GET', mail.link!)).statusCode).toBe(400);
  });

  it('sends a verification mail on request from the admin', async () => {
    const user = await h.createUser('max');
    const response = await call('POST', `/api/admin/users/${user.id}/verification-email`);
    expect(response.statusCode).toBe(204);
    expect((await smtp.waitForMail(user.email)).subject).toBe('Confirm your email address');
    expect((await h.auditOf('user.verification_send'))[0]).toMatchObject({ targetId: user.id });
    expect((await call('POST', '/api/admin/users/no-such-user/verification-email')).statusCode).toBe(404);
  });
});
