import { HttpError } from '@platform/http';
import type { FastifyPluginCallback, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { parseBearerCredential } from './bearer-credential.ts';
import { assertScopeTokens } from './scope-token.ts';
import { TokenError, type TokenErrorReason } from './token-error.ts';
import type { TokenVerifier, VerifiedToken } from './token-verifier.ts';
import { type BearerChallenge, formatBearerChallenge } from './www-authenticate.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token from `Authorization: Bearer`, or null if none (or an invalid one) came. */
    token: VerifiedToken | null;
  }
}

export interface BearerAuthOptions {
  verifier: Pick<TokenVerifier, 'verify'>;
  /** The `realm` of the WWW-Authenticate challenge, e.g. the service name. */
  realm: string;
  /** This resource's RFC 9728 metadata URL; see `protectedResourceMetadataUrl`. */
  resourceMetadataUrl: string;
}

type Challenge = Omit<BearerChallenge, 'error' | 'errorDescription' | 'scope'>;

interface AuthState {
  challenge: Challenge;
  /** Why the presented credentials were refused; thrown only by routes that require a token. */
  failure: Error | null;
}

// Per-request state lives beside the request rather than on it, so nothing but `token` is visible to routes.
const authStates = new WeakMap<FastifyRequest, AuthState>();

const MALFORMED_HEADER = 'The Authorization header is not a valid Bearer credential.';
const INVALID_TOKEN = 'The access token is invalid.';
// Only reasons a client can act on get their own words; signature, issuer, type and claim problems all
// read the same, so the response does not help anyone probe the verifier.
const DESCRIPTIONS: Partial<Record<TokenErrorReason, string>> = {
  expired: 'The access token has expired.',
  not_yet_valid: 'The access token is not valid yet.',
  invalid_audience: 'The access token is not intended for this resource.',
};

function invalidToken(challenge: Challenge, description: string, cause?: unknown): HttpError {
  return new HttpError({
    status: 401,
    code: 'invalid_token',
    detail: description,
    headers: {
      'www-authenticate': formatBearerChallenge({
        ...challenge,
        error: 'invalid_token',
        errorDescription: description,
      }),
    },
    cause,
  });
}

function missingToken(challenge: Challenge): HttpError {
  return new HttpError({
    status: 401,
    code: 'missing_token',
    detail: 'This resource requires an access token in the Authorization header (Bearer scheme).',
    // RFC 6750 §3.1: no error attribute when the request carried no credentials.
    headers: { 'www-authenticate': formatBearerChallenge(challenge) },
  });
}

function insufficientScope(challenge: Challenge, required: readonly string[]): HttpError {
  const scope = required.join(' ');
  return new HttpError({
    status: 403,
    code: 'insufficient_scope',
    detail: `The access token lacks a required scope; needed: ${scope}.`,
    headers: {
      'www-authenticate': formatBearerChallenge({ ...challenge, error: 'insufficient_scope', scope }),
    },
  });
}

function toFailure(error: unknown, challenge: Challenge): Error {
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
  return invalidToken(challenge, DESCRIPTIONS[error.reason] ?? INVALID_TOKEN, error);
}

/** Checks the options at registration, so a misconfigured service fails at startup, not on a request. */
function challengeFor(options: BearerAuthOptions): Challenge {
  const { verifier, realm, resourceMetadataUrl } = options;
  if (typeof verifier?.verify !== 'function')
    throw new TypeError('bearerAuth: verifier must have a verify() method');
  if (typeof realm !== 'string' || realm === '')
    throw new TypeError('bearerAuth: realm must be a non-empty string');
  const metadataUrl = URL.parse(resourceMetadataUrl);
  if (!metadataUrl || (metadataUrl.protocol !== 'https:' && metadataUrl.protocol !== 'http:')) {
    throw new TypeError(
      `bearerAuth: resourceMetadataUrl must be an absolute http(s) URL, got "${resourceMetadataUrl}"`,
    );
  }
  const challenge: Challenge = { realm, resourceMetadata: metadataUrl.href };
  formatBearerChallenge(challenge); // throws if the realm cannot go into a header
  return challenge;
}

const bearerAuthPlugin: FastifyPluginCallback<BearerAuthOptions> = (app, options, done) => {
  let challenge: Challenge;
  try {
    challenge = challengeFor(options);
  } catch (error) {
    done(error as Error);
    return;
  }
  const { verifier } = options;

  app.decorateRequest('token', null);
  // Runs for every route so public routes can read request.token too; a bad token only fails the request
  // when a route asks for one (requireScopes).
  app.addHook('onRequest', async (request) => {
    const state: AuthState = { challenge, failure: null };
    authStates.set(request, state);
    const credential = parseBearerCredential(request.headers.authorization);
    if (credential.kind === 'none') return;
    if (credential.kind === 'malformed') {
      state.failure = invalidToken(challenge, MALFORMED_HEADER);
      return;
    }
    try {
      request.token = await verifier.verify(credential.token);
    } catch (error) {
      state.failure = toFailure(error, challenge);
    }
  });
  done();
};

/**
 * Reads `Authorization: Bearer` on every request and sets `request.token` (RFC 6750, RFC 9728 §5.1).
 * Register once on the root app; protect routes with `requireScopes`.
 */
export const bearerAuth = fp(bearerAuthPlugin, { name: '@platform/auth/bearer-auth', fastify: '5.x' });

/**
 * A preHandler that lets the request through only with a valid token holding every listed scope.
 * `requireScopes()` with no scopes just requires a valid token. 401 without or with a bad token,
 * 403 `insufficient_scope` with the needed scopes in the challenge when a scope is missing.
 */
export function requireScopes(...scopes: string[]): preHandlerHookHandler {
  assertScopeTokens('requireScopes', scopes);
  const required = [...new Set(scopes)];
  return function requireScopesHook(request, _reply, done) {
    const state = authStates.get(request);
    if (!state) {
      done(new Error('requireScopes: the bearerAuth plugin is not registered on this app'));
      return;
    }
    if (state.failure) {
      done(state.failure);
      return;
    }
    const token = request.token;
    if (!token) {
      done(missingToken(state.challenge));
      return;
    }
    if (!required.every((scope) => token.scopes.has(scope))) {
      done(insufficientScope(state.challenge, required));
      return;
    }
    done();
  };
}
