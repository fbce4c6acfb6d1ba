import { requireScopes } from '@platform/auth';
import { HttpError } from '@platform/http';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { setActor } from './context.ts';
import type { AdminScope } from './schemas.ts';

// Every admin route needs a valid access token for the admin resource with the route's scope (admin:read
// for reads, admin:write for changes), checked by @platform/auth (401/403 with a WWW-Authenticate challenge).
// The scope was granted when the token was issued; RBAC is checked again on every request against the
// database, so a role removed, a permission revoked or an account disabled takes effect at once, not when
// the token expires. A client_credentials token (sub = client_id) acts as that client on its scopes alone.

export interface GuardDeps {
  findUser(id: string): Promise<{ id: string; username: string; status: string } | undefined>;
  /** Names of the permissions the user holds through their roles (empty for a disabled user). */
  permissionsOf(userId: string): Promise<Set<string>>;
  findClient(clientId: string): Promise<{ name: string; enabled: boolean } | undefined>;
}

function forbidden(code: string, detail: string, extensions?: Record<string, unknown>): HttpError {
  return new HttpError({ status: 403, code, detail, ...(extensions ? { extensions } : {}) });
}

export function createAdminGuard(deps: GuardDeps) {
  function permission(scope: AdminScope): onRequestHookHandler {
    return async function adminPermission(request: FastifyRequest) {
      // requireScopes ran first, so the token is there and holds the scope.
      const token = request.token!;
      const client = await deps.findClient(token.clientId);
      if (!client?.enabled) {
        throw forbidden('client_disabled', 'The client this token was issued to is disabled or deleted.');
      }
      if (token.sub === token.clientId) {
        setActor(request, {
          type: 'client',
          id: token.clientId,
          name: client.name,
          clientId: token.clientId,
        });
        return;
      }
      const user = await deps.findUser(token.sub);
      if (user?.status !== 'active') {
        throw forbidden('account_inactive', 'The user this token was issued for is disabled or deleted.');
      }
      if (!(await deps.permissionsOf(user.id)).has(scope)) {
        throw forbidden('permission_denied', `Your roles do not grant the ${scope} permission.`, {
          required_permission: scope,
        });
      }
      setActor(request, { type: 'user', id: user.id, name: user.username, clientId: token.clientId });
    };
  }

  // Route onRequest hooks, so access is decided before the body is parsed or validated: a caller without
  // the right token learns nothing about what the route accepts.
  const hooks = (scope: AdminScope): onRequestHookHandler[] => [requireScopes(scope), permission(scope)];
  const read = hooks('admin:read');
  const write = hooks('admin:write');
  /** The onRequest hooks of a route needing `scope`. */
  return (scope: AdminScope): onRequestHookHandler[] => (scope === 'admin:read' ? read : write);
}

export type AdminGuard = ReturnType<typeof createAdminGuard>;
