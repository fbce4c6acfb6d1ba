import type { FastifyPluginCallback, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import {
  type Challenge,
  insufficientScope,
  invalidProof,
  invalidToken,
  missingToken,
  type Scheme,
  tokenFailure,
} from './auth-errors.ts';
import { headerCount, parseAuthorization } from './bearer-credential.ts';
import { DpopProofError, type DpopVerifier } from './dpop-proof.ts';
import { assertScopeTokens } from './scope-token.ts';
import type { TokenVerifier, VerifiedToken } from './token-verifier.ts';
import { formatBearerChallenge } from './www-authenticate.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified access token (`Authorization: Bearer`, or `DPoP` with a valid proof), or null if none
     * (or an invalid one) came.
     */
    token: VerifiedToken | null;
  }
}

export interface BearerAuthOptions {
  verifier: Pick<TokenVerifier, 'verify'>;
  /** The `realm` of the WWW-Authenticate challenge, e.g. the service name. */
  realm: string;
  /** This resource's RFC 9728 metadata URL; see `protectedResourceMetadataUrl`. */
  resourceMetadataUrl: string;
  /**
   * Accepts `Authorization: DPoP` with a proof checked by this verifier (RFC 9449). Without it only Bearer
   * is accepted, and a DPoP-bound token is refused either way.
   */
  dpop?: DpopVerifier;
}

interface AuthState {
  challenge: Challenge;
  /** The scheme the request used, so a later 403 answers in it. */
  scheme: Scheme;
  /** Why the presented credentials were refused; thrown only by routes that require a token. */
  failure: Error | null;
}

// Per-request state lives beside the request rather than on it, so nothing but `token` is visible to routes.
const authStates = new WeakMap<FastifyRequest, AuthState>();

const MALFORMED_HEADER = 'The Authorization header is not a valid Bearer or DPoP credential.';
const REPEATED_HEADER = 'Send exactly one Authorization header.';
const NO_DPOP = 'This resource accepts only Bearer tokens.';
const BOUND_AS_BEARER =
  'The access token is bound to a key (DPoP): send it with the DPoP scheme and a proof of that key.';

/** Checks the options at registration, so a misconfigured service fails at startup, not on a request. */
function challengeFor(options: BearerAuthOptions): Challenge {
  const { verifier, realm, resourceMetadataUrl, dpop } = options;
  if (typeof verifier?.verify !== 'function')
    throw new TypeError('bearerAuth: verifier must have a verify() method');
  if (typeof realm !== 'string' || realm === '')
    throw new TypeError('bearerAuth: realm must be a non-empty string');
  if (dpop !== undefined && typeof dpop?.verify !== 'function')
    throw new TypeError('bearerAuth: dpop must be a DPoP verifier (createDpopVerifier)');
  const metadataUrl = URL.parse(resourceMetadataUrl);
  if (!metadataUrl || (metadataUrl.protocol !== 'https:' && metadataUrl.protocol !== 'http:')) {
    throw new TypeError(
      `bearerAuth: resourceMetadataUrl must be an absolute http(s) URL, got "${resourceMetadataUrl}"`,
    );
  }
  const challenge: Challenge = {
    realm,
    resourceMetadata: metadataUrl.href,
    dpopAlgs: dpop ? dpop.algorithms : null,
  };
  formatBearerChallenge(challenge); // throws if the realm cannot go into a header
  return challenge;
}

/**
 * RFC 9449 §4.3/§7.1: the one `DPoP` header must be a valid proof for this request, this token and the key
 * the token is bound to (if any). Returns the refusal, or null when the proof holds.
 */
async function checkProof(
  request: FastifyRequest,
  dpop: DpopVerifier,
  challenge: Challenge,
  accessToken: string,
  token: VerifiedToken,
): Promise<Error | null> {
  const count = headerCount(request.raw.rawHeaders, 'dpop');
  if (count !== 1) {
    return invalidProof(
      challenge,
      count === 0 ? 'The DPoP scheme needs a DPoP proof header.' : 'Send exactly one DPoP header.',
    );
  }
  try {
    await dpop.verify({
      proof: request.headers.dpop as string,
      method: request.method,
      target: request.url,
      accessToken,
      boundJkt: token.jkt,
    });
    return null;
  } catch (error) {
    if (error instanceof DpopProofError)
      return invalidProof(challenge, `Invalid DPoP proof: ${error.message}.`);
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Sets `request.token`, or the state's failure, from the request's Authorization (and DPoP) headers. */
async function authenticate(request: FastifyRequest, state: AuthState, options: BearerAuthOptions) {
  const { challenge } = state;
  const credential = parseAuthorization(request.headers.authorization);
  if (credential.kind === 'none') return;
  // Node keeps only the first of several Authorization headers; a proxy in front may have read another.
  if (credential.kind === 'malformed' || headerCount(request.raw.rawHeaders, 'authorization') > 1) {
    state.failure = invalidToken(
      challenge,
      'bearer',
      credential.kind === 'malformed' ? MALFORMED_HEADER : REPEATED_HEADER,
    );
    return;
  }
  state.scheme = credential.scheme;
  const { dpop } = options;
  if (credential.scheme === 'dpop' && !dpop) {
    state.failure = invalidToken(challenge, 'bearer', NO_DPOP);
    return;
  }
  let token: VerifiedToken;
  try {
    // Cached by token hash: the signature is checked once, the proof on every request.
    token = await options.verifier.verify(credential.token);
  } catch (error) {
    state.failure = tokenFailure(error, challenge, credential.scheme);
    return;
  }
  if (credential.scheme === 'bearer') {
    // RFC 9449 §7.1: a bound token presented as a bearer token is refused, in the DPoP scheme.
    if (token.jkt !== null) state.failure = invalidToken(challenge, 'dpop', BOUND_AS_BEARER);
    else request.token = token;
    return;
  }
  state.failure = await checkProof(request, dpop!, challenge, credential.token, token);
  if (state.failure === null) request.token = token;
}

const bearerAuthPlugin: FastifyPluginCallback<BearerAuthOptions> = (app, options, done) => {
  let challenge: Challenge;
  try {
    challenge = challengeFor(options);
  } catch (error) {
    done(error as Error);
    return;
  }

  app.decorateRequest('token', null);
  // Runs for every route so public routes can read request.token too; a bad token only fails the request
  // when a route asks for one (requireScopes).
  app.addHook('onRequest', async (request) => {
    const state: AuthState = { challenge, scheme: 'bearer', failure: null };
    authStates.set(request, state);
    await authenticate(request, state, options);
  });
  done();
};

/**
 * Reads `Authorization: Bearer` (RFC 6750) or, with `dpop`, `Authorization: DPoP` and its proof (RFC 9449)
 * on every request and sets `request.token`; challenges point to the RFC 9728 metadata (§5.1).
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
      done(insufficientScope(state.challenge, state.scheme, required));
      return;
    }
    done();
  };
}
