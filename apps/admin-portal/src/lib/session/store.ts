import {
  type BaseSession,
  type BaseSignIn,
  createSessionCookies,
  SESSION_TTL_SECONDS,
  type SessionUser,
} from '@platform/web-session';
import { portalConfig } from '../config.ts';

// The admin console's session cookie (sealed by @platform/web-session): the generic session plus the other
// resources' tokens the console holds (Markets, Workflows).

export const SESSION_COOKIE = 'portal_session';
export const SIGN_IN_COOKIE = 'portal_sign_in';

export { SESSION_TTL_SECONDS, type SessionUser };

export interface StoredSession extends BaseSession {
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

export interface SignInTransaction extends BaseSignIn {
  /** The kline resource was requested too (false on the retry after the provider refused it). */
  markets: boolean;
}

export const { sealSession, openSession, sealSignIn, openSignIn } = createSessionCookies<
  StoredSession,
  SignInTransaction
>({ app: 'admin-portal', secret: () => portalConfig().sessionSecret });
