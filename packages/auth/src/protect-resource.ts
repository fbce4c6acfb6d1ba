import type { FastifyInstance } from 'fastify';
import { bearerAuth } from './bearer-auth.ts';
import { createDpopVerifier, type DpopVerifier } from './dpop-proof.ts';
import { protectedResourceMetadata, protectedResourceMetadataUrl } from './protected-resource-metadata.ts';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts';

export interface ProtectResourceOptions {
  /** RFC 8707 resource identifier: the `aud` every token must carry, and RFC 9728's `resource`. */
  resource: string;
  /** The token issuer (`iss`): the platform's public origin. */
  issuer: string;
  /** Where the token issuer's JWKS is fetched (oauth-service's internal URL). */
  jwksUri: string;
  /** `realm` of the RFC 6750 challenges. */
  realm: string;
  scopes: readonly string[];
  /** Human-readable name in the RFC 9728 metadata. */
  resourceName: string;
  /**
   * The public URL clients address this resource at; DPoP proofs' `htu` must be its origin plus the request
   * path. Defaults to `resource`, which is PUBLIC_URL plus the service prefix.
   */
  publicUrl?: string;
}

/**
 * A platform resource server in one call: every route (registered after this) verifies oauth-service's
 * access tokens for `resource` (bearerAuth, Bearer or DPoP with a proof; routes opt in to scopes with
 * requireScopes), and the RFC 9728
 * metadata document is published at the well-known path the 401 challenges point to.
 */
export async function protectResource(
  app: FastifyInstance,
  options: ProtectResourceOptions,
): Promise<TokenVerifier> {
  const dpop: DpopVerifier = createDpopVerifier({ publicUrl: options.publicUrl ?? options.resource });
  const verifier = createTokenVerifier({
    issuer: options.issuer,
    jwksUri: options.jwksUri,
    audience: options.resource,
  });
  await app.register(bearerAuth, {
    verifier,
    realm: options.realm,
    resourceMetadataUrl: protectedResourceMetadataUrl(options.resource),
    dpop,
  });
  protectedResourceMetadata(app, {
    resource: options.resource,
    authorizationServers: [options.issuer],
    scopesSupported: [...options.scopes],
    resourceName: options.resourceName,
    dpopSigningAlgValuesSupported: dpop.algorithms,
  });
  return verifier;
}
