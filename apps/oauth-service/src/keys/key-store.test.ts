import { createDatabase, type Database, migrateToLatest } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { compactVerify, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSecretBox } from '../crypto/secret-box.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { createKeyStore } from './key-store.ts';
import { keysMigration } from './migration.ts';

describeEachDialect('key store', (temp) => {
  let database: Database<OAuthSchema>;
  let clock = 1_000_000;
  const box = createSecretBox('e'.repeat(32));
  const store = () => createKeyStore({ db: database.db, box, maxTokenTtlSec: 3600, now: () => clock });

  beforeAll(async () => {
    database = createDatabase<OAuthSchema>(temp().url);
    await migrateToLatest(database, { '0004_keys': keysMigration });
  });
  afterAll(() => database.close());

  it('creates one signing key and one cookie key on first start, and no more on the next', async () => {
    await store().ensureKeys();
    await store().ensureKeys();
    const set = await store().currentKeySet();
    expect(set.keys).toHaveLength(1);
    expect(set.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: set.signingKid });
    expect(set.keys[0]!.d).toBeTruthy();
    expect(await store().cookieKeys()).toHaveLength(1);
  });

  it('keeps private keys sealed at rest', async () => {
    const row = await database.db.selectFrom('signing_keys').selectAll().executeTakeFirstOrThrow();
    expect(row.private_jwk).not.toContain('"d"');
    expect(JSON.parse(row.public_jwk).d).toBeUndefined();
    await expect(
      createKeyStore({
        db: database.db,
        box: createSecretBox('x'.repeat(32)),
        maxTokenTtlSec: 1,
      }).currentKeySet(),
    ).rejects.toThrow(/cannot be opened/);
  });

  it('signs with a key whose public half is in the JWKS', async () => {
    const set = await store().currentKeySet();
    const jws = await new SignJWT({ a: 1 })
      .setProtectedHeader({ alg: 'ES256', kid: set.signingKid })
      .sign(await importJWK(set.keys[0]!, 'ES256'));
    const published = (await store().publicJwks()).keys.find((k) => k.kid === set.signingKid)!;
    await expect(compactVerify(jws, await importJWK(published, 'ES256'))).resolves.toBeTruthy();
  });

  it('rotates: the new key is published at once, signs after the delay, the old stays until its tokens expire', async () => {
    const before = await store().currentKeySet();
    const { kid, activatesAt } = await store().rotate(60_000);
    const pending = await store().currentKeySet();
    expect(pending.signingKid).toBe(before.signingKid);
    expect(pending.keys.map((k) => k.kid)).toEqual([before.signingKid, kid]);
    expect(pending.keys[1]!.key_ops).toEqual(['verify']);
    expect(pending.nextChangeAt).toBe(activatesAt);
    expect(pending.fingerprint).not.toBe(before.fingerprint);

    clock = activatesAt;
    const active = await store().currentKeySet();
    expect(active.signingKid).toBe(kid);
    expect(active.keys.map((k) => k.kid)).toEqual([kid, before.signingKid]);
    expect(active.keys[1]!.key_ops).toEqual(['verify']);
    expect((await store().publicJwks()).keys).toHaveLength(2);

    clock = activatesAt + 3600_000 + 60_001;
    const later = await store().currentKeySet();
    expect(later.keys.map((k) => k.kid)).toEqual([kid]);
    expect((await store().publicJwks()).keys.map((k) => k.kid)).toEqual([kid]);
  });
});
