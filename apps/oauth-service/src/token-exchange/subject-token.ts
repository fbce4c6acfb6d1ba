import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';

// Whether an access token issued here is alive, and what it says: a JWT (RFC 9068) checked against the
// provider's published keys, or an opaque token found in the provider's store; either one's grant must
// still exist.

export type AccessTokenState =
  | { active: false }
  | {
      active: true;
      claims: Record<string, unknown>;
      grantId?: string;
      /** The user the token is for; empty for a client's own token (client_credentials). */
      accountId: string;
      clientId: string;
      scope: string;
      /** Epoch seconds. */
      expiresAt: number;
      /** The DPoP key thumbprint a sender-constrained token is bound to. */
      jkt?: string;
    };

export type AccessTokenCheck = (provider: Provider, token: string) => Promise<AccessTokenState>;

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

const publicPart = ({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...key }: JWK) => key;

async function grantAlive(provider: Provider, grantId: string | undefined): Promise<boolean> {
  return grantId === undefined || (await provider.Grant.find(grantId)) !== undefined;
}

async function checkOpaque(provider: Provider, token: string): Promise<AccessTokenState> {
  const found = await provider.AccessToken.find(token);
  if (!found || found.isExpired || !(await grantAlive(provider, found.grantId))) return { active: false };
  return {
    active: true,
    claims: { sub: found.accountId, client_id: found.clientId, scope: found.scope, ...found.extra },
    ...(found.grantId ? { grantId: found.grantId } : {}),
    accountId: found.accountId ?? '',
    clientId: found.clientId!,
    scope: found.scope ?? '',
    expiresAt: found.exp!,
    ...(found.jkt ? { jkt: found.jkt } : {}),
  };
}

/** Checks JWT access tokens against `keys` (the provider's signing keys) and opaque ones in its store. */
export function createAccessTokenCheck(keys: readonly JWK[]): AccessTokenCheck {
  const jwks = createLocalJWKSet({ keys: keys.map(publicPart) });
  return async (provider, token) => {
    if (!JWT_SHAPE.test(token)) return checkOpaque(provider, token);
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: provider.issuer, typ: 'at+jwt' });
      const clientId = String(payload.client_id ?? '');
      const grantId = typeof payload.grant_id === 'string' ? payload.grant_id : undefined;
      if (!clientId || !(await grantAlive(provider, grantId))) return { active: false };
      const jkt = (payload.cnf as { jkt?: string } | undefined)?.jkt;
      return {
        active: true,
        claims: payload as Record<string, unknown>,
        ...(grantId ? { grantId } : {}),
        accountId: payload.sub && payload.sub !== clientId ? payload.sub : '',
        clientId,
        scope: typeof payload.scope === 'string' ? payload.scope : '',
        expiresAt: payload.exp!,
        ...(jkt ? { jkt } : {}),
      };
    } catch {
      return { active: false };
    }
  };
}
