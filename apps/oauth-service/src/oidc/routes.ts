// Where oidc-provider's endpoints live. Everything protocol-related sits under /oauth so the gateway routes
// one prefix to oauth-service (docs/architecture.md, URL map); discovery stays at the token issuer's well-known paths.
export const OIDC_ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  userinfo: '/oauth/userinfo',
  jwks: '/oauth/jwks',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  pushed_authorization_request: '/oauth/par',
  device_authorization: '/oauth/device/auth',
  code_verification: '/oauth/device',
  end_session: '/oauth/end_session',
  registration: '/oauth/register',
  backchannel_authentication: '/oauth/backchannel',
  challenge: '/oauth/challenge',
  credential: '/oauth/credential',
} as const;

/** Paths handed to oidc-provider as they are (everything else is Fastify's). */
export function isProviderPath(path: string): boolean {
  return path.startsWith('/oauth/') || path === '/.well-known/openid-configuration';
}
