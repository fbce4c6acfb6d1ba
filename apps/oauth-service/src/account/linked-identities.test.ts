import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PUBLIC_URL } from '../admin/test-support.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { OIDC_CLAIM_MAPPING } from '../federation/providers.repository.ts';
import { createFederationRepositories, type FederationRepositories } from '../federation/repositories.ts';
import { createPasskeysRepository } from '../passkeys/passkeys.repository.ts';
import { type AccountHarness, startAccountHarness } from './test-support.ts';

// The caller's linked sign-ins: listed with the providers they could still link, unlinked and audited, and
// the last way into an account (no password, no passkey, no other link) never unlinked.

const provider = (id: string, displayName: string, enabled = true) => ({
  id,
  displayName,
  kind: 'oidc' as const,
  issuer: `https://${id}.example.com`,
  authorizationEndpoint: null,
  tokenEndpoint: null,
  userinfoEndpoint: null,
  clientId: `${id}-client`,
  scopes: ['openid'],
  claimMapping: OIDC_CLAIM_MAPPING,
  groupRoles: {},
  jitEnabled: false,
  defaultRoles: [],
  allowedEmailDomains: [],
  linkByVerifiedEmail: false,
  mfaSatisfiedBy: { amr: [], acr: [] },
  enabled,
});

describeEachDialect('account API: linked identities', (temp) => {
  let h: AccountHarness;
  let federation: FederationRepositories;

  beforeAll(async () => {
    h = await startAccountHarness(temp().url);
    federation = createFederationRepositories(h.db, createSecretBox(h.config.ENCRYPTION_KEY));
    await federation.providers.create(provider('entra', 'Microsoft'));
    await federation.providers.create(provider('gitlab', 'GitLab'));
    await federation.providers.create(provider('old', 'Retired', false));
  });
  afterAll(() => h?.close());

  /** Takes the user's password away, as for an account created at an upstream sign-in. */
  const withoutPassword = (userId: string) =>
    h.db.updateTable('users').set({ invitation_pending: 1 }).where('id', '=', userId).execute();

  it('lists the caller’s links and the enabled providers not linked yet', async () => {
    const { user, auth } = await h.signedInUser('linked-lister');
    await federation.identities.link({
      providerId: 'entra',
      subject: 'e-1',
      userId: user.id,
      email: 'l@example.com',
    });
    await federation.identities.touch('entra', 'e-1');
    const response = await h.call('GET', '/linked-identities', auth);
    expect(response.statusCode, response.payload).toBe(200);
    expect(response.json()).toEqual({
      linked: [
        {
          providerId: 'entra',
          displayName: 'Microsoft',
          email: 'l@example.com',
          linkedAt: expect.any(String),
          lastSignInAt: expect.any(String),
        },
      ],
      linkable: [
        { providerId: 'gitlab', displayName: 'GitLab', linkUrl: `${PUBLIC_URL}/login/upstream/gitlab/link` },
      ],
    });
  });

  it('unlinks, audited; an unknown link is a 404', async () => {
    const { user, auth } = await h.signedInUser('linked-unlinker');
    await federation.identities.link({ providerId: 'entra', subject: 'e-2', userId: user.id });
    expect((await h.call('DELETE', '/linked-identities/entra', auth)).statusCode).toBe(204);
    expect(await federation.identities.find('entra', 'e-2')).toBeUndefined();
    await expect
      .poll(async () => (await h.auditOf('upstream.unlinked'))[0])
      .toMatchObject({ actorId: user.id, outcome: 'success', details: { provider: 'entra' } });
    const again = await h.call('DELETE', '/linked-identities/entra', auth);
    expect(again.statusCode).toBe(404);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('refuses with 409 to unlink the only way in, and allows it beside a passkey or another link', async () => {
    const { user, auth } = await h.signedInUser('linked-only-way');
    await federation.identities.link({ providerId: 'entra', subject: 'e-3', userId: user.id });
    await federation.identities.link({ providerId: 'old', subject: 'o-3', userId: user.id });
    await withoutPassword(user.id);

    const refused = await h.call('DELETE', '/linked-identities/entra', auth);
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'last_sign_in_method' });
    expect(await federation.identities.find('entra', 'e-3')).toBeDefined();
    await expect
      .poll(async () => (await h.auditOf('upstream.unlinked'))[0])
      .toMatchObject({ actorId: user.id, outcome: 'failure', details: { reason: 'last_sign_in_method' } });

    // A link at a disabled provider signs nobody in, so the disabled one may go, but not the other.
    expect((await h.call('DELETE', '/linked-identities/old', auth)).statusCode).toBe(204);
    await federation.identities.link({ providerId: 'gitlab', subject: 'g-3', userId: user.id });
    expect((await h.call('DELETE', '/linked-identities/entra', auth)).statusCode).toBe(204);
    expect((await h.call('DELETE', '/linked-identities/gitlab', auth)).statusCode).toBe(409);

    await createPasskeysRepository(h.db).create({
      userId: user.id,
      credentialId: 'credential-linked-only-way',
      publicKey: 'public-key',
      signCount: 0,
      transports: [],
      backupEligible: false,
      backupState: false,
      deviceType: 'singleDevice',
      aaguid: '00000000-0000-0000-0000-000000000000',
      name: 'key',
    });
    expect((await h.call('DELETE', '/linked-identities/gitlab', auth)).statusCode).toBe(204);
  });

  it('needs the account token', async () => {
    expect((await h.call('GET', '/linked-identities', {})).statusCode).toBe(401);
  });
});
