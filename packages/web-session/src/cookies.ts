import { deriveKey, seal, unseal } from './crypto.ts';
import { endedSessions, sessionSidOf } from './ended-sessions.ts';

// The session as a console's cookie holds it (sealed). Tokens never leave the server in the clear: the
// browser keeps ciphertext it cannot read, in an httpOnly cookie its JavaScript cannot see.

/** Absolute session lifetime: sign in again after this, however active (the refresh chain may live longer). */
export const SESSION_TTL_SECONDS = 12 * 3600;
const SIGN_IN_TTL_SECONDS = 600;

export interface SessionUser {
  sub: string;
  username: string;
  name: string;
  email: string;
}

/** What every console's session holds; a console adds its own fields (other resources' tokens). */
export interface BaseSession {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /**
   * oauth-service's sign-in session for this client (the ID token's `sid`), stored at sign-in: a back-channel
   * logout naming it ends this session (ended-sessions.ts).
   */
  sid?: string;
  /** Access token expiry, epoch seconds. */
  expiresAt: number;
  /** When the user signed in, epoch seconds; the cookie never outlives SESSION_TTL_SECONDS from here. */
  signedInAt: number;
  user: SessionUser;
}

/** The sign-in transaction's fields every console needs (PKCE, state, nonce, where to go afterwards). */
export interface BaseSignIn {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

/** httpOnly, SameSite=Lax, Secure over https, scoped to the console's path. */
export function cookieOptions(config: { portalUrl: string }, maxAge: number) {
  const url = new URL(config.portalUrl);
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: url.protocol === 'https:',
    path: url.pathname || '/',
    maxAge,
  };
}

/**
 * Sealing and opening of one console's two cookies, keyed by its session secret (read lazily: the
 * configuration is loaded at the first request, not at import) and its app name.
 */
export function createSessionCookies<S extends BaseSession, T extends BaseSignIn>(options: {
  app: string;
  secret: () => string;
}) {
  const keys = () => {
    const secret = options.secret();
    return {
      session: deriveKey(secret, 'session', options.app),
      signIn: deriveKey(secret, 'sign-in', options.app),
    };
  };
  return {
    async sealSession(session: S): Promise<{ value: string; maxAge: number }> {
      const maxAge = Math.max(1, session.signedInAt + SESSION_TTL_SECONDS - Math.floor(Date.now() / 1000));
      return { value: await seal({ ...session } as Record<string, unknown>, keys().session, maxAge), maxAge };
    },
    /** The session, or null: absent, tampered with, expired, or ended at oauth-service (back-channel logout). */
    async openSession(value: string | undefined): Promise<S | null> {
      const session = await unseal<S>(value, keys().session);
      if (!session) return null;
      const identity = { sid: sessionSidOf(session), sub: session.user.sub, signedInAt: session.signedInAt };
      return endedSessions().isEnded(identity) ? null : session;
    },
    async sealSignIn(transaction: T) {
      return {
        value: await seal({ ...transaction } as Record<string, unknown>, keys().signIn, SIGN_IN_TTL_SECONDS),
        maxAge: SIGN_IN_TTL_SECONDS,
      };
    },
    openSignIn: (value: string | undefined) => unseal<T>(value, keys().signIn),
  };
}

/** Only paths inside the console are followed after sign-in (no open redirect). */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  return value;
}

/** The ID token's `sid` (present when the client registered back-channel logout with sessions), to store. */
export const sidFrom = (claims: Record<string, unknown>): { sid?: string } =>
  typeof claims.sid === 'string' && claims.sid ? { sid: claims.sid } : {};

/** The user as the ID token's claims name them. */
export function sessionUserFrom(claims: Record<string, unknown> & { sub: string }): SessionUser {
  return {
    sub: claims.sub,
    username: String(claims.preferred_username ?? claims.sub),
    name: String(claims.name ?? claims.preferred_username ?? ''),
    email: String(claims.email ?? ''),
  };
}

/** A Cookie request header with `name` set to `value` (null: removed), the other cookies kept. */
export function withCookie(header: string | null, name: string, value: string | null): string {
  const others = (header ?? '').split(/;\s*/).filter((pair) => pair && !pair.startsWith(`${name}=`));
  if (value !== null) others.push(`${name}=${value}`);
  return others.join('; ');
}
