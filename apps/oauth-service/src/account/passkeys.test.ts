import { describeEachDialect } from '@platform/db/testing';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PUBLIC_URL } from '../admin/test-support.ts';
import { SoftwareAuthenticator } from '../passkeys/test-support.ts';
import { type AccountHarness, startAccountHarness } from './test-support.ts';

const RP = { id: new URL(PUBLIC_URL).hostname, origin: new URL(PUBLIC_URL).origin };

describeEachDialect('account API: passkeys', (temp) => {
  let h: AccountHarness;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url);
  });
  afterAll(() => h?.close());

  const optionsFor = async (auth: Record<string, string>) => {
    const response = await h.call('POST', '/passkeys/registration/options', auth);
    expect(response.statusCode).toBe(200);
    return response.json() as PublicKeyCredentialCreationOptionsJSON;
  };

  /** Registers a passkey of `authenticator` for the caller of `auth`; returns the API's answer. */
  const register = async (
    auth: Record<string, string>,
    authenticator: SoftwareAuthenticator,
    name = 'Laptop',
  ) => {
    const options = await optionsFor(auth);
    return h.call('POST', '/passkeys', auth, { name, response: authenticator.register(options) });
  };

  it('registers a passkey on PUBLIC_URL’s relying party, lists it and audits it', async () => {
    const { auth, user } = await h.signedInUser('passkey-owner');
    const options = await optionsFor(auth);
    expect(options.rp).toEqual({ id: RP.id, name: expect.any(String) });
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required' });
    const response = await h.call('POST', '/passkeys', auth, {
      name: '  Work laptop ',
      response: new SoftwareAuthenticator(RP, true).register(options),
    });
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(created).toEqual({
      id: expect.any(String),
      name: 'Work laptop',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastUsedAt: null,
      deviceType: 'multiDevice',
      backedUp: true,
      transports: ['internal'],
    });
    expect((await h.call('GET', '/passkeys', auth)).json()).toEqual([created]);
    const [event] = await h.auditOf('passkey.register');
    expect(event).toMatchObject({
      actorId: user.id,
      targetId: user.id,
      outcome: 'success',
      clientId: 'account-console',
    });
    expect(JSON.stringify(event)).not.toContain('publicKey');
  });

  it('refuses an answer for another origin, a replayed answer and an already registered passkey', async () => {
    const { auth } = await h.signedInUser('passkey-refusals');
    const wrongOrigin = new SoftwareAuthenticator({ ...RP, origin: 'https://evil.example' });
    const refused = await register(auth, wrongOrigin);
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().code).toBe('registration_invalid');

    const authenticator = new SoftwareAuthenticator(RP);
    const options = await optionsFor(auth);
    const answer = authenticator.register(options);
    expect((await h.call('POST', '/passkeys', auth, { name: 'Key', response: answer })).statusCode).toBe(201);
    const replay = await h.call('POST', '/passkeys', auth, { name: 'Key', response: answer });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().code).toBe('registration_expired');

    // The same credential answered to fresh options ("none" attestation signs nothing): already held.
    const { challenge } = await optionsFor(auth);
    const clientData = { type: 'webauthn.create', challenge, origin: RP.origin, crossOrigin: false };
    const clientDataJSON = Buffer.from(JSON.stringify(clientData)).toString('base64url');
    const twice = await h.call('POST', '/passkeys', auth, {
      name: 'Key',
      response: { ...answer, response: { ...answer.response, clientDataJSON } },
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('conflict');
    expect((await h.auditOf('passkey.register')).some((e) => e.outcome === 'failure')).toBe(true);
  });

  it('refuses a blank name and a body without the authenticator’s answer (400 problem+json)', async () => {
    const { auth } = await h.signedInUser('passkey-bad-input');
    const blank = await register(auth, new SoftwareAuthenticator(RP), '   ');
    expect(blank.statusCode).toBe(400);
    expect(blank.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: '/name' }] });
    const bell = await register(auth, new SoftwareAuthenticator(RP), 'Key\u0007');
    expect(bell.statusCode).toBe(400);
    expect(bell.json().code).toBe('validation_failed');
    const missing = await h.call('POST', '/passkeys', auth, { name: 'Key' });
    expect(missing.statusCode).toBe(400);
    expect((await h.call('GET', '/passkeys', auth)).json()).toEqual([]);
  });

  it('renames and removes the caller’s passkey, audited; another user’s passkey id is a 404', async () => {
    const owner = await h.signedInUser('passkey-renamer');
    const other = await h.signedInUser('passkey-stranger');
    const { id } = (await register(owner.auth, new SoftwareAuthenticator(RP))).json();

    expect((await h.call('PATCH', `/passkeys/${id}`, other.auth, { name: 'Mine' })).statusCode).toBe(404);
    expect((await h.call('DELETE', `/passkeys/${id}`, other.auth)).statusCode).toBe(404);

    const renamed = await h.call('PATCH', `/passkeys/${id}`, owner.auth, { name: 'Phone' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id, name: 'Phone' });
    expect((await h.auditOf('passkey.rename'))[0]).toMatchObject({
      actorId: owner.user.id,
      details: { passkeyId: id, from: 'Laptop', to: 'Phone' },
    });
    expect((await h.call('PATCH', `/passkeys/${id}`, owner.auth, { name: ' ' })).statusCode).toBe(400);
    // 64 characters, as the schema's maxLength counts them (code points), though 128 UTF-16 units.
    const keys = '\u{1F511}'.repeat(64);
    const astral = await h.call('PATCH', `/passkeys/${id}`, owner.auth, { name: keys });
    expect(astral.statusCode, astral.payload).toBe(200);
    expect(astral.json()).toMatchObject({ name: keys });
    expect((await h.call('PATCH', `/passkeys/${id}`, owner.auth, { name: `${keys}x` })).statusCode).toBe(400);
    await h.call('PATCH', `/passkeys/${id}`, owner.auth, { name: 'Phone' });

    const removed = await h.call('DELETE', `/passkeys/${id}`, owner.auth);
    expect(removed.statusCode).toBe(204);
    expect((await h.call('GET', '/passkeys', owner.auth)).json()).toEqual([]);
    expect((await h.auditOf('passkey.remove'))[0]).toMatchObject({
      actorId: owner.user.id,
      targetId: owner.user.id,
      details: { passkeyId: id, name: 'Phone' },
    });
    expect((await h.call('DELETE', `/passkeys/${id}`, owner.auth)).statusCode).toBe(404);
  });

  it('the registration options path answers POST only: no other passkey route claims it', async () => {
    const { auth } = await h.signedInUser('passkey-methods');
    const response = await h.app.inject({
      method: 'OPTIONS',
      url: '/api/account/passkeys/registration/options',
      headers: auth,
    });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST');
  });

  it('needs the account token (401 problem+json without one)', async () => {
    const response = await h.call('GET', '/passkeys', {});
    expect(response.statusCode).toBe(401);
  });
});
