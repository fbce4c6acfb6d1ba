import type { FastifyInstance } from 'fastify';
import { keepingAnAdmin } from '../../accounts/last-admin.ts';
import { createUsersRepository, USER_CURSOR_PATTERN, type User } from '../../accounts/users.repository.ts';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { iso, isoOrNull, noContent, nullableTime, pageOf, params, routeSchema, time } from '../schemas.ts';
import type { UserSessions } from '../sessions/user-sessions.ts';
import { userRoleRoutes } from './user-roles.routes.ts';

const TAG = 'users';

export const userSchema = {
  type: 'object',
  required: ['id', 'username', 'email', 'display_name', 'status', 'must_change_password', 'created_at'],
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    email: { type: 'string' },
    display_name: { type: 'string' },
    status: { type: 'string', enum: ['active', 'disabled'] },
    must_change_password: { type: 'boolean' },
    failed_login_count: { type: 'integer' },
    locked_until: nullableTime,
    last_login_at: nullableTime,
    created_at: time,
    updated_at: time,
  },
} as const;

export const userView = (user: User) => ({
  id: user.id,
  username: user.username,
  email: user.email,
  display_name: user.displayName,
  status: user.status,
  must_change_password: user.mustChangePassword,
  failed_login_count: user.failedLoginCount,
  locked_until: isoOrNull(user.lockedUntil),
  last_login_at: isoOrNull(user.lastLoginAt),
  created_at: iso(user.createdAt),
  updated_at: iso(user.updatedAt),
});

// Bounds only; the accounts module applies the real rules (username format, email, password policy) and
// reports every broken one.
const username = { type: 'string', maxLength: 64 } as const;
const email = { type: 'string', maxLength: 254 } as const;
const displayName = { type: 'string', maxLength: 200 } as const;
const password = { type: 'string', maxLength: 1024 } as const;
const status = { type: 'string', enum: ['active', 'disabled'] } as const;

interface CreateBody {
  username: string;
  email: string;
  display_name?: string;
  password: string;
  must_change_password?: boolean;
  status?: 'active' | 'disabled';
}

interface UpdateBody {
  username?: string;
  email?: string;
  display_name?: string;
}

interface ListQuery {
  search?: string;
  status?: 'active' | 'disabled';
  limit?: number;
  cursor?: string;
}

type IdParams = { id: string };

/** Users: list, get, create, update, enable/disable, password reset, delete, and their roles. */
export function userRoutes(app: FastifyInstance, deps: AdminDeps, kit: AdminKit, sessions: UserSessions) {
  const { users } = deps;
  const { guard, record, grants } = kit;

  app.get<{ Querystring: ListQuery }>(
    '/users',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema(
        'admin:read',
        TAG,
        'List users by username, with search, status filter and cursor paging',
        {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              search: {
                type: 'string',
                maxLength: 254,
                description: 'Case-insensitive part of the username, email or display name.',
              },
              status,
              limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
              cursor: { type: 'string', pattern: USER_CURSOR_PATTERN },
            },
          },
          response: { 200: pageOf(userSchema) },
        },
        [400],
      ),
    },
    async (request) => {
      const page = await users.list(request.query);
      return { items: page.items.map(userView), next_cursor: page.nextCursor };
    },
  );

  app.post<{ Body: CreateBody }>(
    '/users',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Create a user with an initial password',
        {
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['username', 'email', 'password'],
            properties: {
              username,
              email,
              display_name: displayName,
              password,
              must_change_password: {
                type: 'boolean',
                description: 'Ask for a new password at the first sign-in (default false).',
              },
              status,
            },
          },
          response: { 201: userSchema },
        },
        [400, 409],
      ),
    },
    async (request, reply) => {
      const body = request.body;
      const user = await users.create({
        username: body.username,
        email: body.email,
        password: body.password,
        ...(body.display_name !== undefined ? { displayName: body.display_name } : {}),
        ...(body.must_change_password !== undefined ? { mustChangePassword: body.must_change_password } : {}),
        ...(body.status !== undefined ? { status: body.status } : {}),
      });
      await record(request, {
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        details: {
          username: user.username,
          email: user.email,
          status: user.status,
          must_change_password: user.mustChangePassword,
        },
      });
      return reply.status(201).header('location', `/api/admin/users/${user.id}`).send(userView(user));
    },
  );

  app.get<{ Params: IdParams }>(
    '/users/:id',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema(
        'admin:read',
        TAG,
        'Get a user',
        {
          params: params('id'),
          response: { 200: userSchema },
        },
        [404],
      ),
    },
    async (request) => userView(await users.get(request.params.id)),
  );

  app.patch<{ Params: IdParams; Body: UpdateBody }>(
    '/users/:id',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Update a user profile (username, email, display name)',
        {
          params: params('id'),
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: { username, email, display_name: displayName },
          },
          response: { 200: userSchema },
        },
        [400, 404, 409],
      ),
    },
    async (request) => {
      const { id } = request.params;
      const body = request.body;
      const user = await users.updateProfile(id, {
        ...(body.username !== undefined ? { username: body.username } : {}),
        ...(body.email !== undefined ? { email: body.email } : {}),
        ...(body.display_name !== undefined ? { displayName: body.display_name } : {}),
      });
      await record(request, {
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        details: { changed: Object.keys(body).sort(), username: user.username },
      });
      return userView(user);
    },
  );

  for (const [verb, wanted] of [
    ['enable', 'active'],
    ['disable', 'disabled'],
  ] as const) {
    app.post<{ Params: IdParams }>(
      `/users/:id/${verb}`,
      {
        onRequest: guard('admin:write'),
        schema: routeSchema(
          'admin:write',
          TAG,
          verb === 'enable'
            ? 'Enable a user'
            : 'Disable a user: sign-in is refused, their refresh tokens and sessions are revoked; refused (409) for the last active holder of admin:write',
          { params: params('id'), response: { 200: userSchema } },
          verb === 'enable' ? [404] : [404, 409],
        ),
      },
      async (request) => {
        const { id } = request.params;
        const user =
          wanted === 'active'
            ? await users.setStatus(id, wanted)
            : await keepingAnAdmin(deps.db, (trx) => createUsersRepository(trx).setStatus(id, wanted));
        // A disabled account keeps nothing: its refresh tokens and sign-in sessions end now.
        const revoked =
          wanted === 'active'
            ? undefined
            : { grants: await grants.allOfUser(id), sessions: await sessions.revokeSessions(id) };
        await record(request, {
          action: `user.${verb}`,
          targetType: 'user',
          targetId: user.id,
          details: { username: user.username, ...(revoked ? { revoked } : {}) },
        });
        return userView(user);
      },
    );
  }

  app.post<{ Params: IdParams; Body: { password: string; must_change_password?: boolean } }>(
    '/users/:id/password',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        "Reset a user's password (also clears a sign-in lock)",
        {
          params: params('id'),
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['password'],
            properties: {
              password,
              must_change_password: {
                type: 'boolean',
                description: 'Ask for a new password at the next sign-in (default false).',
              },
            },
          },
          response: noContent,
        },
        [400, 404],
      ),
    },
    async (request, reply) => {
      const { id } = request.params;
      const mustChange = request.body.must_change_password ?? false;
      await users.setPassword(id, request.body.password, { mustChangePassword: mustChange });
      await record(request, {
        action: 'user.password_reset',
        targetType: 'user',
        targetId: id,
        details: { must_change_password: mustChange },
      });
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: IdParams }>(
    '/users/:id',
    {
      onRequest: guard('admin:write'),
      schema: routeSchema(
        'admin:write',
        TAG,
        'Delete a user, with their roles, consents, grants and sessions; refused (409) for the last active holder of admin:write',
        { params: params('id'), response: noContent },
        [404, 409],
      ),
    },
    async (request, reply) => {
      const user = await users.get(request.params.id);
      // Consents are counted in the same transaction, before the delete cascades them away.
      const consents = await keepingAnAdmin(deps.db, async (trx) => {
        const removed = await trx.deleteFrom('consents').where('user_id', '=', user.id).executeTakeFirst();
        await createUsersRepository(trx).delete(user.id);
        return Number(removed.numDeletedRows);
      });
      // Grants and sessions live in the provider's store, which has no foreign key to users.
      const revoked = { ...(await sessions.revokeGrants(user.id)), consents };
      await record(request, {
        action: 'user.delete',
        targetType: 'user',
        targetId: user.id,
        details: { username: user.username, revoked },
      });
      return reply.status(204).send();
    },
  );

  userRoleRoutes(app, deps, kit);
}
