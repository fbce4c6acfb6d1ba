import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMfaRepository } from '../mfa/mfa.repository.ts';
import { ACR_MFA, ACR_PASSWORD as ACR_PWD } from '../mfa/policy.ts';
import { claimsOf, type PasskeyHarness, RP, startPasskeyHarness } from './sign-in-test-support.ts';
import { SoftwareAuthenticator } from './test-support.ts';

// Passwordless sign-in with a passkey through the real routes: a software authenticator (real P-256 keys,
// CBOR, ECDSA) registers through the passkey service and signs the challenges the sign-in page's options
// endpoint hands out; @simplewebauthn/server checks them; the ID token says how the user signed in.

describeEachDialect('passkey sign-in', (temp) => {
  let p: PasskeyHarness;
  beforeAll(async () => {
    p = await startPasskeyHarness(temp().url);
  });
  afterAll(() => p?.h.close());

  it('shows the passkey button hidden until its script runs, and allows only its own scripts', async () => {
    const page = await p.openSignIn();
    expect(page.html).toContain('autocomplete="username webauthn"');
    expect(page.html).toMatch(/<form id="passkey-form"[^>]* hidden>/);
    expect(page.html).toContain('<script src="/interaction/assets/passkey-sign-in.js" defer></script>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    for (const name of ['webauthn.js', 'passkey-sign-in.js']) {
      const asset = await p.h.app.inject({ method: 'GET', url: `/interaction/assets/${name}` });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    }
  });

  it('signs in with a device-bound passkey alone: amr hwk + mfa, acr mfa, audited as a passkey sign-in', async () => {
    const { user, authenticator, passkey } = await p.userWithPasskey('pia');
    const page = await p.openSignIn();
    const step = await p.submit(page, authenticator.authenticate(await p.options(page)));
    expect(step.leftTo?.searchParams.get('code')).toEqual(expect.any(String));
    const claims = claimsOf((await p.exchange(step.leftTo!, page.verifier)).id_token);
    expect(claims).toMatchObject({ sub: user.id, amr: ['hwk', 'mfa'], acr: ACR_MFA });
    const [audited] = await p.h.auditOf('login.success');
    expect(audited).toMatchObject({
      actorId: user.id,
      details: { factor: 'passkey', passkeyId: passkey.id },
    });
    expect(JSON.stringify(audited)).not.toContain(authenticator.credentials[0]!.id.toString('base64url'));
    const [listed] = await p.passkeys.list(user.id);
    expect(listed?.lastUsedAt).toEqual(expect.any(Number));
  });

  it('calls a synced passkey a software key (swk)', async () => {
    const { authenticator } = await p.userWithPasskey('sami', true);
    const page = await p.openSignIn();
    const step = await p.submit(page, authenticator.authenticate(await p.options(page)));
    const claims = claimsOf((await p.exchange(step.leftTo!, page.verifier)).id_token);
    expect(claims).toMatchObject({ amr: ['swk', 'mfa'], acr: ACR_MFA });
  });

  it('without user verification: one factor (acr pwd); refused when the client asks for MFA', async () => {
    const { authenticator } = await p.userWithPasskey('uma');
    const page = await p.openSignIn();
    const step = await p.submit(
      page,
      authenticator.authenticate(await p.options(page), { userVerified: false }),
    );
    const claims = claimsOf((await p.exchange(step.leftTo!, page.verifier)).id_token);
    expect(claims).toMatchObject({ amr: ['hwk'], acr: ACR_PWD });

    const strict = await p.openSignIn({ acr_values: ACR_MFA });
    const answer = authenticator.authenticate(await p.options(strict), { userVerified: false });
    const refused = await p.submit(strict, answer);
    expect(refused.leftTo).toBeUndefined();
    expect(refused.response.payload).toContain('confirm with your PIN or biometrics');
  });

  it("without user verification, a role's MFA requirement still applies: no sign-in on the passkey alone", async () => {
    const { authenticator } = await p.userWithPasskey('vera', false, ['passkey-strict']);
    await createMfaRepository(p.h.db).setRoleMfaRequired('passkey-strict', true);
    const page = await p.openSignIn();
    const step = await p.submit(
      page,
      authenticator.authenticate(await p.options(page), { userVerified: false }),
    );
    expect(step.leftTo).toBeUndefined();
    expect(step.response.payload).toContain('Set up two-step verification');
    expect(await p.h.auditOf('login.success')).not.toContainEqual(
      expect.objectContaining({ actorName: 'vera' }),
    );
  });

  it('refuses an assertion without user presence', async () => {
    const { authenticator } = await p.userWithPasskey('noah');
    const page = await p.openSignIn();
    const refused = await p.submit(
      page,
      authenticator.authenticate(await p.options(page), { userPresent: false }),
    );
    expect(refused.response.payload).toContain('That passkey was not accepted.');
  });

  it('refuses a wrong origin and a wrong RP ID hash, counting each as a failed attempt', async () => {
    const { user, authenticator } = await p.userWithPasskey('olga');
    for (const tweak of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }]) {
      const page = await p.openSignIn();
      const refused = await p.submit(page, authenticator.authenticate(await p.options(page), tweak));
      expect(refused.leftTo).toBeUndefined();
      expect(refused.response.payload).toContain('That passkey was not accepted.');
    }
    expect((await p.h.users.findById(user.id))?.failedLoginCount).toBe(2);
    const [audited] = await p.h.auditOf('login.failure');
    expect(audited).toMatchObject({
      actorId: user.id,
      details: { reason: 'invalid_credentials', factor: 'passkey', login: 'known' },
    });
  });

  it('uses a challenge once: a second answer to it, and an answer to another sign-in, are refused', async () => {
    const { authenticator } = await p.userWithPasskey('rhea');
    const page = await p.openSignIn();
    const options = await p.options(page);
    const first = await p.submit(
      page,
      authenticator.authenticate(options, { origin: 'https://evil.example' }),
    );
    expect(first.response.payload).toContain('That passkey was not accepted.');
    const csrf = /name="csrf" value="([^"]*)"/.exec(first.response.payload)?.[1];
    const again = await p.submit(page, authenticator.authenticate(options), csrf);
    expect(again.response.payload).toContain('The passkey request expired. Try again.');

    const captured = authenticator.authenticate(await p.options(await p.openSignIn()));
    const other = await p.openSignIn();
    await p.options(other);
    const replayed = await p.submit(other, captured);
    expect(replayed.leftTo).toBeUndefined();
    expect(replayed.response.payload).toContain('That passkey was not accepted.');
  });

  it('refuses a credential the service does not know, audited without an account', async () => {
    const authenticator = new SoftwareAuthenticator(RP);
    const page = await p.openSignIn();
    const stranger = authenticator.stranger(Buffer.from('nobody').toString('base64url'));
    const refused = await p.submit(page, authenticator.authenticate(await p.options(page), {}, stranger));
    expect(refused.response.payload).toContain('That passkey was not accepted.');
    const [audited] = await p.h.auditOf('login.failure');
    expect(audited).toMatchObject({ actorId: null, details: { factor: 'passkey', login: 'unknown' } });
  });

  it('refuses a counter that goes backwards and audits a suspected clone', async () => {
    const { user, authenticator, passkey } = await p.userWithPasskey('cleo');
    const first = await p.openSignIn();
    const ok = await p.submit(first, authenticator.authenticate(await p.options(first), { counter: 7 }));
    expect(ok.leftTo).toBeDefined();
    const page = await p.openSignIn();
    const refused = await p.submit(page, authenticator.authenticate(await p.options(page), { counter: 3 }));
    expect(refused.response.payload).toContain('That passkey was not accepted.');
    const [audited] = await p.h.auditOf('passkey.counter_regressed');
    expect(audited).toMatchObject({
      actorId: user.id,
      outcome: 'failure',
      details: { passkeyId: passkey.id },
    });
  });

  it('answers bad requests with problem details: another form, an unknown interaction, no JSON', async () => {
    const page = await p.openSignIn();
    const forged = await p.requestOptions(page, { csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-type']).toMatch(/^application\/problem\+json/);
    const unknown = await p.requestOptions({ ...page, uid: 'no-such-interaction' });
    expect(unknown.statusCode).toBe(400);
    const { response } = await p.submit(page, 'not json');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_credential' });
  });
});
