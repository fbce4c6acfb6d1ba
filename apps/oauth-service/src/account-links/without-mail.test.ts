import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, bearer, InjectBrowser, startAdminHarness } from '../admin/test-support.ts';

// Without SMTP_URL the platform sends no mail and offers nothing that needs it.

describeEachDialect('account mail without SMTP_URL', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;
  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
  });
  afterAll(() => h?.close());

  it('shows no "Forgot password?" link and answers the reset pages 404', async () => {
    const page = (await h.authorizeAgain(new InjectBrowser(h.app))).response.payload;
    expect(page).toContain('Sign in');
    expect(page).not.toContain('Forgot password?');
    for (const path of ['/interaction/account/forgot', '/interaction/account/reset?token=x'])
      expect((await h.app.inject({ method: 'GET', url: path })).statusCode).toBe(404);
    const post = await h.app.inject({ method: 'POST', url: '/interaction/account/forgot', payload: {} });
    expect(post.statusCode).toBe(404);
  });

  it('refuses invitations and verification mails with a problem saying mail is not configured', async () => {
    const user = await h.createUser('nina');
    const answers = [
      await h.app.inject({
        method: 'POST',
        url: '/api/admin/users',
        headers: auth,
        payload: { username: 'olaf', email: 'olaf@example.test', invite: true },
      }),
      await h.app.inject({
        method: 'POST',
        url: `/api/admin/users/${user.id}/verification-email`,
        headers: auth,
      }),
      await h.app.inject({ method: 'POST', url: `/api/admin/users/${user.id}/invitation`, headers: auth }),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(409);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.json()).toMatchObject({ code: 'mail_not_configured', title: 'Mail is not configured' });
    }
    expect(await h.users.findByUsername('olaf')).toBeUndefined();
  });
});
