import type Provider from 'oidc-provider';

// An account-API access token names the sign-in session it was issued in (`sid`, the session id the
// provider gives the client, as an ID token's `sid` claim would carry it), so the API knows which of the
// user's sessions is the caller's own ("this session" in the list, the one a password change keeps)
// without trusting anything the browser sends. The provider keeps the session's uid on every token of
// the chain, refreshed ones included; a session that has ended adds nothing. They also carry the session's
// `auth_time` (its last sign-in, renewed by `prompt=login` / `max_age`), which sensitive account changes
// require to be recent (recent-sign-in.ts).

interface IssuedToken {
  sessionUid?: string;
  clientId?: string;
  resourceServer?: { audience?: string };
}

export async function accountSessionClaim(
  provider: Provider | undefined,
  token: IssuedToken,
  accountResource: string,
): Promise<{ sid: string; auth_time?: number } | undefined> {
  if (!provider || token.resourceServer?.audience !== accountResource) return undefined;
  if (typeof token.sessionUid !== 'string' || typeof token.clientId !== 'string') return undefined;
  const session = await provider.Session.findByUid(token.sessionUid);
  const sid = session?.authorizations?.[token.clientId]?.sid;
  if (typeof sid !== 'string') return undefined;
  const authTime = session?.authTime();
  return typeof authTime === 'number' ? { sid, auth_time: authTime } : { sid };
}
