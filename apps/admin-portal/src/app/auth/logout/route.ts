import { signOutRoute } from '@platform/web-session/sign-out';
import { portalConfig } from '../../../lib/config.ts';
import { oidcConfiguration } from '../../../lib/oidc/client.ts';
import { openSession, SESSION_COOKIE } from '../../../lib/session/store.ts';

export const dynamic = 'force-dynamic';

export const POST = signOutRoute(() => ({
  app: 'admin-portal',
  portalUrl: portalConfig().portalUrl,
  sessionCookie: SESSION_COOKIE,
  openSession,
  oidcConfiguration,
}));
