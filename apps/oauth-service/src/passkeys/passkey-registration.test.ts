import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PasskeyHarness, RP, startPasskeyHarness } from './sign-in-test-support.ts';
import { SoftwareAuthenticator } from './test-support.ts';

// Registering, listing, renaming and removing passkeys through the service the account console calls:
// discoverable credentials for this relying party only, each challenge used once, no key material shown.

describeEachDialect('passkey registration and management', (temp) => {
  let p: PasskeyHarness;
  beforeAll(async () => {
    p = await startPasskeyHarness(temp().url);
  });
  afterAll(() => p?.h.close());

  it('asks for a discoverable credential of PUBLIC_URL, user verification preferred, no attestation', async () => {
    const user = await p.h.createUser('ada');
    const options = await p.passkeys.registrationOptions(user);
    expect(options.rp).toEqual({ id: 'localhost', name: expect.any(String) });
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'preferred',
    });
    expect(options.attestation).toBe('none');
    expect(options.user.name).toBe('ada');
  });

  it('stores the credential with its flags and lists it without key material; audited', async () => {
    const user = await p.h.createUser('bea');
    const authenticator = new SoftwareAuthenticator(RP, true);
    const response = authenticator.register(await p.passkeys.registrationOptions(user));
    const result = await p.passkeys.verifyRegistration(user, response, '  Phone  ');
    expect(result).toMatchObject({ ok: true, passkey: { name: 'Phone', deviceType: 'multiDevice' } });
    const listed = await p.passkeys.list(user.id);
    expect(listed).toEqual([
      {
        id: expect.any(String),
        name: 'Phone',
        createdAt: expect.any(Number),
        lastUsedAt: null,
        deviceType: 'multiDevice',
        backedUp: true,
        transports: ['internal'],
        aaguid: '00000000-0000-0000-0000-000000000000',
      },
    ]);
    const [audited] = await p.h.auditOf('passkey.register');
    expect(audited).toMatchObject({ actorId: user.id, details: { name: 'Phone' } });
    expect(JSON.stringify(audited)).not.toContain(response.id);
  });

  it('refuses a wrong origin, a wrong RP ID, a reused challenge, a duplicate and a bad name', async () => {
    const user = await p.h.createUser('cyd');
    const authenticator = new SoftwareAuthenticator(RP);
    const tryWith = async (tweaks: Parameters<SoftwareAuthenticator['register']>[1], name = 'Key') =>
      p.passkeys.verifyRegistration(
        user,
        authenticator.register(await p.passkeys.registrationOptions(user), tweaks),
        name,
      );
    expect(await tryWith({ origin: 'https://evil.example' })).toEqual({ ok: false, reason: 'invalid' });
    expect(await tryWith({ rpId: 'evil.example' })).toEqual({ ok: false, reason: 'invalid' });
    expect(await tryWith({}, '')).toEqual({ ok: false, reason: 'invalid_name' });
    expect(await tryWith({}, 'x'.repeat(65))).toEqual({ ok: false, reason: 'invalid_name' });

    const options = await p.passkeys.registrationOptions(user);
    const response = authenticator.register(options);
    expect((await p.passkeys.verifyRegistration(user, response, 'Key')).ok).toBe(true);
    expect(await p.passkeys.verifyRegistration(user, response, 'Key')).toEqual({
      ok: false,
      reason: 'expired',
    });
    await p.passkeys.registrationOptions(user);
    expect(await p.passkeys.verifyRegistration(user, response, 'Again')).toEqual({
      ok: false,
      reason: 'invalid',
    });
    // The options exclude the passkeys the user already has, so the browser offers a new authenticator.
    const next = await p.passkeys.registrationOptions(user);
    expect(next.excludeCredentials?.map((c) => c.id)).toEqual([response.id]);
  });

  it("renames and removes only the owner's passkey; a removed passkey no longer signs in", async () => {
    const { user, authenticator, passkey } = await p.userWithPasskey('dora');
    const other = await p.h.createUser('eve');
    expect(await p.passkeys.rename(other.id, passkey.id, 'Mine now')).toBe(false);
    expect(await p.passkeys.rename(user.id, passkey.id, 'Laptop')).toBe(true);
    expect((await p.passkeys.list(user.id))[0]?.name).toBe('Laptop');
    expect(await p.passkeys.remove(other, passkey.id)).toBe(false);
    expect(await p.passkeys.remove(user, passkey.id)).toBe(true);
    expect(await p.passkeys.list(user.id)).toEqual([]);
    const [audited] = await p.h.auditOf('passkey.remove');
    expect(audited).toMatchObject({
      actorId: user.id,
      targetId: user.id,
      details: { passkeyId: passkey.id },
    });

    const page = await p.openSignIn();
    const refused = await p.submit(page, authenticator.authenticate(await p.options(page)));
    expect(refused.response.payload).toContain('That passkey was not accepted.');
  });

  it("lets an administrator remove all of a user's passkeys at once, audited under the administrator", async () => {
    const { user, authenticator } = await p.userWithPasskey('finn');
    const second = await p.passkeys.verifyRegistration(
      user,
      authenticator.register(await p.passkeys.registrationOptions(user)),
      'Spare',
    );
    expect(second.ok).toBe(true);
    const admin = { id: 'admin-id', username: 'admin' };
    expect(await p.passkeys.removeAll(user, admin)).toBe(2);
    expect(await p.passkeys.list(user.id)).toEqual([]);
    const [audited] = await p.h.auditOf('passkey.reset');
    expect(audited).toMatchObject({ actorName: 'admin', targetId: user.id, details: { removed: 2 } });
    expect(await p.passkeys.removeAll(user, admin)).toBe(0);
  });

  it("as a second factor, accepts only the signed-in user's own passkey", async () => {
    const { user, authenticator } = await p.userWithPasskey('gina');
    const other = await p.h.createUser('hugo');
    const asSecondFactor = async (expectedUserId: string) => {
      const options = await p.passkeys.authenticationOptions('second-factor-uid');
      return p.passkeys.verifyAuthentication('second-factor-uid', authenticator.authenticate(options), {
        ip: '127.0.0.1',
        expectedUserId,
      });
    };
    expect(await asSecondFactor(other.id)).toMatchObject({ ok: false, reason: 'invalid_credentials' });
    expect(await asSecondFactor(user.id)).toMatchObject({
      ok: true,
      user: { id: user.id },
      amr: ['hwk', 'mfa'],
    });
  });
});
