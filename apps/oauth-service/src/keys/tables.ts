import type { Generated } from 'kysely';

// Booleans are stored as integer 0/1 on both dialects so rows read back identically.

export interface SigningKeysTable {
  kid: string;
  alg: string;
  /** Private JWK, sealed with ENCRYPTION_KEY (purpose `signing_key:<kid>`). */
  private_jwk: string;
  /** Public JWK as JSON text. */
  public_jwk: string;
  created_at: Generated<number>;
  /** From then on it signs (until a newer key activates). Published in the JWKS from creation. */
  activates_at: number;
  /** Set when a newer key activates: no longer signs, stays published until `expires_at`. */
  retired_at: number | null;
  /** After this it leaves the JWKS: every token it signed has expired. */
  expires_at: number | null;
}

export interface CookieKeysTable {
  id: string;
  /** Sealed with ENCRYPTION_KEY (purpose `cookie_key`). */
  key: string;
  created_at: Generated<number>;
}

export interface KeyTables {
  signing_keys: SigningKeysTable;
  cookie_keys: CookieKeysTable;
}
