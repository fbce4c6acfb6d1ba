import type { TokenClient } from './token-client.ts';

// A definition author's authority as oauth-service sees it now: whether the account is active and the
// scopes its roles grant. Asked with flow-service's own machine token (audience PUBLIC_URL/api/admin, scope
// admin:authority), which no http step can obtain (see docs/adr/0001-flow-step-authority.md).

export const AUTHORITY_SCOPE = 'admin:authority';

export interface Authority {
  active: boolean;
  scopes: string[];
}

export class AuthorityUnavailableError extends Error {
  override name = 'AuthorityUnavailableError';
}

export interface AuthorityClient {
  /** The user's current authority; null when oauth-service knows no such user. */
  current(sub: string): Promise<Authority | null>;
}

export function createAuthorityClient(options: {
  /** oauth-service's admin API base, e.g. http://127.0.0.1:3001/api/admin. */
  adminUrl: string;
  /** The admin API's resource identifier, PUBLIC_URL/api/admin. */
  audience: string;
  tokens: TokenClient;
  fetch?: typeof fetch;
}): AuthorityClient {
  const doFetch = options.fetch ?? fetch;
  const tokenRequest = { resource: options.audience, scope: AUTHORITY_SCOPE };
  return {
    async current(sub) {
      let response: Response;
      try {
        const token = await options.tokens.token(tokenRequest);
        response = await doFetch(`${options.adminUrl}/users/${encodeURIComponent(sub)}/authority`, {
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        throw new AuthorityUnavailableError(
          `cannot ask oauth-service for ${sub}'s scopes: ${(error as Error).message}`,
        );
      }
      if (response.status === 404) return null;
      if (response.status === 401) options.tokens.invalidate(tokenRequest);
      if (!response.ok)
        throw new AuthorityUnavailableError(
          `oauth-service answered ${response.status} when asked for ${sub}'s scopes`,
        );
      const body = (await response.json()) as Partial<Authority>;
      return { active: body.active === true, scopes: Array.isArray(body.scopes) ? body.scopes : [] };
    },
  };
}

export const scopeList = (scope: string | undefined): string[] =>
  scope ? [...new Set(scope.split(/\s+/).filter(Boolean))] : [];
