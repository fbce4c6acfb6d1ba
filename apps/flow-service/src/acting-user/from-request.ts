import type { FastifyRequest } from 'fastify';
import type { SealedActingUser } from './acting-users.repository.ts';
import type { TokenSeal } from './token-seal.ts';

/**
 * The user a request that starts a run acts for: its verified token's subject and the token itself,
 * sealed. A DPoP-bound token is not kept (flow-service cannot prove possession of its key; ADR 0036): the
 * run still acts for the user, and its token-bearing steps fail saying why. Null without a seal (no
 * client secret: no step can exchange a token).
 */
export function actingUserOf(request: FastifyRequest, seal: TokenSeal | null): SealedActingUser | null {
  const verified = request.token;
  if (!seal || !verified) return null;
  const presented = /^(?:bearer|dpop)\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!presented) return null;
  return {
    sub: verified.sub,
    sealedToken: verified.jkt === null ? seal.seal(presented) : null,
    expiresAt: verified.exp * 1000,
  };
}
