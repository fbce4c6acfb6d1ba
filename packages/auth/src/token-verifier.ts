import { hash } from 'node:crypto';
import { createRemoteJWKSet, customFetch, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { createJwksFetch } from './jwks-fetch.ts';
import { createLocalKeys } from './local-keys.ts';
import { LruCache } from './lru-cache.ts';
import { TokenError, toTokenError } from './token-error.ts';
import {
  type ResolvedVerifierOptions,
  resolveVerifierOptions,
  type TokenVerifierOptions,
} from './verifier-options.ts';

/** A verified RFC 9068 access token. Shared between requests through the cache, hence deeply read-only. */
export interface VerifiedToken {
  readonly sub: string;
  readonly clientId: string;
  readonly scopes: ReadonlySet<string>;
  /** Seconds since the epoch. */
  readonly exp: number;
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly jti: string;
  /** RFC 9449 `cnf.jkt`: the thumbprint of the key the token is bound to, or null for a bearer token. */
  readonly jkt: string | null;
  /**
   * RFC 8693 `act`: the party acting for `sub` (a client that exchanged the user's token), with the
   * parties it acted for in turn nested; null when `sub` acts itself.
   */
  readonly act: TokenActor | null;
  readonly claims: Readonly<JWTPayload>;
}

/** An RFC 8693 §4.1 actor: who acts, and (nested) whom that actor acted for before. */
export interface TokenActor {
  readonly sub: string;
  readonly act?: TokenActor;
}

export interface VerifierCacheStats {
  hits: number;
  misses: number;
  size: number;
  maxEntries: number;
}

export interface TokenVerifier {
  /** Resolves with the token's identity, or rejects with a TokenError saying why it is refused. */
  verify(token: string): Promise<VerifiedToken>;
  cacheStats(): VerifierCacheStats;
}

interface CacheEntry {
  token: VerifiedToken;
  /** Until when (ms) the entry may answer without re-verification; `exp` is checked separately. */
  reuseUntilMs: number;
}

// Far above any real access token (ours are < 2 KB), low enough that hashing a hostile header is cheap.
export const MAX_TOKEN_LENGTH = 16_384;

// A cached verification is trusted for at most this long, even if the token lives longer: a signing key
// withdrawn from the JWKS then stops being honoured within the same 10 minutes jose keeps a JWKS fresh.
const MAX_REUSE_MS = 10 * 60_000;

// Failed JWKS requests are retried at most this often; short, so a service that started before its
// issuer recovers within a second.
const MAX_FAILURE_BACKOFF_MS = 1_000;

const REQUIRED_CLAIMS = ['exp', 'iat', 'jti', 'sub', 'client_id'];

function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const normalized = typ.toLowerCase();
  return normalized === 'at+jwt' || normalized === 'application/at+jwt';
}

function nonEmptyStringClaim(claims: JWTPayload, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || value === '') {
    throw new TokenError('invalid_claim', `"${name}" claim must be a non-empty string`);
  }
  return value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

const readOnlySetMutator = () => {
  throw new TypeError('VerifiedToken.scopes is read-only');
};

/** A Set whose mutators throw: one handler must not be able to grant scopes to later requests via the cache. */
function readOnlySet(values: Iterable<string>): ReadonlySet<string> {
  const set = new Set(values);
  for (const method of ['add', 'delete', 'clear'])
    Object.defineProperty(set, method, { value: readOnlySetMutator });
  return Object.freeze(set);
}

// A base64url SHA-256 digest: 43 characters.
const JKT = /^[A-Za-z0-9_-]{43}$/;

/**
 * The key the token is bound to. A `cnf` this resource cannot check (say, only an mTLS certificate
 * thumbprint) refuses the token: read as a bearer token it would work without the key it was bound to.
 */
function boundKey(claims: JWTPayload): string | null {
  const cnf = claims.cnf as unknown;
  if (cnf === undefined) return null;
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined;
  if (typeof jkt !== 'string' || !JKT.test(jkt)) {
    throw new TokenError('invalid_claim', '"cnf" claim must carry a SHA-256 JWK thumbprint ("jkt")');
  }
  return jkt;
}

// Delegation chains deeper than this are refused rather than walked.
const MAX_ACTOR_DEPTH = 8;

/** The `act` claim's chain, each link checked; a malformed one refuses the token (its actor is unknown). */
function actor(value: unknown, depth = 1): TokenActor | null {
  if (value === undefined) return null;
  const sub = typeof value === 'object' && value !== null ? (value as { sub?: unknown }).sub : undefined;
  if (typeof sub !== 'string' || sub === '' || depth > MAX_ACTOR_DEPTH)
    throw new TokenError('invalid_claim', '"act" claim must name its actor in a non-empty "sub"');
  const nested = actor((value as { act?: unknown }).act, depth + 1);
  return nested ? { sub, act: nested } : { sub };
}

function toVerifiedToken(claims: JWTPayload): VerifiedToken {
  const scope = claims.scope;
  if (scope !== undefined && typeof scope !== 'string') {
    throw new TokenError('invalid_claim', '"scope" claim must be a space-separated string');
  }
  return Object.freeze({
    sub: nonEmptyStringClaim(claims, 'sub'),
    clientId: nonEmptyStringClaim(claims, 'client_id'),
    jti: nonEmptyStringClaim(claims, 'jti'),
    jkt: boundKey(claims),
    act: actor(claims.act),
    // jose has checked that exp and iat are present and numeric.
    exp: claims.exp as number,
    iat: claims.iat as number,
    scopes: readOnlySet(scope === undefined ? [] : scope.split(' ').filter((token) => token !== '')),
    claims: deepFreeze(claims),
  });
}

/**
 * The token issuer's signing keys: fetched from `jwksUri`, or taken from the in-process `keys` loader; reloaded
 * on an unknown kid at most once per `jwksCooldownMs`.
 */
function issuerKeyResolver(config: ResolvedVerifierOptions): JWTVerifyGetKey {
  const issuerKeys: JWTVerifyGetKey =
    config.keySource.kind === 'remote'
      ? createRemoteJWKSet(config.keySource.url, {
          cooldownDuration: config.jwksCooldownMs,
          [customFetch]: createJwksFetch({
            failureBackoffMs: Math.min(config.jwksCooldownMs, MAX_FAILURE_BACKOFF_MS),
          }),
        })
      : createLocalKeys({ load: config.keySource.load, cooldownMs: config.jwksCooldownMs, now: config.now });
  // jose checks `typ` only after the signature. Checking it first makes a wrong-type token cost nothing,
  // and keeps it from causing a JWKS refetch.
  return (header, token) => {
    if (!isAccessTokenType(header.typ)) {
      // The value is the client's, so it stays out of the message (and any log line built from it).
      throw new TokenError('invalid_type', '"typ" header is not "at+jwt"');
    }
    return issuerKeys(header, token);
  };
}

/** The full check of a token not in the cache; every failure becomes a TokenError. */
async function verifySignatureAndClaims(
  token: string,
  getKey: JWTVerifyGetKey,
  config: ResolvedVerifierOptions,
  nowMs: number,
): Promise<VerifiedToken> {
  try {
    const { payload } = await jwtVerify(token, getKey, {
      issuer: config.issuer,
      audience: config.audience,
      algorithms: config.algorithms,
      typ: 'at+jwt',
      requiredClaims: REQUIRED_CLAIMS,
      clockTolerance: config.clockToleranceSec,
      currentDate: new Date(nowMs),
    });
    return toVerifiedToken(payload);
  } catch (error) {
    throw toTokenError(error);
  }
}

/**
 * Builds an RFC 9068 access-token verifier for one resource. Signatures are checked against the token issuer's
 * JWKS (see issuerKeyResolver); successful results are cached by SHA-256 of the token until it expires, so
 * repeated requests skip the signature check.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const config = resolveVerifierOptions(options);
  const { now, clockToleranceSec } = config;

  const getKey = issuerKeyResolver(config);

  const cache = new LruCache<string, CacheEntry>(config.cacheMaxEntries);
  // Concurrent requests carrying the same not-yet-cached token share one verification.
  const inFlight = new Map<string, Promise<VerifiedToken>>();
  let hits = 0;
  let misses = 0;

  const isExpired = (exp: number, nowMs: number) => exp <= Math.floor(nowMs / 1000) - clockToleranceSec;

  const verifyUncached = (token: string, nowMs: number) =>
    verifySignatureAndClaims(token, getKey, config, nowMs);

  async function verifyAndCache(token: string, key: string, nowMs: number): Promise<VerifiedToken> {
    try {
      const verified = await verifyUncached(token, nowMs);
      cache.set(key, { token: verified, reuseUntilMs: nowMs + MAX_REUSE_MS });
      return verified;
    } finally {
      inFlight.delete(key);
    }
  }

  function lookup(token: string): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token === '') throw new TokenError('malformed', 'token is empty');
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new TokenError('malformed', `token is longer than ${MAX_TOKEN_LENGTH}`);
    }
    const nowMs = now();
    if (config.cacheMaxEntries === 0) {
      misses += 1;
      return verifyUncached(token, nowMs);
    }

    // The cache is keyed by a hash so the process never holds a table of live bearer tokens.
    const key = hash('sha256', token, 'base64url');
    const cached = cache.get(key);
    if (cached) {
      if (isExpired(cached.token.exp, nowMs)) {
        cache.delete(key);
        throw new TokenError('expired', 'token expired');
      }
      if (nowMs < cached.reuseUntilMs) {
        hits += 1;
        return Promise.resolve(cached.token);
      }
      cache.delete(key);
    }

    const pending = inFlight.get(key);
    if (pending) return pending;
    misses += 1;
    // Failures are not cached: an unknown kid may become known after a key rotation and a JWKS outage ends.
    // Re-verifying a bad token costs one signature check, and the refetches it may cause are rate-limited.
    const verification = verifyAndCache(token, key, nowMs);
    inFlight.set(key, verification);
    return verification;
  }

  // Not an async function: handing back the pending promise itself saves the extra ticks an async
  // function spends adopting it, which shows on the cold path.
  function verify(token: string): Promise<VerifiedToken> {
    try {
      return lookup(token);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  return {
    verify,
    cacheStats: () => ({ hits, misses, size: cache.size, maxEntries: config.cacheMaxEntries }),
  };
}
