import type { FastifyRequest } from 'fastify';
import type { TokenClient } from '../http-step/token-client.ts';
import { REFRESH_PREFIX, type SealedActingUser } from './acting-users.repository.ts';
import type { TokenSeal } from './token-seal.ts';

/** What keeps a run's user: the seal (null without a client secret) and the token client that exchanges. */
export interface ActingUserKeeper {
  seal: TokenSeal | null;
  tokens: Pick<TokenClient, 'refreshTokenFor' | 'revoke'> | null;
}

/**
 * The user a request that starts a run acts for: its verified token's subject and the refresh token that
 * token is exchanged for once, here (ADR 0036), sealed; the access token itself when oauth-service issues
 * no refresh token (its steps then work while it lives). A DPoP-bound token is not kept (flow-service
 * cannot prove possession of its key): the run still acts for the user, and its token-bearing steps fail
 * saying why. Null without a seal (no client secret: no step can exchange a token).
 */
export async function actingUserOf(
  request: FastifyRequest,
  { seal, tokens }: ActingUserKeeper,
): Promise<SealedActingUser | null> {
  const verified = request.token;
  if (!seal || !verified) return null;
  const presented = /^(?:bearer|dpop)\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!presented) return null;
  if (verified.jkt !== null) return { sub: verified.sub, sealedToken: null, expiresAt: verified.exp * 1000 };
  const refresh = await tokens?.refreshTokenFor(presented);
  if (!refresh)
    return { sub: verified.sub, sealedToken: seal.seal(presented), expiresAt: verified.exp * 1000 };
  return {
    sub: verified.sub,
    sealedToken: seal.seal(`${REFRESH_PREFIX}${refresh.token}`),
    expiresAt: refresh.expiresAt,
  };
}

/** Revokes the refresh token a start request obtained but no run keeps (an Idempotency-Key replay). */
export async function releaseUnused(
  user: SealedActingUser | null,
  { seal, tokens }: ActingUserKeeper,
): Promise<void> {
  const opened = user?.sealedToken && seal?.open(user.sealedToken);
  if (!opened?.startsWith(REFRESH_PREFIX) || !tokens) return;
  await tokens.revoke(opened.slice(REFRESH_PREFIX.length)).catch(() => undefined);
}
