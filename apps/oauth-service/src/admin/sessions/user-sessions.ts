import { type Kysely, sql } from 'kysely';
import type Provider from 'oidc-provider';
import { likeContains } from '../../accounts/users.repository.ts';
import type { OAuthSchema } from '../../db/schema.ts';
import type { ConsentsStore } from '../../interactions/consents.ts';

// A user's standing access: the consent remembered per client (consents table), the provider Grants that
// back their refresh tokens, and their sign-in Sessions (both in oidc_payloads). Revoking means all three
// go: the consent row (or the next sign-in would rebuild the grant from it), the Grant with every token
// and code issued under it (so refresh tokens die), and the Session rows (so the next authorization asks
// the user to sign in again). JWT access tokens already issued stay valid until they expire (minutes).

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
  authorizations?: Record<string, { grantId?: string }>;
}

const words = (value: string | undefined) => (value ? value.split(' ').filter(Boolean) : []);
const seconds = (value: number | undefined) => (typeof value === 'number' ? value * 1000 : null);

// The token models oidc-provider revokes with a grant (lib/helpers/revoke.js).
const GRANT_BOUND = [
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
] as const;

/** Destroys a Grant with every token and code issued under it: its refresh tokens stop working at once. */
export async function destroyGrant(provider: Provider, grantId: string): Promise<void> {
  await Promise.all(GRANT_BOUND.map((model) => provider[model].revokeByGrantId(grantId)));
  await provider.Grant.adapter.destroy(grantId);
}

export function userSessions(deps: {
  db: Kysely<OAuthSchema>;
  provider: () => Provider;
  consents: Pick<ConsentsStore, 'listForUser' | 'revoke'>;
  now?: () => number;
}) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  /**
   * Live rows of `model` belonging to the user. The payload is opaque text on both dialects; a LIKE on the
   * serialized `"accountId":"<id>"` narrows the scan, and the parsed payload decides.
   */
  async function rowsOf<P extends { accountId?: string }>(model: 'Grant' | 'Session', userId: string) {
    const pattern = likeContains(`"accountId":${JSON.stringify(userId)}`);
    const at = now();
    const rows = await db
      .selectFrom('oidc_payloads')
      .select(['id', 'payload', 'expires_at'])
      .where('model', '=', model)
      .where(sql<boolean>`payload like ${pattern} escape '\\'`)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
      .execute();
    return rows
      .map((row) => ({ id: row.id, expiresAt: row.expires_at, payload: JSON.parse(row.payload) as P }))
      .filter((row) => row.payload.accountId === userId);
  }

  async function grantsOf(userId: string): Promise<GrantSummary[]> {
    const rows = await rowsOf<GrantPayload>('Grant', userId);
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

  async function sessionRows(userId: string) {
    return rowsOf<SessionPayload>('Session', userId);
  }

  async function destroySessions(rows: Array<{ id: string }>): Promise<number> {
    const adapter = deps.provider().Session.adapter;
    for (const row of rows) await adapter.destroy(row.id);
    return rows.length;
  }

  return {
    /** Per client: what the user consented to and the grants the provider holds. */
    async listGrants(userId: string) {
      const consents = await deps.consents.listForUser(userId);
      const grants = await grantsOf(userId);
      const clientIds = [...new Set([...consents.map((c) => c.clientId), ...grants.map((g) => g.clientId)])];
      return clientIds.sort().map((clientId) => ({
        clientId,
        consent: consents.find((c) => c.clientId === clientId) ?? null,
        grants: grants.filter((g) => g.clientId === clientId),
      }));
    },

    /**
     * Revokes the user's access: everything, or only what `clientId` holds. For one client the sessions that
     * authorized it go too, so that client needs a fresh sign-in; the user's other sessions stay.
     */
    async revokeGrants(userId: string, clientId?: string): Promise<RevokeCounts> {
      const consents = await deps.consents.revoke(userId, clientId);
      const grants = (await grantsOf(userId)).filter(
        (g) => clientId === undefined || g.clientId === clientId,
      );
      for (const grant of grants) await destroyGrant(deps.provider(), grant.id);
      const sessions = (await sessionRows(userId)).filter(
        (row) => clientId === undefined || Object.hasOwn(row.payload.authorizations ?? {}, clientId),
      );
      return { consents, grants: grants.length, sessions: await destroySessions(sessions) };
    },

    async listSessions(userId: string): Promise<SessionSummary[]> {
      const rows = await sessionRows(userId);
      return rows
        .map(({ expiresAt, payload }) => ({
          id: String(payload.uid ?? ''),
          loginAt: seconds(payload.loginTs),
          expiresAt: expiresAt ?? seconds(payload.exp),
          clients: Object.keys(payload.authorizations ?? {}).sort(),
        }))
        .sort((a, b) => (b.loginAt ?? 0) - (a.loginAt ?? 0));
    },

    /** Signs the user out: every session, or the one with uid `sessionId`. Returns how many ended. */
    async revokeSessions(userId: string, sessionId?: string): Promise<number> {
      const rows = (await sessionRows(userId)).filter(
        (row) => sessionId === undefined || row.payload.uid === sessionId,
      );
      return destroySessions(rows);
    },
  };
}

export type UserSessions = ReturnType<typeof userSessions>;
