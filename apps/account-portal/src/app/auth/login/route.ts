import { signInRoute } from '@platform/web-session/sign-in';
import { accountConfig } from '../../../lib/config.ts';
import { authorizationParameters, oidcConfiguration } from '../../../lib/session/oidc.ts';
import { SIGN_IN_COOKIE, sealSignIn } from '../../../lib/session/store.ts';

// Starts sign-in (@platform/web-session/sign-in) for the account API resource (RFC 8707). The console is
// first-party, so no consent page shows. `?reauth=1` asks for a fresh sign-in even in a live session
// (`max_age=0`): a sensitive change refused for an old sign-in sends the user here (ADR 0040).

export const dynamic = 'force-dynamic';

export const GET = signInRoute(() => {
  const config = accountConfig();
  return {
    portalUrl: config.portalUrl,
    signInCookie: SIGN_IN_COOKIE,
    oidcConfiguration,
    authorizationParameters: (base, query) =>
      authorizationParameters(config, query.get('reauth') === '1' ? { ...base, max_age: '0' } : base),
    sealSignIn: (transaction) => sealSignIn(transaction),
  };
});
