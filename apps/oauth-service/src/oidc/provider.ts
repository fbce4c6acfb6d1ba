import type { JWK } from 'jose';
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { accountSessionClaim } from '../account/session-claim.ts';
import type { OAuthServiceConfig } from '../config.ts';
import { ACR_VALUES_SUPPORTED, type MfaPolicy } from '../mfa/policy.ts';
import { interactionPolicyWithStepUp } from '../mfa/prompt-policy.ts';
import type { ResourceServersRepository } from '../resources/resource-servers.repository.ts';
import {
  exchangedTokenClaims,
  registerTokenExchange,
  type TokenExchangeDeps,
} from '../token-exchange/exchange-grant.ts';
import { capRefreshToUser, fromExchange } from '../token-exchange/refresh-exchange.ts';
import { checkAccessToken, nameTheGrant, registerAccessTokenChecks } from './access-token-check.ts';
import { outboundFetch } from './backchannel.ts';
import { reuseClientInstances } from './client-reuse.ts';
import { answerJwtIntrospection, introspectionAllowedPolicy } from './introspection.ts';
import {
  deviceSuccessSource,
  logoutSource,
  postLogoutSuccessSource,
  renderError,
  userCodeConfirmSource,
  userCodeInputSource,
} from './provider-pages.ts';
import { revocationAllowedPolicy } from './revocation.ts';
import { OIDC_ROUTES } from './routes.ts';

/** The account facts the provider needs: who `sub` is, and whether they may still sign in. */
export interface AccountLookup {
  findById(id: string): Promise<
    | {
        id: string;
        username: string;
        email: string;
        displayName: string;
        emailVerified: boolean;
        active: boolean;
      }
    | undefined
  >;
}

/** Consent remembered across sessions (see interactions/consents.ts). */
export interface RememberedConsents {
  /** Builds a grant from what the user already allowed this client, or undefined. */
  loadGrant(
    provider: Provider,
    accountId: string,
    clientId: string,
  ): Promise<InstanceType<Provider['Grant']> | undefined>;
}

export interface ProviderDeps {
  config: Pick<
    OAuthServiceConfig,
    | 'PUBLIC_URL'
    | 'ACCESS_TOKEN_TTL'
    | 'ID_TOKEN_TTL'
    | 'REFRESH_TOKEN_TTL'
    | 'AUTHORIZATION_CODE_TTL'
    | 'SESSION_TTL'
    | 'REGISTRATION_ENABLED'
    | 'REGISTRATION_INITIAL_ACCESS_TOKEN'
  >;
  keys: JWK[];
  cookieKeys: string[];
  // biome-ignore lint/suspicious/noExplicitAny: oidc-provider's adapter option is a constructor of its own shape.
  adapter: any;
  resources: ResourceServersRepository;
  accounts: AccountLookup;
  consents: RememberedConsents;
  /** Every scope a client may be granted; resource scopes outside it are never issued to it. */
  allowedScopes(clientId: string): Promise<Set<string>>;
  /** The metadata the adapter hands oidc-provider for a client: the same object while the client is unchanged. */
  clientMetadata(clientId: string): Promise<object | undefined>;
  /** Whether the client is the platform's own: its sign-out, proven by an id_token_hint, needs no question. */
  isFirstParty(clientId: string): Promise<boolean>;
  /** Whether `url` is the back-channel logout URI of a client the operator registered (see backchannel.ts). */
  isManagedBackchannelUri(url: string): Promise<boolean>;
  /** Whether a sign-in must end with two factors: a password session is then asked again (step-up). */
  requiresMfa: MfaPolicy['requiresMfa'];
  /** RFC 8693 token exchange (token-exchange/); without it the grant type is not offered. */
  tokenExchange?: Omit<TokenExchangeDeps, 'checkAccessToken' | 'accessTokenTtl'>;
}

const SIGNING_ALGS = ['ES256', 'EdDSA'];

type ProviderConfig = ProviderDeps['config'];

/** Who `sub` is: an active account's claims, or nothing for a disabled or deleted one. */
const findAccount =
  (accounts: AccountLookup): Configuration['findAccount'] =>
  async (_ctx, sub) => {
    const account = await accounts.findById(sub);
    if (!account?.active) return undefined;
    return {
      accountId: account.id,
      async claims() {
        return {
          sub: account.id,
          name: account.displayName,
          preferred_username: account.username,
          email: account.email,
          email_verified: account.emailVerified,
        };
      },
    };
  };

/**
 * A user's access tokens name the user (`preferred_username`) beside `sub`, so a resource server can show
 * who acted by name (flow-service's "started by", "decided by") without calling the admin API.
 */
const usernameClaim =
  (accounts: AccountLookup, accountResource: string): Configuration['extraTokenClaims'] =>
  async (ctx, token) => {
    const accountId = 'accountId' in token ? token.accountId : undefined;
    if (typeof accountId !== 'string') return undefined;
    const account = await accounts.findById(accountId);
    if (!account) return undefined;
    // The account API's tokens also name their session (account/session-claim.ts).
    const session = await accountSessionClaim(ctx?.oidc?.provider, token as never, accountResource);
    // A token from a token exchange names its actor (`act`, RFC 8693 §4.1).
    return { preferred_username: account.username, ...session, ...exchangedTokenClaims(token) };
  };

/** The grant this session already holds for the client, or one rebuilt from remembered consent. */
const loadExistingGrant =
  (consents: RememberedConsents): Configuration['loadExistingGrant'] =>
  async (ctx) => {
    const grantId =
      ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const accountId = ctx.oidc.session?.accountId;
    if (!accountId) return undefined;
    return consents.loadGrant(ctx.oidc.provider, accountId, ctx.oidc.client!.clientId);
  };

function tokenTtls(config: ProviderConfig): Configuration['ttl'] {
  const accessTokenTtl = (token: { resourceServer?: { accessTokenTTL?: number } }) =>
    token.resourceServer?.accessTokenTTL ?? config.ACCESS_TOKEN_TTL;
  return {
    AccessToken: (_ctx, token) => accessTokenTtl(token),
    ClientCredentials: (_ctx, token) => accessTokenTtl(token),
    AuthorizationCode: config.AUTHORIZATION_CODE_TTL,
    IdToken: config.ID_TOKEN_TTL,
    DeviceCode: 600,
    Interaction: 3600,
    Session: config.SESSION_TTL,
    Grant: config.REFRESH_TOKEN_TTL,
    // Absolute lifetime: a rotated refresh token keeps the chain's `iat`, so the chain ends on schedule
    // however often it rotates.
    RefreshToken: (_ctx, token) => {
      const age = token.iat ? Math.floor(Date.now() / 1000) - token.iat : 0;
      return Math.max(1, config.REFRESH_TOKEN_TTL - age);
    },
  };
}

/**
 * Every refresh token rotates, except one from a token exchange: its confidential client authenticates each
 * refresh, and that client's concurrent steps share it (refresh-exchange.ts).
 */
const rotatesUnlessExchanged: Configuration['rotateRefreshToken'] = (ctx) =>
  !fromExchange(ctx.oidc.entities.RefreshToken as never);

/** Resource indicators (RFC 8707): a JWT access token per resource server, with the scopes the client may hold. */
function resourceIndicators(
  deps: ProviderDeps,
): NonNullable<Configuration['features']>['resourceIndicators'] {
  const { config, resources } = deps;
  return {
    enabled: true,
    defaultResource: async (_ctx, _client, oneOf) => oneOf ?? undefined,
    // A refresh without `resource` keeps the audience the grant was for.
    useGrantedResource: async () => true,
    async getResourceServerInfo(ctx, indicator, client) {
      const server = await resources.byIdentifier(indicator);
      if (!server) throw new errors.InvalidTarget();
      // A client is granted only scopes it is allowed (its `scope`), never everything the server offers.
      const allowed = await deps.allowedScopes(client.clientId);
      const offered = server.scopes.map((s) => s.name).filter((s) => allowed.has(s));
      // A refresh of a refresh token from a token exchange issues only what the user's roles grant now.
      const scope = (
        deps.tokenExchange
          ? await capRefreshToUser(ctx as KoaContextWithOIDC, offered, deps.tokenExchange.scopesOf)
          : offered
      ).join(' ');
      // A client allowed none of this server's scopes has no business holding a token for it.
      if (!scope)
        throw new errors.InvalidTarget('this client is not allowed any scope of the requested resource');
      return {
        scope,
        audience: server.identifier,
        accessTokenTTL: server.accessTokenTtl ?? config.ACCESS_TOKEN_TTL,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      };
    },
  };
}

function features(deps: ProviderDeps): Configuration['features'] {
  const { config } = deps;
  return {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: introspectionAllowedPolicy as never },
    revocation: { enabled: true, allowedPolicy: revocationAllowedPolicy as never },
    userinfo: { enabled: true },
    dPoP: { enabled: true },
    pushedAuthorizationRequests: { enabled: true },
    deviceFlow: {
      enabled: true,
      userCodeInputSource,
      userCodeConfirmSource,
      successSource: deviceSuccessSource,
    },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: logoutSource(deps.isFirstParty),
      postLogoutSuccessSource,
    },
    // OIDC Back-Channel Logout 1.0: logout tokens to clients that registered a backchannel_logout_uri.
    backchannelLogout: { enabled: true },
    registration: {
      enabled: config.REGISTRATION_ENABLED,
      ...(config.REGISTRATION_INITIAL_ACCESS_TOKEN
        ? { initialAccessToken: config.REGISTRATION_INITIAL_ACCESS_TOKEN }
        : {}),
    },
    registrationManagement: { enabled: config.REGISTRATION_ENABLED, rotateRegistrationAccessToken: true },
    resourceIndicators: resourceIndicators(deps),
  };
}

/**
 * oidc-provider configured for strict OAuth 2.1 (RFC 9700): code flow with S256 PKCE for every client, exact
 * redirect URIs, no implicit or password grant, rotating refresh tokens whose reuse revokes the grant, JWT
 * access tokens (RFC 9068) per resource indicator (RFC 8707), DPoP, PAR, device flow, introspection,
 * revocation, RP-initiated and back-channel logout. Every default that matters is set here explicitly.
 */
export function createProvider(deps: ProviderDeps): Provider {
  const { config } = deps;
  const configuration: Configuration = {
    adapter: deps.adapter,
    jwks: { keys: deps.keys as never },
    cookies: {
      keys: deps.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    routes: OIDC_ROUTES,
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: interactionPolicyWithStepUp(deps.requiresMfa),
    },
    // ID tokens carry the acr the sign-in reached and its amr (RFC 8176); see mfa/policy.ts.
    acrValues: ACR_VALUES_SUPPORTED,
    responseTypes: ['code'],
    // OAuth 2.1: PKCE for every client, confidential ones included; oidc-provider accepts only S256.
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    enabledJWA: {
      idTokenSigningAlgValues: SIGNING_ALGS as never,
      userinfoSigningAlgValues: SIGNING_ALGS as never,
      introspectionSigningAlgValues: SIGNING_ALGS as never,
      authorizationSigningAlgValues: SIGNING_ALGS as never,
      requestObjectSigningAlgValues: ['ES256', 'EdDSA', 'PS256', 'RS256'] as never,
      clientAuthSigningAlgValues: ['ES256', 'EdDSA', 'PS256', 'RS256'] as never,
      dPoPSigningAlgValues: ['ES256', 'EdDSA', 'PS256', 'RS256'] as never,
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      // Under openid, so every ID token carries the sign-in's acr and amr (see mfa/policy.ts).
      openid: ['sub', 'acr', 'amr'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    findAccount: findAccount(deps.accounts),
    extraTokenClaims: usernameClaim(deps.accounts, `${config.PUBLIC_URL}/api/account`),
    // A JWT access token names its grant, so introspection can tell whether it was revoked (ADR 0039).
    formats: { customizers: { jwt: nameTheGrant } },
    loadExistingGrant: loadExistingGrant(deps.consents),
    ttl: tokenTtls(config),
    rotateRefreshToken: rotatesUnlessExchanged,
    features: features(deps),
    // Browser clients may call the token endpoint cross-origin only from their own redirect URI origins;
    // the authorization endpoint is never a CORS endpoint.
    clientBasedCORS(_ctx, origin, client) {
      return client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false;
    },
    renderError: renderError as Configuration['renderError'],
    fetch: outboundFetch(deps.isManagedBackchannelUri),
  };

  const provider = new Provider(config.PUBLIC_URL, configuration);
  // Its URLs, cookies and client address follow X-Forwarded-Proto/-Host/-For, which forwarded.ts sets on
  // every request to PUBLIC_URL's origin and the trusted client address: never what a client sent.
  provider.proxy = true;
  reuseClientInstances(provider, deps.clientMetadata);
  registerAccessTokenChecks(provider, {
    keys: deps.keys,
    algorithms: SIGNING_ALGS,
    isAccountActive: async (id) => (await deps.accounts.findById(id))?.active === true,
  });
  answerJwtIntrospection(provider);
  if (deps.tokenExchange)
    registerTokenExchange(provider, {
      ...deps.tokenExchange,
      checkAccessToken,
      accessTokenTtl: config.ACCESS_TOKEN_TTL,
    });
  return provider;
}

export type { KoaContextWithOIDC };
