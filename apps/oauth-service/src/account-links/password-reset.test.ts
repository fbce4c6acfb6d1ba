import { describeEachDialect } from '@platform/db/testing';
import { type SmtpTestServer, startSmtpServer } from '@platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type AdminHarness,
  InjectBrowser,
  PASSWORD,
  PUBLIC_URL,
  startAdminHarness,
} from '../admin/test-support.ts';

// "Forgot password?" against a real SMTP server (aiosmtpd): the mail is read as delivered, its link followed
// as a browser would.

const FORGOT = '/interaction/account/forgot';
const NEW_PASSWORD = 'amber-quartz-meadow-41';
const csrfOf = (html: string) => /name="csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';

describeEachDialect('password reset by mail', (temp) => {
  let smtp: SmtpTestServer;
  let harness: AdminHarness;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    harness = await startAdminHarness(temp().url, { env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await harness?.close();
    await smtp?.stop();
  });

  /** Asks for a reset of `email` from `address` (a browser of its own); returns the answer. */
  async function requestReset(email: string, address = '127.0.0.1') {
    const browser = new InjectBrowser(harness.app, address);
    const form = await browser.request('GET', FORGOT);
    return browser.request('POST', FORGOT, { csrf: csrfOf(form.payload), email });
  }

  /** Opens a mailed link and submits the password form on it. */
  async function setPasswordThrough(link: string, password: string, confirm = password) {
    const browser = new InjectBrowser(harness.app);
    const page = await browser.request('GET', link);
    if (page.statusCode !== 200) return page;
    const token = new URL(link).searchParams.get('token') ?? '';
    return browser.request('POST', new URL(link).pathname, {
      csrf: csrfOf(page.payload),
      token,
      password,
      confirm,
    });
  }

  it('offers "Forgot password?" on the sign-in page', async () => {
    const page = (await harness.authorizeAgain(new InjectBrowser(harness.app))).response.payload;
    expect(page).toContain(`<a href="${FORGOT}">Forgot password?</a>`);
  });

  it('resets end to end: mail, link, new password, sign-in with it; the user is signed out everywhere', async () => {
    const user = await harness.createUser('rita');
    const { tokens } = await harness.userTokens(
      { login: 'rita', password: PASSWORD },
      { scope: 'openid offline_access' },
    );

    const answer = await requestReset('RITA@example.test');
    expect(answer.statusCode).toBe(200);
    expect(answer.payload).toContain('If an account exists for that address, we sent a link');
    const mail = await smtp.waitForMail(user.email);
    expect(mail.subject).toBe('Reset your password');
    expect(mail.link).toMatch(new RegExp(`^${PUBLIC_URL}/interaction/account/reset\\?token=[\\w-]{43}$`));

    const opened = await new InjectBrowser(harness.app).request('GET', mail.link!);
    expect(opened.headers['referrer-policy']).toBe('no-referrer');
    expect(opened.headers['content-security-policy']).toContain("default-src 'none'");
    const weak = await setPasswordThrough(mail.link!, 'rita');
    expect(weak.statusCode).toBe(400);
    const done = await setPasswordThrough(mail.link!, NEW_PASSWORD);
    expect(done.statusCode).toBe(200);
    expect(done.payload).toContain('Password changed');

    expect((await harness.postSignIn(new InjectBrowser(harness.app), 'rita', PASSWORD)).payload).toContain(
      'The username or password is incorrect.',
    );
    await harness.userTokens({ login: 'rita', password: NEW_PASSWORD }, { scope: 'openid' });
    // Reset means someone else may have had the password: the refresh token issued before is dead.
    expect((await harness.refresh(String(tokens.refresh_token))).statusCode).toBe(400);

    const [event] = await harness.auditOf('user.password_reset');
    expect(event).toMatchObject({ actorId: user.id, targetId: user.id, details: { self_service: true } });
    const [sent] = await harness.auditOf('mail.send');
    expect(sent).toMatchObject({ targetId: user.id, details: { purpose: 'reset' } });
    expect(JSON.stringify(sent)).not.toContain(new URL(mail.link!).searchParams.get('token'));
  });

  it('refuses a used link and an expired one', async () => {
    const user = await harness.createUser('sven');
    await requestReset(user.email);
    const first = await smtp.waitForMail(user.email);
    expect((await setPasswordThrough(first.link!, NEW_PASSWORD)).statusCode).toBe(200);
    const reused = await setPasswordThrough(first.link!, 'another-fine-password-77');
    expect(reused.statusCode).toBe(400);
    expect(reused.payload).toContain('This link no longer works');

    await requestReset(user.email);
    const second = await smtp.waitForMail(user.email, { skip: 1 });
    await harness.db
      .updateTable('account_links')
      .set({ expires_at: Date.now() - 1 })
      .where('used_at', 'is', null)
      .execute();
    expect((await setPasswordThrough(second.link!, 'another-fine-password-77')).statusCode).toBe(400);
  });

  it('answers an unknown address exactly like a known one, and mails nothing', async () => {
    const known = await harness.createUser('tara');
    const forKnown = await requestReset(known.email);
    const forUnknown = await requestReset('nobody-here@example.test');
    expect(forUnknown.statusCode).toBe(forKnown.statusCode);
    expect(forUnknown.payload.replace(/value="[^"]*"/g, '')).toBe(
      forKnown.payload.replace(/value="[^"]*"/g, ''),
    );
    await smtp.waitForMail(known.email);
    await new Promise((r) => setTimeout(r, 300));
    expect((await smtp.messages()).filter((m) => m.to.includes('nobody-here'))).toEqual([]);
  });

  it('limits requests per client address (429) and mails per account (silently)', async () => {
    for (let i = 0; i < 5; i += 1)
      expect((await requestReset(`x${i}@example.test`, '127.0.0.9')).statusCode).toBe(200);
    const flooded = await requestReset('x@example.test', '127.0.0.9');
    expect(flooded.statusCode).toBe(429);
    expect(flooded.headers['content-type']).toContain('text/html');

    const user = await harness.createUser('uma');
    for (let i = 0; i < 5; i += 1) {
      const answer = await requestReset(user.email, `127.0.1.${i}`);
      expect(answer.statusCode).toBe(200);
      expect(answer.payload).toContain('If an account exists');
    }
    await smtp.waitForMail(user.email, { skip: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect((await smtp.messages()).filter((m) => m.to.includes(user.email))).toHaveLength(3);
  });

  it('refuses a form without its CSRF token', async () => {
    const answer = await new InjectBrowser(harness.app).request('POST', FORGOT, {
      email: 'rita@example.test',
    });
    expect(answer.statusCode).toBe(403);
  });
});
