// @platform/auth: how resource services accept OAuth access tokens (RFC 9068 JWTs, RFC 6750 bearer
// usage, RFC 9449 DPoP, RFC 9728 protected resource metadata). Importing it also types `request.token` in Fastify.
export { type BearerAuthOptions, bearerAuth, requireScopes } from './bearer-auth.ts';
export type { DpopVerifierOptions } from './dpop-options.ts';
export { createDpopVerifier, DpopProofError, type DpopVerifier } from './dpop-proof.ts';
export { type ProtectResourceOptions, protectResource } from './protect-resource.ts';
export {
  type ProtectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
} from './protected-resource-metadata.ts';
export { TokenError, type TokenErrorReason } from './token-error.ts';
export {
  createTokenVerifier,
  type TokenActor,
  type TokenVerifier,
  type VerifiedToken,
  type VerifierCacheStats,
} from './token-verifier.ts';
export type { KeySetLoader, TokenVerifierOptions } from './verifier-options.ts';
