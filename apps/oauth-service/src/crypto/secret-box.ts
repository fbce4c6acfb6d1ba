import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';

// Everything oauth-service keeps secret at rest (signing keys, cookie keys, client secrets) goes through
// this box: AES-256-GCM with a key derived from ENCRYPTION_KEY by HKDF-SHA256, a fresh 96-bit nonce per
// value, and a purpose string as associated data so a value cannot be moved to another column.

const VERSION = 'v1';

export interface SecretBox {
  seal(plaintext: string, purpose: string): string;
  open(sealed: string, purpose: string): string;
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

export function createSecretBox(encryptionKey: string): SecretBox {
  if (encryptionKey.length < 32) throw new SecretBoxError('ENCRYPTION_KEY must be at least 32 characters');
  // A KeyObject, made once: passing raw bytes would re-import the key on every seal and open.
  const key = createSecretKey(
    Buffer.from(hkdfSync('sha256', encryptionKey, 'oauth-platform', 'secret-box/v1', 32)),
  );
  return {
    seal(plaintext, purpose) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(purpose));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        VERSION,
        nonce.toString('base64url'),
        body.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    open(sealed, purpose) {
      const [version, nonce, body, tag] = sealed.split('.');
      if (version !== VERSION || !nonce || body === undefined || !tag)
        throw new SecretBoxError('not a sealed value');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
        decipher.setAAD(Buffer.from(purpose));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        // Wrong ENCRYPTION_KEY, wrong purpose or a tampered value: never say which.
        throw new SecretBoxError('sealed value cannot be opened with this ENCRYPTION_KEY');
      }
    },
  };
}
