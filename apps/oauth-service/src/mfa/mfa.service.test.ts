import { createDatabase, type Database, migrateToLatest } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { currentStep, totpAtStep } from '@platform/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUsersRepository } from '../accounts/users.repository.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { migrations } from '../db/migrations/index.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { RECOVERY_CODE_COUNT } from './recovery-codes.ts';
import { createMfaModule, type MfaModule } from './wiring.ts';

// The factor service over a real database: secrets sealed, recovery codes hashed, every code used once.

const ENCRYPTION_KEY = 'mfa-service-test-encryption-key-0123456789';
const PASSWORD = 'violet-harbor-lantern-9';

describeEachDialect('second factors (TOTP, recovery codes)', (temp) => {
  let database: Database<OAuthSchema>;
  let mfa: MfaModule;
  let users: ReturnType<typeof createUsersRepository>;

  beforeAll(async () => {
    database = createDatabase<OAuthSchema>(temp().url);
    await migrateToLatest(database, migrations);
    users = createUsersRepository(database.db);
    mfa = createMfaModule(
      database.db,
      { ENCRYPTION_KEY, PUBLIC_URL: 'http://localhost:8080' },
      createSecretBox(ENCRYPTION_KEY),
    );
  });
  afterAll(() => database.close());

  const newUser = (username: string) =>
    users.create({ username, email: `${username}@example.test`, password: PASSWORD });

  /** A user with a confirmed TOTP (confirmed with the previous step's code); returns the secret. */
  async function enrolled(username: string) {
    const user = await newUser(username);
    const enrolment = await mfa.service.beginTotpEnrolment(user);
    const codes = await mfa.service.confirmTotpEnrolment(
      user.id,
      totpAtStep(enrolment!.secret, currentStep() - 1),
    );
    return { user, secret: enrolment!.secret, codes: codes! };
  }

  it('keeps the TOTP secret sealed at rest and shows an unconfirmed secret until it is confirmed', async () => {
    const user = await newUser('sealed');
    const first = await mfa.service.beginTotpEnrolment(user);
    expect(first?.secret).toMatch(/^[A-Z2-7]{32}$/);
    const row = await database.db
      .selectFrom('mfa_totp')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    expect(row?.secret).not.toContain(first!.secret);
    expect(row?.secret).toMatch(/^v1\./);
    expect((await mfa.service.beginTotpEnrolment(user))?.secret).toBe(first!.secret);
    // Unconfirmed: not a factor yet.
    expect(await mfa.policy.hasSecondFactor(user.id)).toBe(false);
    expect(await mfa.service.confirmTotpEnrolment(user.id, '000000')).toBeUndefined();
  });

  it('confirms with a first code, returns ten recovery codes stored only as hashes, refuses a second enrolment', async () => {
    const { user, codes } = await enrolled('confirmed');
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    const stored = await database.db
      .selectFrom('mfa_recovery_codes')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(stored).toHaveLength(RECOVERY_CODE_COUNT);
    const text = JSON.stringify(stored);
    for (const code of codes) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(code.replaceAll('-', ''));
    }
    expect(await mfa.policy.hasSecondFactor(user.id)).toBe(true);
    expect(await mfa.service.beginTotpEnrolment(user)).toBeUndefined();
  });

  it('accepts a TOTP code once: the same step, or an earlier one, is refused afterwards', async () => {
    const { user, secret } = await enrolled('no-reuse');
    const step = currentStep();
    // The enrolment used step - 1: that code is gone.
    expect(await mfa.service.verifyCode(user.id, totpAtStep(secret, step - 1))).toEqual({
      ok: false,
      factor: 'totp',
    });
    expect(await mfa.service.verifyCode(user.id, totpAtStep(secret, step))).toEqual({
      ok: true,
      factor: 'totp',
    });
    expect((await mfa.service.verifyCode(user.id, totpAtStep(secret, step))).ok).toBe(false);
    expect((await mfa.service.verifyCode(user.id, totpAtStep(secret, step + 1))).ok).toBe(true);
    expect((await mfa.service.verifyCode(user.id, totpAtStep(secret, step))).ok).toBe(false);
    expect((await mfa.service.verifyCode(user.id, 'garbage')).ok).toBe(false);
  });

  it('accepts each recovery code once, in any case and spacing; regenerating voids the old ones', async () => {
    const { user, codes } = await enrolled('recovery');
    const [first, second] = codes as [string, string];
    expect(await mfa.service.verifyCode(user.id, first)).toEqual({ ok: true, factor: 'recovery_code' });
    expect(await mfa.service.verifyCode(user.id, first)).toEqual({ ok: false, factor: 'recovery_code' });
    expect((await mfa.service.verifyCode(user.id, ` ${second.toUpperCase().replaceAll('-', ' ')} `)).ok).toBe(
      true,
    );
    expect((await mfa.service.listFactors(user.id)).recoveryCodes.left).toBe(RECOVERY_CODE_COUNT - 2);
    // Another user's code is not this user's.
    const other = await enrolled('recovery-other');
    expect((await mfa.service.verifyCode(user.id, other.codes[0]!)).ok).toBe(false);

    const fresh = await mfa.service.regenerateRecoveryCodes(user.id);
    expect((await mfa.service.verifyCode(user.id, codes[2]!)).ok).toBe(false);
    expect((await mfa.service.verifyCode(user.id, fresh[0]!)).ok).toBe(true);
  });

  it('lists factors without secrets, and a reset removes them all', async () => {
    const { user, secret } = await enrolled('listed');
    const factors = await mfa.service.listFactors(user.id);
    expect(factors).toEqual({
      totp: {
        confirmed: true,
        createdAt: expect.any(Number),
        confirmedAt: expect.any(Number),
        lastUsedAt: expect.any(Number),
      },
      recoveryCodes: { left: RECOVERY_CODE_COUNT, createdAt: expect.any(Number) },
    });
    expect(JSON.stringify(factors)).not.toContain(secret);
    await mfa.service.resetFactors(user.id);
    expect(await mfa.service.listFactors(user.id)).toEqual({
      totp: null,
      recoveryCodes: { left: 0, createdAt: null },
    });
    expect(await mfa.policy.hasSecondFactor(user.id)).toBe(false);
  });

  it('requires MFA by role, by client, by acr_values or by the administrator, and asks enrolment without a factor', async () => {
    const plain = await newUser('policy-plain');
    const ask = (userId: string, clientId = 'admin-portal', requestedAcr?: string) =>
      mfa.policy.mfaRequirement({ userId, clientId, requestedAcr });
    expect(await ask(plain.id)).toBe('none');
    expect(await ask(plain.id, 'admin-portal', 'urn:platform:acr:mfa')).toBe('enrol');
    // A client that also accepts one factor does not force two.
    expect(await ask(plain.id, 'admin-portal', 'urn:platform:acr:mfa urn:platform:acr:pwd')).toBe('none');
    await mfa.repository.setEnrolmentRequired(plain.id, true);
    expect(await ask(plain.id)).toBe('enrol');
    await mfa.repository.setEnrolmentRequired(plain.id, false);

    const { user } = await enrolled('policy-factor');
    expect(await ask(user.id)).toBe('none');
    const role = await database.db
      .insertInto('roles')
      .values({ id: crypto.randomUUID(), name: 'secured', description: '' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await database.db.insertInto('user_roles').values({ user_id: user.id, role_id: role.id }).execute();
    expect(await ask(user.id)).toBe('none');
    expect(await mfa.repository.setRoleMfaRequired('secured', true)).toBe(true);
    expect(await ask(user.id)).toBe('second_factor');
  });

  it('clears the administrator\'s "enrol at next sign-in" once a TOTP is confirmed', async () => {
    const user = await newUser('flagged');
    await mfa.repository.setEnrolmentRequired(user.id, true);
    const enrolment = await mfa.service.beginTotpEnrolment(user);
    await mfa.service.confirmTotpEnrolment(user.id, totpAtStep(enrolment!.secret, currentStep()));
    expect(await mfa.repository.enrolmentRequired(user.id)).toBe(false);
  });
});
