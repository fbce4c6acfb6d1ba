import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { OAuthSchema } from '../db/schema.ts';
import type { SigningKeysTable } from './tables.ts';

// Signing keys and cookie keys live in the database, sealed with ENCRYPTION_KEY, so every instance behind
// the gateway signs and verifies with the same keys. A key is published in the JWKS from the moment it is
// created; it signs once `activates_at` has passed and no newer key has activated; it stays published
// until `expires_at`, when every token it signed has expired.

export type SigningAlg = 'ES256' | 'EdDSA';

export interface KeySet {
  /** Private JWKs for oidc-provider: the signing key first; the others carry key_ops ['verify']. */
  keys: JWK[];
  /** Changes whenever the set or the signing key changes; instances compare it to know when to reload. */
  fingerprint: string;
  /** When the set will next change by itself (a pending key activating, an old one expiring). */
  nextChangeAt: number | null;
  signingKid: string;
}

export interface KeyStoreOptions {
  db: Kysely<OAuthSchema>;
  box: SecretBox;
  alg?: SigningAlg;
  /** Longest lifetime of anything signed (access and ID tokens): how long a retired key stays published. */
  maxTokenTtlSec: number;
  now?: () => number;
}

const sealPurpose = (kid: string) => `signing_key:${kid}`;
const PUBLICATION_MARGIN_MS = 60_000;

type Db = Kysely<OAuthSchema>;
type SigningKeyRow = Selectable<SigningKeysTable>;

async function insertSigningKey(
  executor: Db,
  { box, alg }: { box: SecretBox; alg: SigningAlg },
  activatesAt: number,
): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomBytes(12).toString('base64url');
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  await executor
    .insertInto('signing_keys')
    .values({
      kid,
      alg,
      private_jwk: box.seal(JSON.stringify(privateJwk), sealPurpose(kid)),
      public_jwk: JSON.stringify(publicJwk),
      activates_at: activatesAt,
      retired_at: null,
      expires_at: null,
    })
    .execute();
  return kid;
}

async function insertCookieKey(db: Db, box: SecretBox): Promise<void> {
  await db
    .insertInto('cookie_keys')
    .values({
      id: randomBytes(8).toString('hex'),
      key: box.seal(randomBytes(32).toString('base64url'), 'cookie_key'),
    })
    .execute();
}

/** The key set at `at` from every signing key row, newest activation first. */
function keySetAt(rows: SigningKeyRow[], at: number, box: SecretBox): KeySet {
  const live = rows.filter((row) => row.expires_at === null || row.expires_at > at);
  // The newest key whose activation time has passed signs; pending keys are published early so resource
  // servers already know them when they start signing.
  const signing = live.find((row) => row.activates_at <= at) ?? live.at(-1);
  if (!signing) throw new Error('no signing key: run the service once to create one');
  const ordered = [signing, ...live.filter((row) => row !== signing)];
  const keys = ordered.map((row) => {
    const jwk = JSON.parse(box.open(row.private_jwk, sealPurpose(row.kid))) as JWK;
    return row === signing ? jwk : { ...jwk, key_ops: ['verify'] };
  });
  const upcoming = [
    ...live.filter((row) => row.activates_at > at).map((row) => row.activates_at),
    ...live.map((row) => row.expires_at).filter((t): t is number => t !== null && t > at),
  ];
  return {
    keys,
    signingKid: signing.kid,
    fingerprint: createHash('sha256')
      .update(ordered.map((row) => row.kid).join(','))
      .digest('base64url'),
    nextChangeAt: upcoming.length ? Math.min(...upcoming) : null,
  };
}

export function createKeyStore(options: KeyStoreOptions) {
  const { db, box } = options;
  const signer = { box, alg: options.alg ?? 'ES256' };
  const now = options.now ?? Date.now;

  return {
    /** First start: creates a signing key and a cookie key when there are none. */
    async ensureKeys(): Promise<void> {
      const signing = await db.selectFrom('signing_keys').select('kid').limit(1).executeTakeFirst();
      if (!signing) await insertSigningKey(db, signer, now());
      const cookie = await db.selectFrom('cookie_keys').select('id').limit(1).executeTakeFirst();
      if (!cookie) await insertCookieKey(db, box);
    },

    /** The keys oidc-provider should hold now. */
    async currentKeySet(): Promise<KeySet> {
      const at = now();
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .orderBy('activates_at', 'desc')
        .orderBy('kid', 'desc')
        .execute();
      return keySetAt(rows, at, box);
    },

    /** The public keys, as served at /oauth/jwks. */
    async publicJwks(): Promise<{ keys: JWK[] }> {
      const at = now();
      const rows = await db.selectFrom('signing_keys').select(['public_jwk', 'expires_at']).execute();
      return {
        keys: rows
          .filter((r) => r.expires_at === null || r.expires_at > at)
          .map((r) => JSON.parse(r.public_jwk)),
      };
    },

    /**
     * Rotation: a new key is published now and starts signing after `activationDelayMs` (so resource
     * servers that cache the JWKS learn it first); the keys it replaces stop signing then and stay published
     * until the tokens they signed have expired.
     */
    async rotate(activationDelayMs = 0): Promise<{ kid: string; activatesAt: number }> {
      const activatesAt = now() + activationDelayMs;
      const expiresAt = activatesAt + options.maxTokenTtlSec * 1000 + PUBLICATION_MARGIN_MS;
      return db.transaction().execute(async (trx) => {
        await trx
          .updateTable('signing_keys')
          .set({ retired_at: activatesAt, expires_at: expiresAt })
          .where('retired_at', 'is', null)
          .execute();
        return { kid: await insertSigningKey(trx, signer, activatesAt), activatesAt };
      });
    },

    async cookieKeys(): Promise<string[]> {
      const rows = await db.selectFrom('cookie_keys').selectAll().orderBy('created_at', 'desc').execute();
      return rows.map((row) => box.open(row.key, 'cookie_key'));
    },
  };
}

export type KeyStore = ReturnType<typeof createKeyStore>;

/** The longest lifetime of anything signed (access and ID tokens): how long a retired key stays published. */
export const maxSignedTtlSec = (config: { ACCESS_TOKEN_TTL: number; ID_TOKEN_TTL: number }) =>
  Math.max(config.ACCESS_TOKEN_TTL, config.ID_TOKEN_TTL);
