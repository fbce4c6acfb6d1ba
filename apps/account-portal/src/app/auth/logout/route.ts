import { signOutRoute } from '@platform/web-session/sign-out';
import { accountConfig } from '../../../lib/config.ts';
import { oidcConfiguration } from '../../../lib/session/oidc.ts';
import { openSession, SESSION_COOKIE } from '../../../lib/session/store.ts';

export const dynamic = 'force-dynamic';

export const POST = signOutRoute(() => ({
  app: 'account-portal',
  portalUrl: accountConfig().portalUrl,
  sessionCookie: SESSION_COOKIE,
  openSession,
  oidcConfiguration,
}));
