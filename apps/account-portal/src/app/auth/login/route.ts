import { signInRoute } from '@platform/web-session/sign-in';
import { accountConfig } from '../../../lib/config.ts';
import { authorizationParameters, oidcConfiguration } from '../../../lib/session/oidc.ts';
import { SIGN_IN_COOKIE, sealSignIn } from '../../../lib/session/store.ts';

// Starts sign-in (@platform/web-session/sign-in) for the account API resource (RFC 8707). The console is
// first-party, so no consent page shows.

export const dynamic = 'force-dynamic';

export const GET = signInRoute(() => {
  const config = accountConfig();
  return {
    portalUrl: config.portalUrl,
    signInCookie: SIGN_IN_COOKIE,
    oidcConfiguration,
    authorizationParameters: (base) => authorizationParameters(config, base),
    sealSignIn: (transaction) => sealSignIn(transaction),
  };
});
