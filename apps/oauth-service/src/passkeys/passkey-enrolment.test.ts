import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, startAdminHarness } from '../admin/test-support.ts';
import { createMfaRepository } from '../mfa/mfa.repository.ts';
import type { PasskeyService } from './passkeys.service.ts';
import { harnessPasskeyService, RP } from './sign-in-test-support.ts';
import { SoftwareAuthenticator } from './test-support.ts';

// A registered passkey is an enrolled second factor: it clears an administrator's "enrol at next sign-in",
// as a confirmed TOTP does, so the flag does not keep asking a second factor at every sign-in afterwards.

describeEachDialect('passkey registration and the enrolment requirement', (temp) => {
  let h: AdminHarness;
  let passkeys: PasskeyService;
  let mfa: ReturnType<typeof createMfaRepository>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    mfa = createMfaRepository(h.db);
    passkeys = harnessPasskeyService(h, (userId) => mfa.setEnrolmentRequired(userId, false));
  });
  afterAll(() => h?.close());

  it('clears "enrol at next sign-in" once a passkey is registered, not when the registration fails', async () => {
    const user = await h.createUser('flagged-passkey-user');
    await mfa.setEnrolmentRequired(user.id, true);
    const authenticator = new SoftwareAuthenticator(RP);

    const refused = await passkeys.verifyRegistration(
      user,
      authenticator.register(await passkeys.registrationOptions(user), { origin: 'https://evil.example' }),
      'Key',
    );
    expect(refused.ok).toBe(false);
    expect(await mfa.enrolmentRequired(user.id)).toBe(true);

    const registered = await passkeys.verifyRegistration(
      user,
      authenticator.register(await passkeys.registrationOptions(user)),
      'Key',
    );
    expect(registered.ok).toBe(true);
    expect(await mfa.enrolmentRequired(user.id)).toBe(false);
  });
});
