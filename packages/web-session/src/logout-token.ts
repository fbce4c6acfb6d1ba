import { createRemoteJWKSet, decodeProtectedHeader, type JWTVerifyGetKey, jwtVerify } from 'jose';

// A logout token (OIDC Back-Channel Logout 1.0, section 2.6) is verified like an ID token and then some:
// signature against oauth-service's JWKS (asymmetric algorithms only), `iss` the token issuer, `aud` this
// console's client id, `iat` recent, the back-channel logout event present, no `nonce` (so an ID token can
// never pass as one), a `sid` and/or `sub`, and a `jti` not seen before (a replayed token is refused).

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

const ALGORITHMS = ['ES256', 'EdDSA', 'PS256', 'RS256'];
/** A logout token is used the moment it is issued: older than this, it is refused. */
const DEFAULT_MAX_AGE_SECONDS = 120;
const CLOCK_TOLERANCE_SECONDS = 5;

/** Why a logout token was refused; the message is safe to return to the sender (it holds no token). */
export class LogoutTokenError extends Error {}

export interface VerifiedLogout {
  sid?: string;
  sub?: string;
  jti: string;
  /** Epoch seconds. */
  iat: number;
}

export interface LogoutTokenVerifierOptions {
  issuer: string;
  /** This console's client id: the token's audience. */
  clientId: string;
  /** oauth-service's JWKS on the internal network; or `keys` (tests). */
  jwksUrl?: string;
  keys?: JWTVerifyGetKey;
  maxAgeSeconds?: number;
  /** Epoch milliseconds; the clock (tests). */
  now?: () => number;
}

export type LogoutTokenVerifier = (token: string) => Promise<VerifiedLogout>;

function keysOf(options: LogoutTokenVerifierOptions): JWTVerifyGetKey {
  if (options.keys) return options.keys;
  if (!options.jwksUrl) throw new TypeError('a logout token verifier needs jwksUrl or keys');
  return createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 5_000, timeoutDuration: 5_000 });
}

const optionalString = (value: unknown, name: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw new LogoutTokenError(`${name} must be a string`);
  return value;
};

/** The checks of section 2.6 beyond signature, iss, aud and iat. */
function logoutClaims(payload: Record<string, unknown>): Omit<VerifiedLogout, 'iat'> {
  const events = payload.events;
  if (
    typeof events !== 'object' ||
    events === null ||
    typeof (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] !== 'object' ||
    (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] === null
  ) {
    throw new LogoutTokenError('events must hold the back-channel logout event');
  }
  if ('nonce' in payload) throw new LogoutTokenError('a logout token must not contain nonce');
  const sid = optionalString(payload.sid, 'sid');
  const sub = optionalString(payload.sub, 'sub');
  if (!sid && !sub) throw new LogoutTokenError('a logout token names a sid, a sub or both');
  const jti = optionalString(payload.jti, 'jti');
  if (!jti) throw new LogoutTokenError('jti is missing');
  return { ...(sid ? { sid } : {}), ...(sub ? { sub } : {}), jti };
}

/** Typed `logout+jwt` (section 2.4 recommends it); an untyped or plain JWT is accepted, another type not. */
function assertType(token: string): void {
  let typ: unknown;
  try {
    typ = decodeProtectedHeader(token).typ;
  } catch {
    throw new LogoutTokenError('not a signed JWT');
  }
  if (typ !== undefined && typ !== 'logout+jwt' && typ !== 'JWT')
    throw new LogoutTokenError(`typ ${String(typ)} is not a logout token`);
}

/**
 * A verifier with its own memory of the jtis it accepted, kept as long as such a token could still pass the
 * age check (a replay after that fails on `iat`).
 */
export function createLogoutTokenVerifier(options: LogoutTokenVerifierOptions): LogoutTokenVerifier {
  const keys = keysOf(options);
  const now = options.now ?? Date.now;
  const maxAge = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  const seen = new Map<string, number>();
  const forgetOld = (at: number) => {
    for (const [jti, until] of seen) {
      if (until > at) break;
      seen.delete(jti);
    }
  };
  return async (token) => {
    assertType(token);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.clientId,
        algorithms: ALGORITHMS,
        maxTokenAge: maxAge,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(now()),
      }));
    } catch (error) {
      throw new LogoutTokenError(`logout token refused: ${(error as Error).message}`);
    }
    const iat = payload.iat as number;
    const claims = logoutClaims(payload);
    const at = Math.floor(now() / 1000);
    forgetOld(at);
    if (seen.has(claims.jti)) throw new LogoutTokenError('logout token already used (jti replayed)');
    seen.set(claims.jti, iat + maxAge + CLOCK_TOLERANCE_SECONDS);
    return { ...claims, iat };
  };
}
