import { requireScopes } from '@platform/auth';
import { type App, type Handler, HttpError, notFound, problemResponses } from '@platform/http';
import type { FastifyRequest } from 'fastify';
import type { ClientAdminQueries } from '../../clients/clients.admin-queries.ts';
import type { AdminDeps } from '../deps.ts';

// A user's current authority, for flow-service: a workflow's http steps act with at most the scopes their
// author holds, and stop when the author loses them. The answer is narrow on purpose (active + scope names,
// no profile data) and only a machine client holding admin:authority may ask; the seed allows that scope to
// the flow-service client alone and to no role (docs/adr/0001-flow-step-authority.md).

export const AUTHORITY_SCOPE = 'admin:authority';

const authoritySchema = {
  type: 'object',
  required: ['active', 'scopes'],
  properties: {
    active: { type: 'boolean', description: 'false for a disabled account' },
    scopes: {
      type: 'array',
      items: { type: 'string' },
      description: 'Permissions the user holds through their roles now (empty when not active).',
    },
  },
} as const;

export const getAuthoritySchema = {
  tags: ['users'],
  summary: `A user's current authority: active and the scopes their roles grant (needs ${AUTHORITY_SCOPE}, machine clients only)`,
  security: [{ bearer: [AUTHORITY_SCOPE] }],
  params: {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', minLength: 1, maxLength: 255 } },
  },
  response: { 200: authoritySchema, ...problemResponses(400, 401, 403, 404) },
} as const;

/** Only a client_credentials token of an enabled client: a user's token never reads other users' authority. */
function machineClient(clients: ClientAdminQueries) {
  return async function machineOnly(request: FastifyRequest) {
    const token = request.token!;
    const client = await clients.findStatus(token.clientId);
    if (token.sub !== token.clientId || client?.enabled !== true)
      throw new HttpError({
        status: 403,
        code: 'machine_client_only',
        detail: `${AUTHORITY_SCOPE} answers an enabled machine client's own token only.`,
      });
  };
}

const getAuthority =
  ({ users, roles }: AdminDeps): Handler<typeof getAuthoritySchema> =>
  async (request) => {
    const user = await users.findById(request.params.id);
    if (!user) throw notFound(`user ${request.params.id} does not exist`);
    const active = user.status === 'active';
    const scopes = active ? [...(await roles.permissionsOf(user.id))].sort() : [];
    return { active, scopes };
  };

export function authorityRoutes(app: App, deps: AdminDeps, clients: ClientAdminQueries): void {
  app.get(
    '/users/:id/authority',
    { onRequest: [requireScopes(AUTHORITY_SCOPE), machineClient(clients)], schema: getAuthoritySchema },
    getAuthority(deps),
  );
}
