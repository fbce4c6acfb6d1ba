import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InjectBrowser, PASSWORD } from '../admin/test-support.ts';
import { type PasskeyHarness, startPasskeyHarness } from './sign-in-test-support.ts';

// A passkey is no way around the password's limits: refused assertions count towards the same account lock,
// a locked account is refused whatever it presents, and one address's allowance covers both forms.

const LOCKED = 'Too many failed attempts. This account is locked';

describeEachDialect('passkey sign-in limits', (temp) => {
  let p: PasskeyHarness;
  beforeAll(async () => {
    p = await startPasskeyHarness(temp().url, { LOGIN_MAX_FAILURES: '3', LOGIN_IP_LIMIT_PER_MINUTE: '6' });
  });
  afterAll(() => p?.h.close());

  it('locks the account after failed passkeys and a wrong password together', async () => {
    const { user, authenticator } = await p.userWithPasskey('lena');
    for (const address of ['127.0.0.11', '127.0.0.12']) {
      const page = await p.openSignIn({}, address);
      const answer = authenticator.authenticate(await p.options(page), { origin: 'https://evil.example' });
      expect((await p.submit(page, answer)).response.payload).toContain('That passkey was not accepted.');
    }
    const wrong = await p.h.postSignIn(
      new InjectBrowser(p.h.app, '127.0.0.13'),
      'lena',
      'not-the-password-1',
    );
    expect(wrong.payload).toContain(LOCKED);

    const page = await p.openSignIn({}, '127.0.0.14');
    const valid = await p.submit(page, authenticator.authenticate(await p.options(page)));
    expect(valid.leftTo).toBeUndefined();
    expect(valid.response.payload).toContain(LOCKED);
    const [audited] = await p.h.auditOf('login.locked');
    expect(audited).toMatchObject({ actorId: user.id, details: { factor: 'passkey', reason: 'locked' } });
    expect((await p.h.users.findById(user.id))?.lockedUntil).toEqual(expect.any(Number));
  });

  it("spends one address's allowance on passkeys and passwords alike", async () => {
    const { authenticator } = await p.userWithPasskey('mira');
    const address = '127.0.0.21';
    for (let i = 0; i < 6; i += 1) {
      const page = await p.openSignIn({}, address);
      const stranger = authenticator.stranger('bm9ib2R5');
      const refused = await p.submit(page, authenticator.authenticate(await p.options(page), {}, stranger));
      expect(refused.response.statusCode).toBe(200);
    }
    const page = await p.openSignIn({}, address);
    const flooded = await p.submit(page, authenticator.authenticate(await p.options(page)));
    expect(flooded.response.statusCode).toBe(429);
    expect(flooded.response.payload).toContain('Too many sign-in attempts from your network');
    const password = await p.h.postSignIn(page.browser, 'mira', PASSWORD);
    expect(password.statusCode).toBe(429);
  });
});
