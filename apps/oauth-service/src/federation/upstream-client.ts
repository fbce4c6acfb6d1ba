import * as oidc from 'openid-client';
import type { ClaimMappingInput, UpstreamPerson } from './claims.ts';
import { mapClaims } from './claims.ts';

// The relying-party side of a sign-in through an upstream, on openid-client: the authorization URL (code +
// PKCE S256 + state + nonce) and the callback's code exchange with every ID token check (issuer, audience,
// nonce, expiry, and the signature by the upstream's JWKS: enableNonRepudiationChecks, since openid-client
// otherwise trusts TLS for an ID token from the token endpoint). Every request goes only to the origins the
// provider's configuration names: the issuer for discovery, then the endpoints discovery or the operator gave.

/** The provider's settings the flow reads (providers.repository.ts's UpstreamProvider fits). */
export interface UpstreamSettings {
  id: string;
  kind: 'oidc' | 'oauth2';
  issuer: string | null;
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  userinfoEndpoint: string | null;
  clientId: string;
  scopes: string[];
  claimMapping: ClaimMappingInput;
  updatedAt: number;
}

/** Why the upstream leg failed; the reason is audited, never the upstream's own text. */
export type UpstreamFailureReason =
  | 'discovery_failed'
  | 'origin_not_allowed'
  | 'upstream_error'
  | 'token_rejected'
  | 'no_subject';

/** Why the upstream leg failed; the reason is audited, never the upstream's own text. */
export class UpstreamError extends Error {
  readonly reason: UpstreamFailureReason;
  constructor(reason: UpstreamFailureReason, message: string) {
    super(message);
    this.name = 'UpstreamError';
    this.reason = reason;
  }
}

export interface UpstreamClientOptions {
  /** PUBLIC_URL + /login/upstream/{id}/callback: from configuration, never from the request. */
  redirectUri(providerId: string): string;
  clientSecret(provider: UpstreamSettings): Promise<string | undefined>;
  /** Plain http upstreams (development only; the admin API refuses them in production). */
  allowHttp: boolean;
  /** How long a discovered configuration is reused (default 5 minutes). */
  cacheMs?: number;
  now?: () => number;
}

export interface FlowChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Fetch that refuses any origin outside `origins`: a discovery document cannot send us elsewhere. */
function guardedFetch(origins: ReadonlySet<string>): oidc.CustomFetch {
  return (url, options) => {
    if (!origins.has(new URL(url).origin))
      throw new UpstreamError('origin_not_allowed', `refused a request to ${new URL(url).origin}`);
    return fetch(url, { ...options, redirect: 'manual' } as RequestInit);
  };
}

const originsOf = (...urls: Array<string | null | undefined>) =>
  new Set(urls.filter((u): u is string => typeof u === 'string' && u !== '').map((u) => new URL(u).origin));

function clientAuth(secret: string | undefined, supported: string[] | undefined) {
  if (!secret) return oidc.None();
  // Basic unless the upstream lists methods without it (GitHub-like upstreams take the secret in the body).
  if (supported && !supported.includes('client_secret_basic') && supported.includes('client_secret_post'))
    return oidc.ClientSecretPost(secret);
  return supported ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret);
}

async function discover(provider: UpstreamSettings, allowHttp: boolean): Promise<oidc.ServerMetadata> {
  const issuer = new URL(String(provider.issuer));
  try {
    const discovered = await oidc.discovery(issuer, provider.clientId, undefined, oidc.None(), {
      [oidc.customFetch]: guardedFetch(originsOf(issuer.href)),
      timeout: 10,
      ...(allowHttp && issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
    return discovered.serverMetadata();
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    throw new UpstreamError('discovery_failed', `discovery at ${issuer.origin} failed`);
  }
}

/** The upstream's metadata: discovered (oidc) or as configured (oauth2). */
async function serverMetadata(provider: UpstreamSettings, allowHttp: boolean): Promise<oidc.ServerMetadata> {
  if (provider.kind === 'oidc') return discover(provider, allowHttp);
  const authorization = String(provider.authorizationEndpoint);
  return {
    // A plain OAuth 2.0 upstream has no issuer identifier; its authorization origin names it.
    issuer: new URL(authorization).origin,
    authorization_endpoint: authorization,
    token_endpoint: String(provider.tokenEndpoint),
    ...(provider.userinfoEndpoint ? { userinfo_endpoint: provider.userinfoEndpoint } : {}),
  };
}

/** The openid-client configuration of `provider`: its metadata, client authentication and allowed origins. */
async function buildConfiguration(
  provider: UpstreamSettings,
  options: UpstreamClientOptions,
): Promise<oidc.Configuration> {
  const metadata = await serverMetadata(provider, options.allowHttp);
  const secret = await options.clientSecret(provider);
  const config = new oidc.Configuration(
    metadata,
    provider.clientId,
    undefined,
    clientAuth(secret, metadata.token_endpoint_auth_methods_supported),
  );
  const allowed = originsOf(
    metadata.token_endpoint,
    metadata.userinfo_endpoint,
    metadata.jwks_uri,
    provider.kind === 'oidc' ? provider.issuer : undefined,
  );
  config[oidc.customFetch] = guardedFetch(allowed);
  config.timeout = 10;
  if (options.allowHttp && [...allowed].some((origin) => origin.startsWith('http:')))
    oidc.allowInsecureRequests(config);
  if (provider.kind === 'oidc') oidc.enableNonRepudiationChecks(config);
  return config;
}

export function createUpstreamClients(options: UpstreamClientOptions) {
  const cacheMs = options.cacheMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();

  /** The configuration of `provider`, reused briefly; a changed provider (updatedAt) is discovered afresh. */
  function configuration(provider: UpstreamSettings): Promise<oidc.Configuration> {
    const key = `${provider.id}@${provider.updatedAt}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < cacheMs) return hit.config;
    for (const old of cache.keys()) if (old.startsWith(`${provider.id}@`)) cache.delete(old);
    const config = buildConfiguration(provider, options);
    cache.set(key, { at: now(), config });
    // A failed discovery is not remembered: the next sign-in tries again.
    config.catch(() => cache.delete(key));
    return config;
  }

  async function authorizationUrl(provider: UpstreamSettings, checks: FlowChecks): Promise<URL> {
    const config = await configuration(provider);
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: options.redirectUri(provider.id),
      scope: provider.scopes.join(' '),
      state: checks.state,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      ...(provider.kind === 'oidc' ? { nonce: checks.nonce } : {}),
    });
  }

  /** Exchanges the callback's code and returns the person; throws UpstreamError on any failed check. */
  async function complete(
    provider: UpstreamSettings,
    query: URLSearchParams,
    checks: FlowChecks,
  ): Promise<UpstreamPerson> {
    const config = await configuration(provider);
    const callback = new URL(options.redirectUri(provider.id));
    for (const [name, value] of query) callback.searchParams.append(name, value);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        ...(provider.kind === 'oidc' ? { expectedNonce: checks.nonce, idTokenExpected: true } : {}),
      });
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      const upstreamSaidNo = error instanceof oidc.AuthorizationResponseError;
      throw new UpstreamError(
        upstreamSaidNo ? 'upstream_error' : 'token_rejected',
        upstreamSaidNo ? 'the upstream refused the sign-in' : `the upstream's answer failed a check`,
      );
    }
    // A plain OAuth 2.0 upstream's ID token, if it sends one, is not checked against any key: unused.
    const idClaims = (provider.kind === 'oidc' ? (tokens.claims() ?? {}) : {}) as Record<string, unknown>;
    const info = await userInfo(provider, config, tokens.access_token, idClaims).catch((error: unknown) => {
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError('token_rejected', 'the user-info request failed');
    });
    const claims = { ...info.claims, ...idClaims };
    const person = mapClaims(claims, provider.claimMapping, { amr: idClaims.amr, acr: idClaims.acr });
    if (!person) throw new UpstreamError('no_subject', 'the upstream named no subject');
    if (info.primaryEmail) {
      person.email = info.primaryEmail.email.toLowerCase();
      person.emailVerified = info.primaryEmail.verified;
    }
    return person;
  }

  return { authorizationUrl, complete, configuration };
}

export type UpstreamClients = ReturnType<typeof createUpstreamClients>;

interface UserInfo {
  claims: Record<string, unknown>;
  /** A GitHub-style upstream's primary address, with whether it says the address is verified. */
  primaryEmail?: { email: string; verified: boolean } | undefined;
}

/**
 * The user-info claims, when the ID token lacks a mapped one (or there is no ID token: oauth2). A GitHub-style
 * `/user` endpoint's address comes with its verification only from `/user/emails` (the primary address).
 */
async function userInfo(
  provider: UpstreamSettings,
  config: oidc.Configuration,
  accessToken: string,
  idClaims: Record<string, unknown>,
): Promise<UserInfo> {
  const endpoint = config.serverMetadata().userinfo_endpoint;
  if (!endpoint) return { claims: {} };
  const { email, name, groups } = provider.claimMapping;
  const wanted = [email, name, groups].filter((c): c is string => Boolean(c));
  if (provider.kind === 'oidc') {
    if (wanted.every((claim) => claim in idClaims)) return { claims: {} };
    // Optional for an OpenID provider: the ID token already named the person.
    const claims = await oidc.fetchUserInfo(config, accessToken, String(idClaims.sub)).catch(() => ({}));
    return { claims: claims as Record<string, unknown> };
  }
  const response = await oidc.fetchProtectedResource(config, accessToken, new URL(endpoint), 'GET');
  if (!response.ok) throw new UpstreamError('token_rejected', 'the user-info endpoint refused the token');
  const claims = (await response.json()) as Record<string, unknown>;
  const usesEmailsList = !provider.claimMapping.email_verified && /\/user$/.test(new URL(endpoint).pathname);
  return {
    claims,
    primaryEmail: usesEmailsList ? await primaryEmail(config, accessToken, endpoint) : undefined,
  };
}

/** GitHub's `/user/emails` (scope user:email): the primary address and its `verified`. */
async function primaryEmail(config: oidc.Configuration, accessToken: string, endpoint: string) {
  const url = new URL(`${endpoint}/emails`);
  const response = await oidc.fetchProtectedResource(config, accessToken, url, 'GET').catch(() => undefined);
  if (!response?.ok) return undefined;
  const list: unknown = await response.json().catch(() => undefined);
  const primary = Array.isArray(list)
    ? (list as Array<Record<string, unknown>>).find((entry) => entry.primary === true)
    : undefined;
  if (!primary || typeof primary.email !== 'string') return undefined;
  return { email: primary.email, verified: primary.verified === true };
}
