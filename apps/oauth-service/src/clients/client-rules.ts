import {
  backchannelLogoutUriProblem,
  CONFIDENTIAL_AUTH_METHODS,
  redirectUriProblem,
  SUPPORTED_GRANT_TYPES,
} from '@platform/auth/client-registration';
import { bodyIssues } from '../body-issues.ts';

// The registration rules of OAuth 2.1 and RFC 9700 (grant types, auth methods, redirect URIs) live in
// @platform/auth/client-registration, shared with the console's forms; this file applies them to a client.

const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export interface ClientInput {
  name: string;
  type: 'confidential' | 'public';
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  grantTypes: string[];
  tokenEndpointAuthMethod?: string;
  scope: string[];
  requireDpop?: boolean;
  jwks?: { keys: unknown[] };
  /** `native` (RFC 8252): loopback redirect URIs match on any port. Defaults to `web`. */
  applicationType?: 'web' | 'native';
  /** The platform's own client: its users skip the consent page and sign out in one click. */
  firstParty?: boolean;
  /**
   * OIDC Back-Channel Logout: where oauth-service POSTs a logout token when a sign-in session the client took
   * part in ends (with the session's `sid`); null: none.
   */
  backchannelLogoutUri?: string | null;
}

/** Validates a client definition; throws a 400 problem listing every faulty field. */
/** The grant types a refresh token comes from. */
const issuesRefreshTokens = (grant: string) =>
  grant === 'authorization_code' || grant.endsWith('device_code') || grant === TOKEN_EXCHANGE_GRANT;

export function assertValidClient(input: ClientInput, knownScopes: ReadonlySet<string>): void {
  const { add, assertNone } = bodyIssues();

  if (!input.name || input.name.trim().length === 0 || input.name.length > 200)
    add('/name', 'must be 1 to 200 characters');
  if (input.type !== 'confidential' && input.type !== 'public')
    add('/type', 'must be confidential or public');

  const grants = input.grantTypes ?? [];
  if (grants.length === 0) add('/grant_types', 'must list at least one grant type');
  for (const grant of grants) {
    if (grant === 'implicit' || grant === 'password')
      add('/grant_types', `${grant} is not supported by OAuth 2.1`);
    else if (!(SUPPORTED_GRANT_TYPES as readonly string[]).includes(grant))
      add('/grant_types', `unknown grant type ${grant}`);
  }
  // Skipping consent is safe only when the client's identity is assured (OAuth 2.1, client impersonation):
  // anyone can send a public client's id, so only a client that authenticates may be first-party.
  if (input.firstParty && input.type === 'public')
    add('/first_party', 'needs a confidential client: a public client cannot prove who it is');
  if (input.type === 'public' && grants.includes('client_credentials')) {
    add('/grant_types', 'client_credentials needs a confidential client');
  }
  // A public client's id proves nothing: anyone could exchange the tokens it is handed.
  if (input.type === 'public' && grants.includes(TOKEN_EXCHANGE_GRANT)) {
    add('/grant_types', 'token exchange needs a confidential client');
  }
  if (grants.includes('refresh_token') && !grants.some(issuesRefreshTokens)) {
    add('/grant_types', 'refresh_token needs authorization_code, device_code or token exchange');
  }

  const method = input.tokenEndpointAuthMethod ?? (input.type === 'public' ? 'none' : 'client_secret_basic');
  if (input.type === 'public' && method !== 'none')
    add('/token_endpoint_auth_method', 'must be none for a public client');
  if (input.type === 'confidential' && !(CONFIDENTIAL_AUTH_METHODS as readonly string[]).includes(method)) {
    add('/token_endpoint_auth_method', `must be one of ${CONFIDENTIAL_AUTH_METHODS.join(', ')}`);
  }
  if (
    method === 'private_key_jwt' &&
    (!input.jwks || !Array.isArray(input.jwks.keys) || input.jwks.keys.length === 0)
  ) {
    add('/jwks', 'private_key_jwt needs a JWKS with at least one key');
  }

  const redirects = input.redirectUris ?? [];
  if (grants.includes('authorization_code') && redirects.length === 0)
    add('/redirect_uris', 'authorization_code needs at least one');
  redirects.forEach((uri, i) => {
    const problem = redirectUriProblem(uri);
    if (problem) add(`/redirect_uris/${i}`, `${uri} ${problem}`);
  });
  (input.postLogoutRedirectUris ?? []).forEach((uri, i) => {
    const problem = redirectUriProblem(uri);
    if (problem) add(`/post_logout_redirect_uris/${i}`, `${uri} ${problem}`);
  });

  if (input.backchannelLogoutUri) {
    const problem = backchannelLogoutUriProblem(input.backchannelLogoutUri);
    if (problem) add('/backchannel_logout_uri', `${input.backchannelLogoutUri} ${problem}`);
  }

  for (const scope of input.scope ?? []) {
    if (!knownScopes.has(scope)) add('/scope', `unknown scope ${scope}`);
  }

  assertNone();
}
