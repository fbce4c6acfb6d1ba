import { ASYMMETRIC_ALGORITHMS, MAX_CLOCK_TOLERANCE_SEC } from './verifier-options.ts';

export interface DpopVerifierOptions {
  /**
   * The platform's public URL (PUBLIC_URL). A proof's `htu` must be its origin plus the request path: the
   * URL the client addressed. Request headers (Host, X-Forwarded-Host) are never consulted, so a client
   * cannot make a proof made for another server count here.
   */
  publicUrl: string;
  /** Accepted proof algorithms; asymmetric only. Default ES256, EdDSA, PS256, RS256 (those oauth-service accepts). */
  algorithms?: readonly string[];
  /** How old a proof's `iat` may be, in seconds. Default 60, at most 300. */
  maxAgeSec?: number;
  /** Leeway for clocks, in seconds, both ways around `iat`. Default 5, at most 300. */
  clockToleranceSec?: number;
  /** Proofs remembered against replay (LRU of `jti`s). Default 100,000. */
  replayCacheMaxEntries?: number;
  /** Current time in milliseconds since the epoch; for tests. Default `Date.now`. */
  now?: () => number;
}

export interface ResolvedDpopOptions {
  origin: string;
  algorithms: string[];
  maxAgeSec: number;
  clockToleranceSec: number;
  replayCacheMaxEntries: number;
  now: () => number;
}

export const DEFAULT_DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'PS256', 'RS256'];

// A longer window lets a captured proof be replayed against a server that lost its replay cache (restart,
// another instance) for longer.
const MAX_AGE_LIMIT_SEC = 300;

function fail(message: string): never {
  throw new TypeError(`createDpopVerifier: ${message}`);
}

function boundedNumber(name: string, value: number, min: number, max: number, integer = false): number {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    fail(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** Applies defaults and rejects a misconfiguration at startup rather than on the first request. */
export function resolveDpopOptions(options: DpopVerifierOptions): ResolvedDpopOptions {
  const url = typeof options.publicUrl === 'string' ? URL.parse(options.publicUrl) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    fail(`publicUrl must be an absolute http(s) URL, got ${JSON.stringify(options.publicUrl)}`);
  }
  const algorithms = [...(options.algorithms ?? DEFAULT_DPOP_ALGORITHMS)];
  if (algorithms.length === 0) fail('algorithms must not be empty');
  for (const alg of algorithms) {
    if (!ASYMMETRIC_ALGORITHMS.has(alg)) fail(`algorithm "${alg}" is not an asymmetric JWS algorithm`);
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') fail('now must be a function');
  return {
    origin: url.origin,
    algorithms,
    maxAgeSec: boundedNumber('maxAgeSec', options.maxAgeSec ?? 60, 1, MAX_AGE_LIMIT_SEC),
    clockToleranceSec: boundedNumber(
      'clockToleranceSec',
      options.clockToleranceSec ?? 5,
      0,
      MAX_CLOCK_TOLERANCE_SEC,
    ),
    replayCacheMaxEntries: boundedNumber(
      'replayCacheMaxEntries',
      options.replayCacheMaxEntries ?? 100_000,
      // Zero would turn replay protection off.
      1,
      Number.MAX_SAFE_INTEGER,
      true,
    ),
    now,
  };
}
