import { type PortalConfig, portalConfig } from '../config.ts';
import { deriveKey, seal, unseal } from './crypto.ts';

// The session as the cookie holds it (sealed). Tokens never leave the server in the clear: the browser keeps
// ciphertext it cannot read, in an httpOnly cookie its JavaScript cannot see.

export const SESSION_COOKIE = 'portal_session';
export const SIGN_IN_COOKIE = 'portal_sign_in';
/** Absolute session lifetime: sign in again after this, however active (the refresh chain may live longer). */
export const SESSION_TTL_SECONDS = 12 * 3600;
const SIGN_IN_TTL_SECONDS = 600;

export interface SessionUser {
  sub: string;
  username: string;
  name: string;
  email: string;
}

export interface StoredSession {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Access token expiry, epoch seconds. */
  expiresAt: number;
  /** When the user signed in, epoch seconds; the cookie never outlives SESSION_TTL_SECONDS from here. */
  signedInAt: number;
  user: SessionUser;
  /**
   * Whether the sign-in grant names the kline resource (the portal asked for it): only then is a kline token
   * requested with the refresh token (asking for a resource the grant lacks would burn the rotated refresh
   * token, see lib/session/kline.ts).
   */
  markets?: boolean;
  /** The access token for kline-service (audience PUBLIC_URL/kline, kline:read only) and its expiry. */
  kline?: { accessToken: string; expiresAt: number };
  /** Tokens for the other platform APIs by resource key (null: none granted); resource-tokens.ts. */
  resources?: Record<string, ResourceToken | null>;
}

export interface ResourceToken {
  accessToken: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface SignInTransaction {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  /** The kline resource was requested too (false on the retry after the provider refused it). */
  markets: boolean;
}

export function cookieOptions(config: Pick<PortalConfig, 'portalUrl'>, maxAge: number) {
  const url = new URL(config.portalUrl);
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: url.protocol === 'https:',
    path: url.pathname || '/',
    maxAge,
  };
}

const keys = () => {
  const secret = portalConfig().sessionSecret;
  return { session: deriveKey(secret, 'session'), signIn: deriveKey(secret, 'sign-in') };
};

export async function sealSession(session: StoredSession): Promise<{ value: string; maxAge: number }> {
  const maxAge = Math.max(1, session.signedInAt + SESSION_TTL_SECONDS - Math.floor(Date.now() / 1000));
  return { value: await seal({ ...session }, keys().session, maxAge), maxAge };
}

export const openSession = (value: string | undefined) => unseal<StoredSession>(value, keys().session);

export async function sealSignIn(transaction: SignInTransaction) {
  return {
    value: await seal({ ...transaction }, keys().signIn, SIGN_IN_TTL_SECONDS),
    maxAge: SIGN_IN_TTL_SECONDS,
  };
}

export const openSignIn = (value: string | undefined) => unseal<SignInTransaction>(value, keys().signIn);

/** Only paths inside the console are followed after sign-in (no open redirect). */
export function safeReturnTo(value: string | null | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  return value;
}
