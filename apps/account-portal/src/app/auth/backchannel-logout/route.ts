import { backchannelLogoutRoute } from '@platform/web-session/backchannel-logout';
import { accountConfig } from '../../../lib/config.ts';

// oauth-service's back-channel logout (the `account-console` client's backchannel_logout_uri): a verified
// logout token ends this console's sessions of that sign-in session at once (@platform/web-session, ADR 0038).

export const dynamic = 'force-dynamic';

export const POST = backchannelLogoutRoute(() => {
  const config = accountConfig();
  return {
    app: 'account-portal',
    issuer: config.issuer,
    clientId: config.clientId,
    jwksUrl: `${config.internalOAuthUrl}/oauth/jwks`,
    portalUrl: config.portalUrl,
    peersUrl: config.backchannelPeersUrl,
  };
});
