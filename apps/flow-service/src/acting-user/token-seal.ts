import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

// Users' access tokens are kept sealed (AES-256-GCM) while their runs are active. The key is derived from
// flow-service's client secret: without that secret flow-service cannot exchange a token anyway, and a
// database copy alone opens nothing. A new secret makes tokens sealed under the old one unreadable; the
// steps of those runs then fail saying so (ADR 0036).

export interface TokenSeal {
  seal(token: string): string;
  /** The token, or null when it was sealed under another key or altered. */
  open(sealed: string): string | null;
}

const VERSION = 'v1';

export function createTokenSeal(clientSecret: string): TokenSeal {
  const key = Buffer.from(hkdfSync('sha256', clientSecret, 'flow-service', 'run acting-user tokens', 32));
  return {
    seal(token) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        return null;
      }
    },
  };
}
