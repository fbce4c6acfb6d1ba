import { type App, type Handler, notFound } from '@platform/http';
import { sessionDevices } from '../admin/sessions/session-devices.ts';
import { callerOf } from './context.ts';
import type { AccountDeps, AccountKit } from './deps.ts';
import { iso, isoOrNull } from './schemas.ts';
import { endSessionsExcept, sessionOfSid } from './session-lookup.ts';
import { endSessionSchema, endSessionsSchema, listSessionsSchema } from './sessions.schemas.ts';

// The caller's own sign-in sessions, from where and when, and ending them. Only the caller's sessions are
// ever looked at: another user's session id is a 404 like one that never existed.

const listSessions =
  ({ audit }: AccountDeps, kit: AccountKit): Handler<typeof listSessionsSchema> =>
  async (request) => {
    const { id: userId, sid } = callerOf(request);
    const sessions = await kit.sessions.listSessions(userId);
    const currentSid = request.query.current ?? sid;
    const current = currentSid ? await sessionOfSid(kit.payloads, userId, currentSid) : undefined;
    const devices = await sessionDevices(audit, userId, sessions);
    const clients = await kit.repository.clientsOf([...new Set(sessions.flatMap((s) => s.clients))]);
    return sessions.map((session, i) => ({
      id: session.id,
      createdAt: iso(session.loginAt ?? 0),
      lastUsedAt: isoOrNull(devices[i]!.lastUsedAt),
      ip: devices[i]!.ip,
      userAgent: devices[i]!.userAgent,
      current: session.id === current,
      applications: session.clients.map((clientId) => ({
        clientId,
        clientName: clients.get(clientId)?.name ?? clientId,
      })),
    }));
  };

const endSession =
  (kit: AccountKit): Handler<typeof endSessionSchema> =>
  async (request, reply) => {
    const { id: userId } = callerOf(request);
    const ended = await kit.sessions.revokeSessions(userId, request.params.id);
    if (ended === 0) throw notFound(`you have no sign-in session ${request.params.id}`);
    await kit.record(request, { action: 'session.revoke', details: { session_uid: request.params.id } });
    return reply.status(204).send();
  };

const endOtherSessions =
  (kit: AccountKit): Handler<typeof endSessionsSchema> =>
  async (request, reply) => {
    const { id: userId, sid } = callerOf(request);
    const except = request.query.except ?? sid;
    const keep = except ? await sessionOfSid(kit.payloads, userId, except) : undefined;
    const ended = await endSessionsExcept(kit.sessions, userId, keep);
    await kit.record(request, {
      action: 'session.revoke',
      details: { all_sessions: keep === undefined, kept_current: keep !== undefined, sessions: ended },
    });
    return reply.status(204).send();
  };

export function sessionRoutes(app: App, deps: AccountDeps, kit: AccountKit): void {
  const onRequest = kit.guard;
  app.get('/sessions', { onRequest, schema: listSessionsSchema }, listSessions(deps, kit));
  app.delete('/sessions', { onRequest, schema: endSessionsSchema }, endOtherSessions(kit));
  app.delete('/sessions/:id', { onRequest, schema: endSessionSchema }, endSession(kit));
}
