export interface TokenVerifierOptions {
  /** Expected `iss`, compared exactly. */
  issuer: string;
  /** The issuer's JWKS endpoint (http or https). */
  jwksUri: string;
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

export interface ResolvedVerifierOptions {
  issuer: string;
  jwksUrl: URL;
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

/** Applies defaults and rejects a misconfiguration at startup rather than on the first request. */
export function resolveVerifierOptions(options: TokenVerifierOptions): ResolvedVerifierOptions {
  const issuer = nonEmptyString('issuer', options.issuer);
  if (!URL.canParse(issuer)) fail(`issuer must be a URL, got "${issuer}"`);
  const audience = nonEmptyString('audience', options.audience);

  const jwksUri = nonEmptyString('jwksUri', options.jwksUri);
  const jwksUrl = URL.parse(jwksUri);
  if (!jwksUrl || (jwksUrl.protocol !== 'https:' && jwksUrl.protocol !== 'http:')) {
    fail(`jwksUri must be an http(s) URL, got "${jwksUri}"`);
  }

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
    jwksUrl,
    audience,
    algorithms,
    clockToleranceSec,
    cacheMaxEntries: nonNegative('cacheMaxEntries', options.cacheMaxEntries ?? 10_000, true),
    jwksCooldownMs: nonNegative('jwksCooldownMs', options.jwksCooldownMs ?? 30_000, false),
    now,
  };
}
