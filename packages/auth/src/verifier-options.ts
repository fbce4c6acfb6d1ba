import type { JSONWebKeySet } from 'jose';

/** Supplies the token issuer's current public keys in-process; may return them directly or as a promise. */
export type KeySetLoader = () => Promise<JSONWebKeySet> | JSONWebKeySet;

export interface TokenVerifierOptions {
  /** Expected `iss`, compared exactly. */
  issuer: string;
  /** The token issuer's JWKS endpoint (http or https). Give exactly one of `jwksUri` and `keys`. */
  jwksUri?: string;
  /**
   * The token issuer's public key set, supplied in-process instead of fetched over HTTP: for an authorization
   * server verifying the tokens it issued itself. Called on the first verification and again when a token
   * names a kid the last set lacked (at most once per `jwksCooldownMs`); a rejection or a value that is not
   * a key set refuses the token as `jwks_unavailable`. Give exactly one of `jwksUri` and `keys`.
   */
  keys?: KeySetLoader;
  /** This resource's identifier; the token's `aud` must contain it. */
  audience: string;
  /** Accepted JWS algorithms; asymmetric only. Default `['ES256', 'EdDSA']`. */
  algorithms?: readonly string[];
  /** Leeway for `exp` and `nbf`, in seconds. Default 5, at most 300. */
  clockToleranceSec?: number;
  /** Verified tokens remembered (LRU). Default 10,000; 0 disables the cache. */
  cacheMaxEntries?: number;
  /** Minimum time between JWKS refetches caused by unknown key ids. Default 30,000 ms. */
  jwksCooldownMs?: number;
  /** Current time in milliseconds since the epoch; for tests. Default `Date.now`. */
  now?: () => number;
}

/** Where signature keys come from: the token issuer's JWKS URL, or a loader in the same process. */
export type KeySource = { kind: 'remote'; url: URL } | { kind: 'local'; load: KeySetLoader };

export interface ResolvedVerifierOptions {
  issuer: string;
  keySource: KeySource;
  audience: string;
  algorithms: string[];
  clockToleranceSec: number;
  cacheMaxEntries: number;
  jwksCooldownMs: number;
  now: () => number;
}

// Only public-key algorithms: with an HMAC algorithm anyone holding the verification key could mint tokens,
// and `none` is no signature at all.
export const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set([
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
]);

// A larger leeway would quietly stretch every token's lifetime.
export const MAX_CLOCK_TOLERANCE_SEC = 300;

function fail(message: string): never {
  throw new TypeError(`createTokenVerifier: ${message}`);
}

function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') fail(`${name} must be a non-empty string`);
  return value;
}

function nonNegative(name: string, value: unknown, integer: boolean): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (integer && !Number.isInteger(value))
  ) {
    fail(`${name} must be a non-negative ${integer ? 'integer' : 'finite number'}, got ${String(value)}`);
  }
  return value;
}

function resolveKeySource(options: TokenVerifierOptions): KeySource {
  if (options.keys !== undefined) {
    if (options.jwksUri !== undefined) fail('give either jwksUri or keys, not both');
    if (typeof options.keys !== 'function') fail('keys must be a function returning the key set');
    return { kind: 'local', load: options.keys };
  }
  if (options.jwksUri === undefined) fail('jwksUri or keys is required');
  const jwksUri = nonEmptyString('jwksUri', options.jwksUri);
  const url = URL.parse(jwksUri);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    fail(`jwksUri must be an http(s) URL, got "${jwksUri}"`);
  }
  return { kind: 'remote', url };
}

/** Applies defaults and rejects a misconfiguration at startup rather than on the first request. */
export function resolveVerifierOptions(options: TokenVerifierOptions): ResolvedVerifierOptions {
  const issuer = nonEmptyString('issuer', options.issuer);
  if (!URL.canParse(issuer)) fail(`issuer must be a URL, got "${issuer}"`);
  const audience = nonEmptyString('audience', options.audience);

  const keySource = resolveKeySource(options);

  const algorithms = [...(options.algorithms ?? ['ES256', 'EdDSA'])];
  if (algorithms.length === 0) fail('algorithms must not be empty');
  for (const alg of algorithms) {
    if (!ASYMMETRIC_ALGORITHMS.has(alg)) {
      fail(
        `algorithm "${alg}" is not allowed; use asymmetric ones: ${[...ASYMMETRIC_ALGORITHMS].join(', ')}`,
      );
    }
  }

  const clockToleranceSec = nonNegative('clockToleranceSec', options.clockToleranceSec ?? 5, false);
  if (clockToleranceSec > MAX_CLOCK_TOLERANCE_SEC) {
    fail(`clockToleranceSec must be at most ${MAX_CLOCK_TOLERANCE_SEC}, got ${clockToleranceSec}`);
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') fail('now must be a function');

  return {
    issuer,
    keySource,
    audience,
    algorithms,
    clockToleranceSec,
    cacheMaxEntries: nonNegative('cacheMaxEntries', options.cacheMaxEntries ?? 10_000, true),
    jwksCooldownMs: nonNegative('jwksCooldownMs', options.jwksCooldownMs ?? 30_000, false),
    now,
  };
}
