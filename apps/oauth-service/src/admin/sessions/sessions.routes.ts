import { notFound } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { isoOrNull, listOf, nullableTime, params, routeSchema, time } from '../schemas.ts';
import type { UserSessions } from './user-sessions.ts';

// A user's consents, grants and sign-in sessions, and their revocation (see user-sessions.ts for what
// revoking takes away).

const TAG = 'users';

const scopeList = { type: 'array', items: { type: 'string' } } as const;
const resourceScopes = {
  type: 'object',
  additionalProperties: scopeList,
  description: 'Resource indicator → scopes.',
} as const;

const clientGrantsSchema = {
  type: 'object',
  required: ['client_id', 'client_name', 'consent', 'grants'],
  properties: {
    client_id: { type: 'string' },
    client_name: { type: ['string', 'null'] },
    consent: {
      description: 'What the user allowed this client, remembered across sessions; null if nothing is.',
      anyOf: [
        {
          type: 'object',
          required: ['scopes', 'resource_scopes', 'updated_at'],
          properties: { scopes: scopeList, resource_scopes: resourceScopes, updated_at: time },
        },
        { type: 'null' },
      ],
    },
    grants: {
      type: 'array',
      description: 'Provider grants: what the refresh and access tokens of this client were issued under.',
      items: {
        type: 'object',
        required: ['id', 'scopes', 'resource_scopes'],
        properties: {
          id: { type: 'string' },
          scopes: scopeList,
          resource_scopes: resourceScopes,
          created_at: nullableTime,
          expires_at: nullableTime,
        },
      },
    },
  },
} as const;

const sessionSchema = {
  type: 'object',
  required: ['id', 'clients'],
  properties: {
    id: { type: 'string', description: 'Session uid (not its cookie value).' },
    login_at: nullableTime,
    expires_at: nullableTime,
    clients: { type: 'array', items: { type: 'string' }, description: 'Clients authorized in this session.' },
  },
} as const;

const revokedSchema = {
  type: 'object',
  required: ['consents', 'grants', 'sessions'],
  properties: {
    consents: { type: 'integer', description: 'Remembered consents deleted.' },
    grants: { type: 'integer', description: 'Grants destroyed, with every token issued under them.' },
    sessions: { type: 'integer', description: 'Sign-in sessions ended.' },
  },
} as const;

export function sessionRoutes(app: FastifyInstance, deps: AdminDeps, kit: AdminKit, sessions: UserSessions) {
  const { users, db } = deps;
  const { guard, record } = kit;

  app.get<{ Params: { id: string } }>(
    '/users/:id/grants',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema(
        'admin:read',
        TAG,
        "List a user's consents and grants, per client",
        { params: params('id'), response: { 200: listOf(clientGrantsSchema) } },
        [404],
      ),
    },
    async (request) => {
      const user = await users.get(request.params.id);
      const entries = await sessions.listGrants(user.id);
      const ids = entries.map((entry) => entry.clientId);
      const names = new Map(
        ids.length === 0
          ? []
          : (
              await db
                .selectFrom('clients')
                .select(['client_id', 'name'])
                .where('client_id', 'in', ids)
                .execute()
            ).map((row) => [row.client_id, row.name] as const),
      );
      return {
        items: entries.map((entry) => ({
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
        })),
      };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/users/:id/grants',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        "Revoke all of a user's access: consents, grants (refresh tokens die) and sessions (sign-in needed again)",
        { params: params('id'), response: { 200: revokedSchema } },
        [404],
      ),
    },
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
    },
  );

  app.delete<{ Params: { id: string; clientId: string } }>(
    '/users/:id/grants/:clientId',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        "Revoke a user's access for one client: its consent, its grants, and the sessions that authorized it",
        { params: params('id', 'clientId'), response: { 200: revokedSchema } },
        [404],
      ),
    },
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
    },
  );

  app.get<{ Params: { id: string } }>(
    '/users/:id/sessions',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema(
        'admin:read',
        TAG,
        "List a user's sign-in sessions, newest first",
        { params: params('id'), response: { 200: listOf(sessionSchema) } },
        [404],
      ),
    },
    async (request) => {
      const user = await users.get(request.params.id);
      return {
        items: (await sessions.listSessions(user.id)).map((session) => ({
          id: session.id,
          login_at: isoOrNull(session.loginAt),
          expires_at: isoOrNull(session.expiresAt),
          clients: session.clients,
        })),
      };
    },
  );

  const revokedSessions = {
    type: 'object',
    required: ['sessions'],
    properties: { sessions: revokedSchema.properties.sessions },
  } as const;

  app.delete<{ Params: { id: string } }>(
    '/users/:id/sessions',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Sign a user out of every session',
        { params: params('id'), response: { 200: revokedSessions } },
        [404],
      ),
    },
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
    },
  );

  app.delete<{ Params: { id: string; sessionId: string } }>(
    '/users/:id/sessions/:sessionId',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'End one sign-in session of a user',
        { params: params('id', 'sessionId'), response: { 200: revokedSessions } },
        [404],
      ),
    },
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
    },
  );
}
