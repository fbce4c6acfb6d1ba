import { signInRoute } from '@platform/web-session/sign-in';
import { portalConfig } from '../../../lib/config.ts';
import { authorizationParameters, oidcConfiguration } from '../../../lib/oidc/client.ts';
import { extraResourceIndicators, extraScopes } from '../../../lib/session/resource-tokens.ts';
import { SIGN_IN_COOKIE, sealSignIn } from '../../../lib/session/store.ts';

// Starts sign-in (@platform/web-session/sign-in) for the admin API resource (RFC 8707), for kline-service's
// resource unless `markets=0` (the retry after oauth-service refused the kline resource, e.g. an
// administrator took kline:read from the portal client: the console must still let its administrators in),
// and for the other platform APIs the console uses (Workflows: flow-service). The consent page shows at each
// sign-in (prompt=consent).

export const dynamic = 'force-dynamic';

const marketsWanted = (query: URLSearchParams) => query.get('markets') !== '0';

export const GET = signInRoute(() => {
  const config = portalConfig();
  return {
    portalUrl: config.portalUrl,
    signInCookie: SIGN_IN_COOKIE,
    oidcConfiguration,
    authorizationParameters(base, query) {
      const parameters = authorizationParameters(config, marketsWanted(query), base);
      // The other APIs' resources and scopes (Workflows: flow-service) join the same consent; their tokens
      // are obtained server-side with the refresh token after the code exchange
      // (lib/session/resource-tokens.ts).
      parameters.set('scope', [parameters.get('scope'), ...extraScopes()].join(' '));
      for (const resource of extraResourceIndicators(config)) parameters.append('resource', resource);
      return parameters;
    },
    sealSignIn: (transaction, query) => sealSignIn({ ...transaction, markets: marketsWanted(query) }),
  };
});
