import type { FastifyInstance } from 'fastify';
import { assertScopeTokens } from './scope-token.ts';

export const WELL_KNOWN_SUFFIX = '/.well-known/oauth-protected-resource';

export interface ProtectedResourceMetadataOptions {
  /** The resource identifier, e.g. `https://api.example.com/notes`; tokens carry it as `aud`. */
  resource: string;
  /** Issuer identifiers of the authorization servers that issue tokens for this resource. */
  authorizationServers: readonly string[];
  scopesSupported: readonly string[];
  /** Human-readable name shown to users. */
  resourceName?: string;
  /** RFC 9449 §5.1: the DPoP proof algorithms accepted; left out of the metadata when not given. */
  dpopSigningAlgValuesSupported?: readonly string[];
  /** Route path; defaults to the RFC 9728 §3.1 well-known path derived from `resource`. */
  path?: string;
}

/** RFC 9728 §2 metadata, as served. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: ['header'];
  resource_name?: string;
  dpop_signing_alg_values_supported?: string[];
}

function parseHttpUrl(where: string, value: unknown): URL {
  const url = typeof value === 'string' ? URL.parse(value) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new TypeError(`${where} must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  return url;
}

function parseResource(where: string, resource: unknown): URL {
  const url = parseHttpUrl(where, resource);
  // RFC 9728 §1.2 forbids a fragment. A query is allowed there but would make the metadata path ambiguous
  // for a route, so it is refused rather than half supported.
  if (
    url.hash !== '' ||
    url.search !== '' ||
    (resource as string).includes('#') ||
    (resource as string).includes('?')
  ) {
    throw new TypeError(`${where} must not have a query or fragment, got ${JSON.stringify(resource)}`);
  }
  if (url.username !== '' || url.password !== '')
    throw new TypeError(`${where} must not contain credentials`);
  return url;
}

/**
 * The RFC 9728 §3.1 metadata URL of `resource`: the well-known suffix goes between the host and the path,
 * and a path of just `/` is dropped. `https://api.example.com/notes` →
 * `https://api.example.com/.well-known/oauth-protected-resource/notes`.
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = parseResource('protectedResourceMetadataUrl: resource', resource);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${WELL_KNOWN_SUFFIX}${path}`;
}

/** Serves this resource's RFC 9728 metadata with GET (and HEAD) on the app. */
export function protectedResourceMetadata(
  app: FastifyInstance,
  options: ProtectedResourceMetadataOptions,
): void {
  const where = 'protectedResourceMetadata';
  parseResource(`${where}: resource`, options.resource);
  if (!Array.isArray(options.authorizationServers) || options.authorizationServers.length === 0) {
    throw new TypeError(`${where}: authorizationServers must list at least one issuer`);
  }
  for (const server of options.authorizationServers)
    parseHttpUrl(`${where}: authorizationServers entry`, server);
  if (!Array.isArray(options.scopesSupported))
    throw new TypeError(`${where}: scopesSupported must be an array`);
  assertScopeTokens(where, options.scopesSupported);
  if (
    options.resourceName !== undefined &&
    (typeof options.resourceName !== 'string' || options.resourceName === '')
  ) {
    throw new TypeError(`${where}: resourceName must be a non-empty string`);
  }
  const dpopAlgs = options.dpopSigningAlgValuesSupported;
  if (dpopAlgs !== undefined && (!Array.isArray(dpopAlgs) || dpopAlgs.length === 0)) {
    throw new TypeError(`${where}: dpopSigningAlgValuesSupported must be a non-empty array`);
  }
  const path = options.path ?? new URL(protectedResourceMetadataUrl(options.resource)).pathname;
  if (!path.startsWith('/')) throw new TypeError(`${where}: path must start with "/", got "${path}"`);

  // Clients compare `resource` with the identifier they started from (RFC 9728 §3.3), so it is echoed as given.
  // resource_signing_alg_values_supported is left out: this resource does not sign its responses.
  const metadata: ProtectedResourceMetadata = {
    resource: options.resource,
    authorization_servers: [...options.authorizationServers],
    scopes_supported: [...options.scopesSupported],
    bearer_methods_supported: ['header'],
    ...(options.resourceName === undefined ? {} : { resource_name: options.resourceName }),
    // dpop_bound_access_tokens_required stays out (false): unbound tokens are still accepted as Bearer.
    ...(dpopAlgs === undefined ? {} : { dpop_signing_alg_values_supported: [...dpopAlgs] }),
  };
  const body = JSON.stringify(metadata);

  app.get(path, (_request, reply) => {
    // Public, rarely changing, and fetched by every client that meets a 401: let caches keep it an hour.
    reply.header('cache-control', 'public, max-age=3600').type('application/json; charset=utf-8').send(body);
  });
}
