import type { FastifyInstance } from 'fastify';
import { bearerAuth } from './bearer-auth.ts';
import { protectedResourceMetadata, protectedResourceMetadataUrl } from './protected-resource-metadata.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

export interface ProtectResourceOptions {
  /** RFC 8707 resource identifier: the `aud` every token must carry, and RFC 9728's `resource`. */
  resource: string;
  /** The token issuer (`iss`): the platform's public origin. */
  issuer: string;
  /** Where the issuer's JWKS is fetched (oauth-service's internal URL). */
  jwksUri: string;
  /** `realm` of the RFC 6750 challenges. */
  realm: string;
  scopes: readonly string[];
  /** Human-readable name in the RFC 9728 metadata. */
  resourceName: string;
}

/**
 * A platform resource server in one call: every route (registered after this) verifies oauth-service's
 * access tokens for `resource` (bearerAuth; routes opt in to scopes with requireScopes), and the RFC 9728
 * metadata document is published at the well-known path the 401 challenges point to.
 */
export async function protectResource(
  app: FastifyInstance,
  options: ProtectResourceOptions,
): Promise<TokenVerifier> {
  const verifier = createTokenVerifier({
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    audience: options.resource,
  });
  await app.register(bearerAuth, {
    verifier,
    realm: options.realm,
    resourceMetadataUrl: protectedResourceMetadataUrl(options.resource),
  });
  protectedResourceMetadata(app, {
    resource: options.resource,
    authorizationServers: [options.issuer],
    scopesSupported: [...options.scopes],
    resourceName: options.resourceName,
  });
  return verifier;
}
