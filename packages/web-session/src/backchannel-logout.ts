import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import type { JWTVerifyGetKey } from 'jose';
import { endedSessions } from './ended-sessions.ts';
import { createLogoutTokenVerifier, LogoutTokenError, type LogoutTokenVerifier } from './logout-token.ts';

// A console's back-channel logout endpoint (OIDC Back-Channel Logout 1.0, section 2.8): oauth-service POSTs
// a logout token when a sign-in session ends there; a verified one ends the console sessions of that `sid`
// (or `sub`) in this process at once (ended-sessions.ts). 200 on success, 400 with an OAuth-style error
// otherwise, never cached.
//
// Several replicas (k8s): the token reaches one. That replica relays the token, as received, to every peer
// the peers URL resolves to (a headless Service); each peer verifies it itself, so a relay carries no
// authority of its own. A relayed token is not relayed again. ADR 0038.

export const RELAY_HEADER = 'x-backchannel-logout-relay';
const RELAY_TIMEOUT_MS = 2_000;
const MAX_BODY_BYTES = 16 * 1024;

export interface BackchannelLogoutOptions {
  /** Names the console in its log lines. */
  app: string;
  issuer: string;
  clientId: string;
  /** oauth-service's JWKS on the internal network. */
  jwksUrl: string;
  /** The signing keys, instead of fetching jwksUrl (tests). */
  keys?: JWTVerifyGetKey;
  /** The console's absolute base URL (its basePath included): the relay posts to the same path on peers. */
  portalUrl: string;
  /** `http://<headless service>:<port>`: resolves to every replica; unset with one replica. */
  peersUrl?: string | undefined;
  /** The other replicas' origins for `peersUrl`, instead of resolving it in DNS (tests). */
  peerOrigins?: (peersUrl: string) => Promise<string[]>;
}

const answer = (status: number, body?: Record<string, string>) =>
  new Response(body ? JSON.stringify(body) : null, {
    status,
    headers: {
      'cache-control': 'no-store',
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
  });

const invalid = (description: string) =>
  answer(400, { error: 'invalid_request', error_description: description });

/** The single `logout_token` of a form-encoded body, or why there is none. */
async function logoutTokenOf(request: Request): Promise<string | { problem: string }> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded'))
    return { problem: 'the body must be application/x-www-form-urlencoded' };
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return { problem: 'the body is too large' };
  const tokens = new URLSearchParams(text).getAll('logout_token');
  if (tokens.length !== 1 || !tokens[0]) return { problem: 'exactly one logout_token is required' };
  return tokens[0];
}

/** This host's own addresses, so the relay skips the replica it runs in. */
function ownAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((entry) => entry?.address)
      .filter((address): address is string => Boolean(address)),
  );
}

/** The other replicas' base URLs (scheme, address, port): what the peers URL resolves to, minus this host. */
async function peerOrigins(peersUrl: string): Promise<string[]> {
  const peers = new URL(peersUrl);
  const own = ownAddresses();
  const addresses = (await lookup(peers.hostname, { all: true })).filter((entry) => !own.has(entry.address));
  return addresses.map(({ address, family }) => {
    const host = family === 6 ? `[${address}]` : address;
    return `${peers.protocol}//${host}${peers.port ? `:${peers.port}` : ''}`;
  });
}

/** Posts the token to every other replica; failures are logged (the peer then learns nothing). */
async function relayToPeers(options: BackchannelLogoutOptions, token: string): Promise<void> {
  if (!options.peersUrl) return;
  const path = `${new URL(options.portalUrl).pathname.replace(/\/$/, '')}/auth/backchannel-logout`;
  const origins = await (options.peerOrigins ?? peerOrigins)(options.peersUrl);
  await Promise.all(
    origins.map(async (origin) => {
      try {
        const response = await fetch(`${origin}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', [RELAY_HEADER]: '1' },
          body: new URLSearchParams({ logout_token: token }),
          signal: AbortSignal.timeout(RELAY_TIMEOUT_MS),
          redirect: 'manual',
        });
        if (response.status !== 200)
          console.error(`${options.app}: back-channel relay to ${origin}: ${response.status}`);
      } catch (error) {
        console.error(`${options.app}: back-channel relay to ${origin} failed:`, (error as Error).message);
      }
    }),
  );
}

/** The `POST` handler of a console's `auth/backchannel-logout` route; `options` is read on first use. */
export function backchannelLogoutRoute(options: () => BackchannelLogoutOptions) {
  let verifier: LogoutTokenVerifier | undefined;
  return async function backchannelLogout(request: Request): Promise<Response> {
    const settings = options();
    verifier ??= createLogoutTokenVerifier({
      issuer: settings.issuer,
      clientId: settings.clientId,
      jwksUrl: settings.jwksUrl,
      ...(settings.keys ? { keys: settings.keys } : {}),
    });
    const token = await logoutTokenOf(request);
    if (typeof token !== 'string') return invalid(token.problem);
    let logout: Awaited<ReturnType<LogoutTokenVerifier>>;
    try {
      logout = await verifier(token);
    } catch (error) {
      if (!(error instanceof LogoutTokenError)) throw error;
      console.error(`${settings.app}: back-channel logout refused: ${error.message}`);
      return invalid(error.message);
    }
    endedSessions().end(logout, logout.iat);
    if (!request.headers.has(RELAY_HEADER)) {
      await relayToPeers(settings, token).catch((error: Error) =>
        console.error(`${settings.app}: back-channel relay failed:`, error.message),
      );
    }
    return answer(200);
  };
}
