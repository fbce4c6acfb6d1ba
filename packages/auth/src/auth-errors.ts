import { HttpError } from '@platform/http';
import { TokenError, type TokenErrorReason } from './token-error.ts';
import { type BearerChallenge, formatBearerChallenge, formatDpopChallenge } from './www-authenticate.ts';

/** What every challenge of one resource carries; `dpopAlgs` is null where DPoP is not accepted. */
export interface Challenge extends Omit<BearerChallenge, 'error' | 'errorDescription' | 'scope'> {
  dpopAlgs: readonly string[] | null;
}

/** The scheme a challenge answers in: the one the client used, or DPoP when only DPoP can work. */
export type Scheme = 'bearer' | 'dpop';

const INVALID_TOKEN = 'The access token is invalid.';
// Only reasons a client can act on get their own words; signature, issuer, type and claim problems all
// read the same, so the response does not help anyone probe the verifier.
const DESCRIPTIONS: Partial<Record<TokenErrorReason, string>> = {
  expired: 'The access token has expired.',
  not_yet_valid: 'The access token is not valid yet.',
  invalid_audience: 'The access token is not intended for this resource.',
};

function challengeHeader(
  challenge: Challenge,
  scheme: Scheme,
  error: Pick<BearerChallenge, 'error' | 'errorDescription' | 'scope'>,
): string {
  const { realm, resourceMetadata, dpopAlgs } = challenge;
  if (scheme === 'dpop' && dpopAlgs !== null) {
    return formatDpopChallenge({ realm, resourceMetadata, algs: dpopAlgs, ...error });
  }
  return formatBearerChallenge({ realm, resourceMetadata, ...error });
}

export function invalidToken(
  challenge: Challenge,
  scheme: Scheme,
  description: string,
  cause?: unknown,
): HttpError {
  return new HttpError({
    status: 401,
    code: 'invalid_token',
    detail: description,
    headers: {
      'www-authenticate': challengeHeader(challenge, scheme, {
        error: 'invalid_token',
        errorDescription: description,
      }),
    },
    cause,
  });
}

/** RFC 9449 §7.1: the proof is missing, malformed, or does not fit this request or token. */
export function invalidProof(challenge: Challenge, description: string, cause?: unknown): HttpError {
  return new HttpError({
    status: 401,
    code: 'invalid_dpop_proof',
    detail: description,
    headers: {
      'www-authenticate': challengeHeader(challenge, 'dpop', {
        error: 'invalid_dpop_proof',
        errorDescription: description,
      }),
    },
    cause,
  });
}

export function missingToken(challenge: Challenge): HttpError {
  // RFC 6750 §3.1: no error attribute when the request carried no credentials. Both schemes are offered
  // where both are accepted (RFC 9449 §7.1).
  const bearer = challengeHeader(challenge, 'bearer', {});
  const header =
    challenge.dpopAlgs === null ? bearer : `${bearer}, ${challengeHeader(challenge, 'dpop', {})}`;
  return new HttpError({
    status: 401,
    code: 'missing_token',
    detail:
      challenge.dpopAlgs === null
        ? 'This resource requires an access token in the Authorization header (Bearer scheme).'
        : 'This resource requires an access token in the Authorization header (Bearer or DPoP scheme).',
    headers: { 'www-authenticate': header },
  });
}

export function insufficientScope(
  challenge: Challenge,
  scheme: Scheme,
  required: readonly string[],
): HttpError {
  const scope = required.join(' ');
  return new HttpError({
    status: 403,
    code: 'insufficient_scope',
    detail: `The access token lacks a required scope; needed: ${scope}.`,
    headers: {
      'www-authenticate': challengeHeader(challenge, scheme, { error: 'insufficient_scope', scope }),
    },
  });
}

/** Turns a verifier failure into the response the client gets. */
export function tokenFailure(error: unknown, challenge: Challenge, scheme: Scheme): Error {
  if (!(error instanceof TokenError)) return error instanceof Error ? error : new Error(String(error));
  if (error.reason === 'jwks_unavailable') {
    // The token may be fine: saying 401 would send clients to fetch new tokens that fail the same way.
    return new HttpError({
      status: 503,
      code: 'auth_unavailable',
      detail: 'Access tokens cannot be verified right now; retry shortly.',
      expose: true,
      headers: { 'retry-after': '5' },
      cause: error,
    });
  }
  return invalidToken(challenge, scheme, DESCRIPTIONS[error.reason] ?? INVALID_TOKEN, error);
}
