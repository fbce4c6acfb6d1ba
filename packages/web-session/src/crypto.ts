import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';

// Cookies a console seals: the session (tokens stay on the server side of the cookie: the browser holds
// only ciphertext, httpOnly) and the short-lived sign-in transaction (PKCE verifier, state, nonce). JWE with
// `dir` + A256GCM: authenticated encryption, so a tampered or foreign cookie fails to open and counts as
// absent. Each purpose of each app has its own key derived from the app's session secret with HKDF (the app
// name is the salt), so one cookie can never be replayed as the other, nor one console's cookie at another.

export type CookiePurpose = 'session' | 'sign-in';

export function deriveKey(secret: string, purpose: CookiePurpose, app: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, `platform ${app}`, `cookie:${purpose}`, 32));
}

/** Encrypts `payload` for `ttlSeconds`. */
export async function seal(payload: Record<string, unknown>, key: Uint8Array, ttlSeconds: number) {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .encrypt(key);
}

/** The payload of a cookie sealed with `key`, or null when it is absent, tampered with, foreign or expired. */
export async function unseal<T>(value: string | undefined, key: Uint8Array): Promise<T | null> {
  if (!value) return null;
  try {
    const { payload } = await jwtDecrypt(value, key, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return payload as T;
  } catch {
    return null;
  }
}
