// The models oidc-provider 9 asks its adapter for (lib/models), by the name it passes to the factory.
export const OIDC_MODELS = [
  'Session',
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'ClientCredentials',
  'Client',
  'InitialAccessToken',
  'RegistrationAccessToken',
  'Interaction',
  'ReplayDetection',
  'PushedAuthorizationRequest',
  'Grant',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
] as const;

export type OidcModelName = (typeof OIDC_MODELS)[number];

/**
 * Models whose rows die with their grant: what oidc-provider revokes on refresh-token reuse, code replay,
 * logout and revocation (lib/helpers/revoke.js). Interactions also carry a `grantId`, but they are not
 * issued under the grant (as in oidc-provider's memory adapter, they are left alone).
 */
export const GRANT_BOUND_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);
