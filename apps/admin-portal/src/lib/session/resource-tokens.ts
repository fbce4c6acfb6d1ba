import { type PortalConfig, portalConfig } from '../config.ts';
import { oidc, oidcConfiguration } from '../oidc/client.ts';
import type { ResourceToken, StoredSession } from './store.ts';
import { type AccessTokenVerifier, createAccessTokenVerifier, refreshDue } from './tokens.ts';

// Access tokens for the platform APIs other than the admin API (RFC 8707). The portal asks for every
// resource at sign-in (one consent; oauth-service keeps only the scopes the user's roles allow), exchanges
// the code for the admin API token, then gets one token per extra resource with the refresh token
// (`grant_type=refresh_token&resource=…`). They live in the same sealed cookie, are refreshed with the admin
// token (refresh tokens rotate, so the exchanges run one after the other, each with the newest refresh
// token), and are only ever sent server to server. A resource the user holds no scope of gets `null`: it is
// not asked again until the next refresh, when the user's roles may have changed.
//
// Each extra resource is one entry of EXTRA_RESOURCES (Workflows: flow-service).

export interface ExtraResource {
  /** Key in StoredSession.resources. */
  key: string;
  /** The RFC 8707 resource indicator (the token's audience). */
  resource(config: PortalConfig): string;
  /** Scopes requested at sign-in (oauth-service withholds those the user's roles lack). */
  scopes: string[];
}

export const EXTRA_RESOURCES: ExtraResource[] = [
  {
    key: 'flow',
    resource: (config) => config.flow.resource,
    scopes: ['flow:read', 'flow:write', 'flow:run', 'flow:approve'],
  },
];

/**
 * Whether a resource token is missing (never asked: a session from before the resource was added) or due
 * for refresh (refreshDue). Sessions without a refresh token cannot get one, so they are never stale for this reason.
 */
export function resourceTokensStale(session: StoredSession, now = Date.now() / 1000): boolean {
  if (!session.refreshToken) return false;
  return EXTRA_RESOURCES.some(({ key }) => {
    const entry = session.resources?.[key];
    return entry === undefined || (entry !== null && refreshDue(entry, now));
  });
}

export type ResourceExchange = (
  refreshToken: string,
  resource: string,
) => Promise<{ accessToken: string; refreshToken?: string; expiresIn?: number; scope?: string } | null>;

/** The token endpoint exchange; null when oauth-service refuses (an OAuth error answer). */
const exchangeAtProvider: ResourceExchange = async (refreshToken, resource) => {
  const configuration = await oidcConfiguration();
  try {
    const tokens = await oidc.refreshTokenGrant(configuration, refreshToken, { resource });
    return {
      accessToken: tokens.access_token,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      ...(tokens.expires_in === undefined ? {} : { expiresIn: tokens.expires_in }),
      ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
    };
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) return null;
    throw error;
  }
};

/**
 * The session with a fresh token for every extra resource (the refresh token rotated along). A token with
 * no scope at all (the user may use none of the resource) is recorded as null.
 */
export async function refreshResourceTokens(
  session: StoredSession,
  exchange: ResourceExchange = exchangeAtProvider,
  config: PortalConfig = portalConfig(),
): Promise<StoredSession> {
  if (!session.refreshToken) return session;
  let refreshToken = session.refreshToken;
  const resources: Record<string, ResourceToken | null> = { ...session.resources };
  for (const extra of EXTRA_RESOURCES) {
    let result: Awaited<ReturnType<ResourceExchange>>;
    try {
      result = await exchange(refreshToken, extra.resource(config));
    } catch {
      // oauth-service unreachable: keep what the session had (and the newest refresh token, which the
      // caller may just have rotated); the next request tries again.
      continue;
    }
    if (result?.refreshToken) refreshToken = result.refreshToken;
    resources[extra.key] =
      result && (result.scope === undefined || result.scope.trim() !== '')
        ? {
            accessToken: result.accessToken,
            expiresAt: Math.floor(Date.now() / 1000) + (result.expiresIn ?? 60),
          }
        : null;
  }
  return { ...session, refreshToken, resources };
}

const verifiers = new Map<string, AccessTokenVerifier>();

function verifierFor(extra: ExtraResource): AccessTokenVerifier {
  let verifier = verifiers.get(extra.key);
  if (!verifier) {
    const config = portalConfig();
    verifier = createAccessTokenVerifier({
      issuer: config.issuer,
      audience: extra.resource(config),
      jwksUrl: `${config.internalOAuthUrl}/oauth/jwks`,
    });
    verifiers.set(extra.key, verifier);
  }
  return verifier;
}

/**
 * The permissions the session's extra resource tokens carry: each token verified (signature, issuer, its own
 * audience, type, expiry) and issued to the same user; a token that fails counts for nothing.
 */
export async function resourcePermissions(session: StoredSession): Promise<Set<string>> {
  const permissions = new Set<string>();
  await Promise.all(
    EXTRA_RESOURCES.map(async (extra) => {
      const entry = session.resources?.[extra.key];
      if (!entry) return;
      try {
        const verified = await verifierFor(extra)(entry.accessToken);
        if (verified.sub !== session.user.sub) return;
        for (const scope of verified.permissions) permissions.add(scope);
      } catch {
        // expired or not ours: no permission from it
      }
    }),
  );
  return permissions;
}

/** The scopes the portal asks for at sign-in besides its own (identity and the admin API). */
export const extraScopes = () => EXTRA_RESOURCES.flatMap((extra) => extra.scopes);

/** The resource indicators the portal names at sign-in besides the admin API. */
export const extraResourceIndicators = (config: PortalConfig) =>
  EXTRA_RESOURCES.map((extra) => extra.resource(config));
