import type Provider from 'oidc-provider';
import type { ConsentsStore } from '../../interactions/consents.ts';
import { sessionEnded } from '../../oidc/backchannel.ts';
import { destroyGrant, type ProviderPayloadsRepository } from './provider-payloads.repository.ts';

// A user's standing access: the consent remembered per client (consents table), the provider Grants that
// back their refresh tokens, and their sign-in Sessions (both in oidc_payloads). Revoking means all three
// go: the consent row (or the next sign-in would rebuild the grant from it), the Grant with every token
// and code issued under it (so refresh tokens die), and the Session rows (so the next authorization asks
// the user to sign in again). Each client of an ended session with a back-channel logout URI is told
// (oidc/backchannel.ts), so the consoles end their own sessions at once. JWT access tokens already issued
// stay valid until they expire (minutes).

export interface GrantSummary {
  id: string;
  clientId: string;
  /** OpenID scopes granted. */
  scopes: string[];
  /** Resource indicator → scopes granted for it. */
  resources: Record<string, string[]>;
  createdAt: number | null;
  expiresAt: number | null;
}

export interface SessionSummary {
  /** The session's uid: identifies it without being its cookie value (the row id is, so it never leaves). */
  id: string;
  loginAt: number | null;
  expiresAt: number | null;
  /** Clients the user authorized during this session. */
  clients: string[];
}

export interface RevokeCounts {
  consents: number;
  grants: number;
  sessions: number;
}

interface GrantPayload {
  accountId?: string;
  clientId?: string;
  openid?: { scope?: string };
  resources?: Record<string, string>;
  iat?: number;
  exp?: number;
}

interface SessionPayload {
  accountId?: string;
  uid?: string;
  loginTs?: number;
  exp?: number;
  authorizations?: Record<string, { grantId?: string; sid?: string }>;
}

const words = (value: string | undefined) => (value ? value.split(' ').filter(Boolean) : []);
const seconds = (value: number | undefined) => (typeof value === 'number' ? value * 1000 : null);

export interface UserSessionsDeps {
  payloads: ProviderPayloadsRepository;
  provider: () => Provider;
  consents: Pick<ConsentsStore, 'listForUser' | 'revoke'>;
}

export function createUserSessions(deps: UserSessionsDeps) {
  const { payloads } = deps;

  async function grantsOf(userId: string): Promise<GrantSummary[]> {
    const rows = await payloads.live<GrantPayload>('Grant', { name: 'accountId', value: userId });
    return rows.map(({ id, expiresAt, payload }) => ({
      id,
      clientId: String(payload.clientId ?? ''),
      scopes: words(payload.openid?.scope),
      resources: Object.fromEntries(
        Object.entries(payload.resources ?? {}).map(([indicator, scope]) => [indicator, words(scope)]),
      ),
      createdAt: seconds(payload.iat),
      expiresAt: expiresAt ?? seconds(payload.exp),
    }));
  }

  const sessionRows = (userId: string) =>
    payloads.live<SessionPayload>('Session', { name: 'accountId', value: userId });

  /** Ends the sessions, then tells their clients (back-channel logout; bounded by its timeout). */
  async function destroySessions(rows: Array<{ id: string; payload: SessionPayload }>): Promise<number> {
    const provider = deps.provider();
    for (const row of rows) await provider.Session.adapter.destroy(row.id);
    await Promise.all(rows.map((row) => sessionEnded(provider, row.payload)));
    return rows.length;
  }

  /** Per client: what the user consented to and the grants the provider holds. */
  async function listGrants(userId: string) {
    const consents = await deps.consents.listForUser(userId);
    const grants = await grantsOf(userId);
    const clientIds = [...new Set([...consents.map((c) => c.clientId), ...grants.map((g) => g.clientId)])];
    return clientIds.sort().map((clientId) => ({
      clientId,
      consent: consents.find((c) => c.clientId === clientId) ?? null,
      grants: grants.filter((g) => g.clientId === clientId),
    }));
  }

  /**
   * Revokes the user's access: everything, or only what `clientId` holds. For one client the sessions that
   * authorized it go too, so that client needs a fresh sign-in; the user's other sessions stay.
   */
  async function revokeGrants(userId: string, clientId?: string): Promise<RevokeCounts> {
    const consents = await deps.consents.revoke(userId, clientId);
    const grants = (await grantsOf(userId)).filter((g) => clientId === undefined || g.clientId === clientId);
    for (const grant of grants) await destroyGrant(deps.provider(), grant.id);
    const sessions = (await sessionRows(userId)).filter(
      (row) => clientId === undefined || Object.hasOwn(row.payload.authorizations ?? {}, clientId),
    );
    return { consents, grants: grants.length, sessions: await destroySessions(sessions) };
  }

  async function listSessions(userId: string): Promise<SessionSummary[]> {
    const rows = await sessionRows(userId);
    return rows
      .map(({ expiresAt, payload }) => ({
        id: String(payload.uid ?? ''),
        loginAt: seconds(payload.loginTs),
        expiresAt: expiresAt ?? seconds(payload.exp),
        clients: Object.keys(payload.authorizations ?? {}).sort(),
      }))
      .sort((a, b) => (b.loginAt ?? 0) - (a.loginAt ?? 0));
  }

  /** Signs the user out: every session, or the one with uid `sessionId`. Returns how many ended. */
  async function revokeSessions(userId: string, sessionId?: string): Promise<number> {
    const rows = (await sessionRows(userId)).filter(
      (row) => sessionId === undefined || row.payload.uid === sessionId,
    );
    return destroySessions(rows);
  }

  return { listGrants, revokeGrants, listSessions, revokeSessions };
}

export type UserSessions = ReturnType<typeof createUserSessions>;
/** One client's entry in a user's grants: its consent and the provider grants it holds. */
export type UserGrants = Awaited<ReturnType<UserSessions['listGrants']>>[number];
