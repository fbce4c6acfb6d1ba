import { createPublicKey } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type Provider from 'oidc-provider';

// Whether an access token of ours still stands, and what it says, for the token formats oidc-provider
// issues: RFC 9068 JWTs (per resource server; never stored, so they are verified: signature by a key the
// provider still publishes, `typ` at+jwt, issuer, expiry) and opaque tokens (looked up in the store). Either
// way it stands only while its client exists, its grant has not been revoked or expired and its user is
// active. A JWT names its grant in the `grant_id` claim (see `nameTheGrant`), which oidc-provider leaves out
// of JWTs; docs/adr/0039-jwt-introspection.md.

/** The private claim naming the grant a JWT access token was issued under. */
export const GRANT_CLAIM = 'grant_id';
/**
 * The private claim naming the client the grant belongs to, when that is not the token's client: a token
 * from a token exchange shares the user's grant with another client (token-exchange/, ADR 0035).
 */
export const GRANT_CLIENT_CLAIM = 'grant_client_id';

export interface ActiveAccessToken {
  active: true;
  format: 'jwt' | 'opaque';
  /** The token's claims as a resource server sees them: the JWT's payload, or the same for an opaque token. */
  claims: Record<string, unknown>;
  /** The grant the token was issued under; none for a client's own (client_credentials) token. */
  grantId?: string;
  /** The user the token acts for; none for a client's own (client_credentials) token. */
  accountId?: string;
  clientId: string;
  /** Space-separated; empty when the token holds no scope. */
  scope: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** The JWK thumbprint a DPoP-bound token is bound to (RFC 9449 `cnf.jkt`). */
  jkt?: string;
}

export type AccessTokenCheck = { active: false } | ActiveAccessToken;

export interface AccessTokenCheckContext {
  /** The keys the provider was built with (private JWKs): every one of them is published in its JWKS. */
  keys: JWK[];
  /** The JWS algorithms its access tokens may be signed with. */
  algorithms: string[];
  /** Whether the account exists and may still sign in. */
  isAccountActive(accountId: string): Promise<boolean>;
}

interface RegisteredContext {
  jwks: JWTVerifyGetKey;
  algorithms: string[];
  isAccountActive(accountId: string): Promise<boolean>;
}

const contexts = new WeakMap<Provider, RegisteredContext>();

const INACTIVE = Object.freeze({ active: false as const });

/** The public half of a signing key, with its `kid`: what /oauth/jwks serves for it. */
function publicJwk(jwk: JWK): JWK {
  const exported = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ format: 'jwk' }) as JWK;
  return { ...exported, ...(jwk.kid ? { kid: jwk.kid } : {}), ...(jwk.alg ? { alg: jwk.alg } : {}) };
}

/** Called once per provider (see provider.ts): the keys and account lookup checkAccessToken uses for it. */
export function registerAccessTokenChecks(provider: Provider, context: AccessTokenCheckContext): void {
  contexts.set(provider, {
    jwks: createLocalJWKSet({ keys: context.keys.map(publicJwk) }),
    algorithms: context.algorithms,
    isAccountActive: context.isAccountActive,
  });
}

function contextOf(provider: Provider): RegisteredContext {
  const context = contexts.get(provider);
  if (!context) throw new Error('registerAccessTokenChecks was not called for this provider');
  return context;
}

/** oidc-provider's JWT customizer: a token issued under a grant names it, so its liveness can be checked. */
export function nameTheGrant(_ctx: unknown, token: object, jwt: { payload: Record<string, unknown> }): void {
  if ('grantId' in token && typeof token.grantId === 'string') jwt.payload[GRANT_CLAIM] = token.grantId;
}

/** Whether `token` has a JWS/JWE compact form (what rejectStructuredTokens in oidc-provider refuses). */
export function isStructuredToken(token: string): boolean {
  try {
    decodeProtectedHeader(token);
    return true;
  } catch {
    return false;
  }
}

interface Standing {
  clientId: string;
  grantId: string | undefined;
  /** The client the grant belongs to, when it is not `clientId` (an exchanged token). */
  grantClientId?: string | undefined;
  /** The token's `sub`, compared with the grant's account unless the client's subjects are pairwise. */
  subject: string | undefined;
}

/**
 * Whether what a token was issued under still stands: its client exists, its grant (when it has one) is
 * neither revoked nor expired and belongs to that client and subject, and the grant's user is active.
 * Resolves to the grant's account (undefined for a client's own token), or false.
 */
export async function standingOf(
  provider: Provider,
  { clientId, grantId, subject, grantClientId = clientId }: Standing,
): Promise<{ accountId: string | undefined } | false> {
  const client = await provider.Client.find(clientId);
  if (!client) return false;
  if (grantId === undefined) return { accountId: undefined };
  const grant = await provider.Grant.find(grantId, { ignoreExpiration: true });
  if (!grant || grant.isExpired || grant.clientId !== grantClientId || typeof grant.accountId !== 'string')
    return false;
  if (subject !== undefined && client.subjectType !== 'pairwise' && grant.accountId !== subject) return false;
  if (!(await contextOf(provider).isAccountActive(grant.accountId))) return false;
  return { accountId: grant.accountId };
}

/** Whether a token's client still exists (and is enabled) and its user, when it has one, is still active. */
export async function ownersStand(
  provider: Provider,
  clientId: string,
  accountId: string | undefined,
): Promise<boolean> {
  if (!(await provider.Client.find(clientId))) return false;
  return accountId === undefined || contextOf(provider).isAccountActive(accountId);
}

const stringClaim = (payload: JWTPayload, name: string) =>
  typeof payload[name] === 'string' ? (payload[name] as string) : undefined;

async function verifiedJwt(provider: Provider, token: string): Promise<JWTPayload | undefined> {
  const { jwks, algorithms } = contextOf(provider);
  try {
    const { payload } = await jwtVerify(token, jwks, {
      issuer: provider.issuer,
      typ: 'at+jwt',
      algorithms,
      requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id', 'aud'],
    });
    return payload;
  } catch {
    return undefined;
  }
}

async function checkJwt(provider: Provider, token: string): Promise<AccessTokenCheck> {
  const payload = await verifiedJwt(provider, token);
  if (!payload) return INACTIVE;
  const clientId = stringClaim(payload, 'client_id');
  const grantClaim = payload[GRANT_CLAIM];
  if (!clientId || (grantClaim !== undefined && typeof grantClaim !== 'string')) return INACTIVE;
  const grantId = grantClaim as string | undefined;
  // A user's token always names its grant; one that names none must be the client's own, `sub` = client.
  if (grantId === undefined && payload.sub !== clientId) return INACTIVE;
  const grantClientId = stringClaim(payload, GRANT_CLIENT_CLAIM);
  const standing = await standingOf(provider, { clientId, grantId, subject: payload.sub, grantClientId });
  if (!standing) return INACTIVE;
  const jkt = (payload.cnf as { jkt?: unknown } | undefined)?.jkt;
  return {
    active: true,
    format: 'jwt',
    claims: payload,
    ...(grantId === undefined ? {} : { grantId }),
    ...(standing.accountId === undefined ? {} : { accountId: standing.accountId }),
    clientId,
    scope: stringClaim(payload, 'scope') ?? '',
    expiresAt: payload.exp!,
    ...(typeof jkt === 'string' ? { jkt } : {}),
  };
}

type OpaqueToken = InstanceType<Provider['AccessToken']> | InstanceType<Provider['ClientCredentials']>;

async function findOpaque(provider: Provider, token: string): Promise<OpaqueToken | undefined> {
  return (await provider.AccessToken.find(token)) ?? (await provider.ClientCredentials.find(token));
}

/** What a JWT of the same token would say (oidc-provider's formats/jwt.js), for an opaque token. */
function opaqueClaims(provider: Provider, found: OpaqueToken, accountId: string | undefined) {
  return {
    ...found.extra,
    sub: accountId ?? found.clientId,
    iat: found.iat,
    exp: found.exp,
    ...(found.scope ? { scope: found.scope } : {}),
    client_id: found.clientId,
    iss: provider.issuer,
    ...(found.aud === undefined ? {} : { aud: found.aud }),
    ...(found.jkt ? { cnf: { jkt: found.jkt } } : {}),
  };
}

async function checkOpaque(provider: Provider, token: string): Promise<AccessTokenCheck> {
  const found = await findOpaque(provider, token);
  if (!found?.isValid || typeof found.clientId !== 'string' || found.exp === undefined) return INACTIVE;
  const grantId = 'grantId' in found && typeof found.grantId === 'string' ? found.grantId : undefined;
  const accountId = 'accountId' in found && typeof found.accountId === 'string' ? found.accountId : undefined;
  const standing = await standingOf(provider, { clientId: found.clientId, grantId, subject: accountId });
  if (!standing) return INACTIVE;
  // A token with a user but no grant: the user must at least still be active.
  if (accountId && !grantId && !(await contextOf(provider).isAccountActive(accountId))) return INACTIVE;
  const account = standing.accountId ?? accountId;
  return {
    active: true,
    format: 'opaque',
    claims: opaqueClaims(provider, found, account),
    ...(grantId === undefined ? {} : { grantId }),
    ...(account === undefined ? {} : { accountId: account }),
    clientId: found.clientId,
    scope: found.scope ?? '',
    expiresAt: found.exp,
    ...(found.jkt ? { jkt: found.jkt } : {}),
  };
}

/**
 * Whether `token` is an access token of ours that still stands, and what it says. Never throws for a bad,
 * forged, foreign or expired token: those are `{ active: false }` (RFC 7662 §2.2).
 */
export async function checkAccessToken(provider: Provider, token: string): Promise<AccessTokenCheck> {
  if (typeof token !== 'string' || token === '') return INACTIVE;
  return isStructuredToken(token) ? checkJwt(provider, token) : checkOpaque(provider, token);
}
