import type { App, Handler } from '@platform/http';
import type { FastifyRequest } from 'fastify';
import type { ListUsersOptions, User } from '../../accounts/users.repository.ts';
import { type CsvValue, primed, sendCsv } from '../csv.ts';
import type { AdminDeps, AdminKit } from '../deps.ts';
import type { UserSessions } from '../sessions/user-sessions.ts';
import { userFactorRoutes } from './user-factors.routes.ts';
import { mailNotConfigured, requestContext, userMailRoutes } from './user-mail.routes.ts';
import { userRoleRoutes } from './user-roles.routes.ts';
import { userSignInRoutes } from './user-sign-ins.routes.ts';
import {
  createUserSchema,
  deleteUserSchema,
  disableUserSchema,
  enableUserSchema,
  exportUsersSchema,
  getUserSchema,
  listUsersSchema,
  resetPasswordSchema,
  updateUserSchema,
  userView,
} from './users.schemas.ts';

type Users = AdminDeps['users'];

const listUsers =
  (users: Users): Handler<typeof listUsersSchema> =>
  async (request) => {
    const page = await users.list(request.query);
    return { items: page.items.map(userView), next_cursor: page.nextCursor };
  };

/**
 * After creation, with mail configured: the invitation (awaited, so a refused one is logged and audited
 * before the answer; the user can be re-invited) or a verification mail (in the background).
 */
async function mailNewUser(deps: AdminDeps, user: User, request: FastifyRequest) {
  if (!deps.accountMail) return;
  const send = user.invitationPending ? deps.accountMail.sendInvitation : deps.accountMail.sendVerification;
  const sending = send(user, requestContext(request)).catch(() => {});
  if (user.invitationPending) await sending;
}

// The export's columns: the profile and sign-in state, never a password hash (the repository has none).
const CSV_HEADER = [
  'id',
  'username',
  'email',
  'display_name',
  'status',
  'must_change_password',
  'failed_login_count',
  'locked_until',
  'last_login_at',
  'created_at',
  'updated_at',
] as const;
const EXPORT_BATCH = 200;

/** Every page of the list, one after the other, as CSV rows. */
async function* userRows(users: Users, options: ListUsersOptions): AsyncGenerator<CsvValue[][]> {
  let cursor: string | undefined;
  do {
    const page = await users.list({ ...options, limit: EXPORT_BATCH, ...(cursor ? { cursor } : {}) });
    yield page.items.map((user) => {
      const view = userView(user);
      return CSV_HEADER.map((column) => view[column]);
    });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

const exportUsers =
  (users: Users): Handler<typeof exportUsersSchema> =>
  async (request, reply) =>
    sendCsv(reply, 'users.csv', CSV_HEADER, await primed(userRows(users, request.query)));

const createUser =
  (deps: AdminDeps, { record }: AdminKit): Handler<typeof createUserSchema> =>
  async (request, reply) => {
    const body = request.body;
    if (body.invite && !deps.accountMail) throw mailNotConfigured();
    const user = await deps.users.create({
      username: body.username,
      email: body.email,
      ...(body.password !== undefined ? { password: body.password } : {}),
      ...(body.invite !== undefined ? { invited: body.invite } : {}),
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
        invited: user.invitationPending,
      },
    });
    await mailNewUser(deps, user, request);
    return reply.status(201).header('location', `/api/admin/users/${user.id}`).send(userView(user));
  };

const getUser =
  (users: Users): Handler<typeof getUserSchema> =>
  async (request) =>
    userView(await users.get(request.params.id));

const updateUser =
  (users: Users, { record }: AdminKit): Handler<typeof updateUserSchema> =>
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
  };

const enableUser =
  (users: Users, { record }: AdminKit): Handler<typeof enableUserSchema> =>
  async (request) => {
    const user = await users.setStatus(request.params.id, 'active');
    await record(request, {
      action: 'user.enable',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username },
    });
    return userView(user);
  };

const disableUser =
  ({ changes, grants, record }: AdminKit, sessions: UserSessions): Handler<typeof disableUserSchema> =>
  async (request) => {
    const { id } = request.params;
    const user = await changes.setUserStatus(id, 'disabled');
    // A disabled account keeps nothing: its refresh tokens and sign-in sessions end now.
    const revoked = { grants: await grants.allOfUser(id), sessions: await sessions.revokeSessions(id) };
    await record(request, {
      action: 'user.disable',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username, revoked },
    });
    return userView(user);
  };

const resetPassword =
  (users: Users, { grants, record }: AdminKit, sessions: UserSessions): Handler<typeof resetPasswordSchema> =>
  async (request, reply) => {
    const { id } = request.params;
    const mustChange = request.body.must_change_password ?? false;
    await users.setPassword(id, request.body.password, { mustChangePassword: mustChange });
    // A reset password is often a taken-over one: whoever holds the old sessions or refresh tokens loses them.
    const revoked = { grants: await grants.allOfUser(id), sessions: await sessions.revokeSessions(id) };
    await record(request, {
      action: 'user.password_reset',
      targetType: 'user',
      targetId: id,
      details: { must_change_password: mustChange, revoked },
    });
    return reply.status(204).send();
  };

const deleteUser =
  (users: Users, { changes, record }: AdminKit, sessions: UserSessions): Handler<typeof deleteUserSchema> =>
  async (request, reply) => {
    const user = await users.get(request.params.id);
    const consents = await changes.deleteUser(user.id);
    // Grants and sessions live in the provider's store, which has no foreign key to users.
    const revoked = { ...(await sessions.revokeGrants(user.id)), consents };
    await record(request, {
      action: 'user.delete',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username, revoked },
    });
    return reply.status(204).send();
  };

/** Users: list, get, create, update, enable/disable, password reset, delete, and their roles. */
export function userRoutes(app: App, deps: AdminDeps, kit: AdminKit, sessions: UserSessions): void {
  const { users } = deps;
  const read = kit.guard('admin:read');
  const write = kit.guard('admin:write');
  app.get('/users', { onRequest: read, schema: listUsersSchema }, listUsers(users));
  app.get('/users.csv', { onRequest: read, schema: exportUsersSchema }, exportUsers(users));
  app.post('/users', { onRequest: write, schema: createUserSchema }, createUser(deps, kit));
  app.get('/users/:id', { onRequest: read, schema: getUserSchema }, getUser(users));
  app.patch('/users/:id', { onRequest: write, schema: updateUserSchema }, updateUser(users, kit));
  app.post('/users/:id/enable', { onRequest: write, schema: enableUserSchema }, enableUser(users, kit));
  app.post('/users/:id/disable', { onRequest: write, schema: disableUserSchema }, disableUser(kit, sessions));
  app.post(
    '/users/:id/password',
    { onRequest: write, schema: resetPasswordSchema },
    resetPassword(users, kit, sessions),
  );
  app.delete('/users/:id', { onRequest: write, schema: deleteUserSchema }, deleteUser(users, kit, sessions));
  userRoleRoutes(app, deps, kit);
  userMailRoutes(app, deps, kit);
  userFactorRoutes(app, deps, kit, sessions);
  userSignInRoutes(app, deps, kit);
}
