import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

// Double-submit CSRF protection for the sign-in, password and consent forms: a random value in an httpOnly
// cookie, and in the form an HMAC (COOKIE_SECRET) of that value bound to the interaction id. A forged POST
// has neither the cookie value nor the secret, and a token taken from one interaction fails on another.

const COOKIE = 'oauth_csrf';

export interface CsrfOptions {
  /**
   * Mark the cookie Secure: true when PUBLIC_URL is https. Behind the gateway the service sees plain http, so
   * the request's own protocol cannot decide.
   */
  secure?: boolean;
}

export function createCsrf(secret: string, options: CsrfOptions = {}) {
  const sign = (uid: string, nonce: string) =>
    createHmac('sha256', secret).update(`${uid}.${nonce}`).digest('base64url');

  return {
    /** Token for the form of interaction `uid`; sets the cookie when the browser has none yet. */
    issue(request: FastifyRequest, reply: FastifyReply, uid: string): string {
      let nonce = request.cookies[COOKIE];
      if (!nonce || !/^[\w-]{43}$/.test(nonce)) {
        nonce = randomBytes(32).toString('base64url');
        reply.setCookie(COOKIE, nonce, {
          path: '/interaction',
          httpOnly: true,
          sameSite: 'lax',
          secure: options.secure === true || request.protocol === 'https',
        });
      }
      return sign(uid, nonce);
    },

    verify(request: FastifyRequest, uid: string, token: unknown): boolean {
      const nonce = request.cookies[COOKIE];
      if (!nonce || typeof token !== 'string') return false;
      const expected = Buffer.from(sign(uid, nonce));
      const given = Buffer.from(token);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
