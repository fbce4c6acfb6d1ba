import { type BaseSession, type BaseSignIn, createSessionCookies } from '@platform/web-session';
import { accountConfig } from '../config.ts';

// The account console's session cookie (sealed by @platform/web-session; its own name and key, so the admin
// console's cookie never opens here and the other way round).

export const SESSION_COOKIE = 'account_session';
export const SIGN_IN_COOKIE = 'account_sign_in';

export interface StoredSession extends BaseSession {
  /**
   * The ID token's `sid`: oauth-service's sign-in session this console session belongs to. The Sessions page
   * marks it as "this session", and a password change keeps it while ending the others.
   */
  sid?: string;
}

export type SignInTransaction = BaseSignIn;

export const { sealSession, openSession, sealSignIn, openSignIn } = createSessionCookies<
  StoredSession,
  SignInTransaction
>({ app: 'account-portal', secret: () => accountConfig().sessionSecret });
