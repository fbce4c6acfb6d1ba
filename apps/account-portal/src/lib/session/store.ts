import { type BaseSession, type BaseSignIn, createSessionCookies } from '@platform/web-session';
import { accountConfig } from '../config.ts';

// The account console's session cookie (sealed by @platform/web-session; its own name and key, so the admin
// console's cookie never opens here and the other way round).

export const SESSION_COOKIE = 'account_session';
export const SIGN_IN_COOKIE = 'account_sign_in';

export interface StoredSession extends BaseSession {
  /**
   * The ID token's `sid`, when the provider put one there: oauth-service's sign-in session this console
   * session belongs to, named to the account API as "this session" (which it otherwise reads from the access
   * token's own `sid`).
   */
  sid?: string;
}

export type SignInTransaction = BaseSignIn;

export const { sealSession, openSession, sealSignIn, openSignIn } = createSessionCookies<
  StoredSession,
  SignInTransaction
>({ app: 'account-portal', secret: () => accountConfig().sessionSecret });
