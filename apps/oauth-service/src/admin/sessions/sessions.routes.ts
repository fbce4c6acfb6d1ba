import { type App, type Handler, notFound } from '@platform/http';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { isoOrNull } from '../schemas.ts';
import { sessionDevices } from './session-devices.ts';
import {
  listGrantsSchema,
  listSessionsSchema,
  revokeAllGrantsSchema,
  revokeAllSessionsSchema,
  revokeClientGrantsSchema,
  revokeSessionSchema,
} from './sessions.schemas.ts';
import type { UserGrants, UserSessions } from './user-sessions.ts';

// A user's consents, grants and sign-in sessions, and their revocation (see user-sessions.ts for what
// revoking takes away).

type Users = AdminDeps['users'];

const clientGrantsView = (entry: UserGrants, names: Map<string, string>) => ({
  client_id: entry.clientId,
  client_name: names.get(entry.clientId) ?? null,
  consent: entry.consent && {
    scopes: entry.consent.oidcScopes,
    resource_scopes: entry.consent.resourceScopes,
    updated_at: isoOrNull(Number(entry.consent.updatedAt)),
  },
  grants: entry.grants.map((grant) => ({
    id: grant.id,
    scopes: grant.scopes,
    resource_scopes: grant.resources,
    created_at: isoOrNull(grant.createdAt),
    expires_at: isoOrNull(grant.expiresAt),
  })),
});

const listGrants =
  (users: Users, kit: AdminKit, sessions: UserSessions): Handler<typeof listGrantsSchema> =>
  async (request) => {
    const user = await users.get(request.params.id);
    const entries = await sessions.listGrants(user.id);
    const names = await kit.clients.namesOf(entries.map((entry) => entry.clientId));
    return { items: entries.map((entry) => clientGrantsView(entry, names)) };
  };

const revokeAllGrants =
  (users: Users, { record }: AdminKit, sessions: UserSessions): Handler<typeof revokeAllGrantsSchema> =>
  async (request) => {
    const user = await users.get(request.params.id);
    const revoked = await sessions.revokeGrants(user.id);
    await record(request, {
      action: 'grant.revoke',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username, all_clients: true, ...revoked },
    });
    return revoked;
  };

const revokeClientGrants =
  (users: Users, { record }: AdminKit, sessions: UserSessions): Handler<typeof revokeClientGrantsSchema> =>
  async (request) => {
    const { clientId } = request.params;
    const user = await users.get(request.params.id);
    const revoked = await sessions.revokeGrants(user.id, clientId);
    if (revoked.consents + revoked.grants + revoked.sessions === 0) {
      throw notFound(`user ${user.id} has no consent, grant or session for client ${clientId}`);
    }
    await record(request, {
      action: 'grant.revoke',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username, client_id: clientId, ...revoked },
    });
    return revoked;
  };

const listSessions =
  (users: Users, audit: AdminDeps['audit'], sessions: UserSessions): Handler<typeof listSessionsSchema> =>
  async (request) => {
    const user = await users.get(request.params.id);
    const list = await sessions.listSessions(user.id);
    const devices = await sessionDevices(audit, user.id, list);
    return {
      items: list.map((session, i) => ({
        id: session.id,
        login_at: isoOrNull(session.loginAt),
        expires_at: isoOrNull(session.expiresAt),
        clients: session.clients,
        ip: devices[i]!.ip,
        user_agent: devices[i]!.userAgent,
        last_used_at: isoOrNull(devices[i]!.lastUsedAt),
      })),
    };
  };

const revokeAllSessions =
  (users: Users, { record }: AdminKit, sessions: UserSessions): Handler<typeof revokeAllSessionsSchema> =>
  async (request) => {
    const user = await users.get(request.params.id);
    const count = await sessions.revokeSessions(user.id);
    await record(request, {
      action: 'session.revoke',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username, all_sessions: true, sessions: count },
    });
    return { sessions: count };
  };

const revokeSession =
  (users: Users, { record }: AdminKit, sessions: UserSessions): Handler<typeof revokeSessionSchema> =>
  async (request) => {
    const { sessionId } = request.params;
    const user = await users.get(request.params.id);
    const count = await sessions.revokeSessions(user.id, sessionId);
    if (count === 0) throw notFound(`user ${user.id} has no session ${sessionId}`);
    await record(request, {
      action: 'session.revoke',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username, session_uid: sessionId, sessions: count },
    });
    return { sessions: count };
  };

export function sessionRoutes(
  app: App,
  { users, audit }: AdminDeps,
  kit: AdminKit,
  sessions: UserSessions,
): void {
  const read = kit.guard('admin:read');
  const write = kit.guard('admin:write');
  app.get(
    '/users/:id/grants',
    { onRequest: read, schema: listGrantsSchema },
    listGrants(users, kit, sessions),
  );
  app.delete(
    '/users/:id/grants',
    { onRequest: write, schema: revokeAllGrantsSchema },
    revokeAllGrants(users, kit, sessions),
  );
  app.delete(
    '/users/:id/grants/:clientId',
    { onRequest: write, schema: revokeClientGrantsSchema },
    revokeClientGrants(users, kit, sessions),
  );
  app.get(
    '/users/:id/sessions',
    { onRequest: read, schema: listSessionsSchema },
    listSessions(users, audit, sessions),
  );
  app.delete(
    '/users/:id/sessions',
    { onRequest: write, schema: revokeAllSessionsSchema },
    revokeAllSessions(users, kit, sessions),
  );
  app.delete(
    '/users/:id/sessions/:sessionId',
    { onRequest: write, schema: revokeSessionSchema },
    revokeSession(users, kit, sessions),
  );
}
