import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';

// Cookies a console seals: the session (tokens stay on the server side of the cookie: the browser holds
// only ciphertext, httpOnly) and the short-lived sign-in transaction (PKCE verifier, state, nonce). JWE with
// `dir` + A256GCM: authenticated encryption, so a tampered or foreign cookie fails to open and counts as
// absent. Each purpose of each app has its own key derived from the app's session secret with HKDF (the app
// name is the salt), so one cookie can never be replayed as the other, nor one console's cookie at another.
//
// The payload is deflated before encryption (JWE `zip: DEF`, RFC 7516 §4.1.3): a console's session holds
// several JWTs (ID token, access tokens per API) whose repeated headers and claims compress well, and a
// browser drops a cookie over 4096 bytes without a word, which would loop the user through sign-in.
// Compressing secrets before encrypting can leak through lengths only when an attacker can place chosen text
// beside them and watch the ciphertext grow (CRIME); nobody but oauth-service writes into a session, and
// the cookie is httpOnly. Opening inflates at most MAX_PAYLOAD_BYTES, after the tag has authenticated it.

/** Far above any session (a few KiB); bounds the inflation of a cookie that opened under our own key. */
const MAX_PAYLOAD_BYTES = 64 * 1024;

export type CookiePurpose = 'session' | 'sign-in';

export function deriveKey(secret: string, purpose: CookiePurpose, app: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, `platform ${app}`, `cookie:${purpose}`, 32));
}

/** Encrypts `payload` for `ttlSeconds`. */
export async function seal(payload: Record<string, unknown>, key: Uint8Array, ttlSeconds: number) {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', zip: 'DEF' })
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
      maxDecompressedLength: MAX_PAYLOAD_BYTES,
    });
    return payload as T;
  } catch {
    return null;
  }
}
