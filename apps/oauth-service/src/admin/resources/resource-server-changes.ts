import { HttpError } from '@platform/http';
import { ConflictError, NotFoundError } from '../../accounts/errors.ts';
import type { RolesRepository } from '../../accounts/roles.repository.ts';
import type { ClientsRepository } from '../../clients/clients.repository.ts';
import {
  type ResourceServerInput,
  validNewScope,
  validNewServer,
  validServerChanges,
} from '../../resources/resource-server-rules.ts';
import type {
  ResourceServer,
  ResourceServersRepository,
} from '../../resources/resource-servers.repository.ts';

// Resource servers as the admin API changes them: the rules, then what a change means beyond the two tables.
// A new scope gets the RBAC permission of the same name (users can only be granted scopes a role of theirs
// carries); a deleted scope leaves the permission to the roles that hold it, but is taken off every client's
// allowed scopes.

const protectedServer = (detail: string) => new HttpError({ status: 409, code: 'protected', detail });

export interface ResourceServerChangesDeps {
  servers: ResourceServersRepository;
  roles: Pick<RolesRepository, 'findPermissionByName' | 'createPermission'>;
  clients: Pick<ClientsRepository, 'removeScopes'>;
  /**
   * This service's own APIs, identifier → name (the admin API, the account API): those servers cannot be
   * deleted or moved, or no token for them could be had.
   */
  ownIdentifiers: Record<string, string>;
}

async function assertUnique(
  servers: ResourceServersRepository,
  values: { name?: string; identifier?: string },
  exceptId?: string,
) {
  for (const field of ['name', 'identifier'] as const) {
    const value = values[field];
    if (value === undefined) continue;
    const other = await servers.idWhere(field, value);
    if (other && other !== exceptId) throw new ConflictError('resource server', field);
  }
}

/** Creates the scope and, when missing, the permission of the same name. */
async function addScopeWithPermission(
  { servers, roles }: ResourceServerChangesDeps,
  serverId: string,
  scope: { name: string; description: string },
) {
  if (await servers.scopeExists(scope.name)) throw new ConflictError('scope', 'name');
  await servers.insertScope(serverId, scope.name, scope.description);
  const permissionCreated = !(await roles.findPermissionByName(scope.name));
  if (permissionCreated) await roles.createPermission(scope);
  return { permissionCreated };
}

async function createServer(
  deps: ResourceServerChangesDeps,
  input: ResourceServerInput,
): Promise<ResourceServer & { permissionsCreated: string[] }> {
  const { servers } = deps;
  const { server, scopes } = validNewServer(input);
  await assertUnique(servers, server);
  for (const scope of scopes) {
    if (await servers.scopeExists(scope.name)) throw new ConflictError('scope', 'name');
  }
  const id = await servers.insert(server);
  const permissionsCreated: string[] = [];
  for (const scope of scopes) {
    if ((await addScopeWithPermission(deps, id, scope)).permissionCreated)
      permissionsCreated.push(scope.name);
  }
  return { ...(await servers.get(id)), permissionsCreated };
}

export function createResourceServerChanges(deps: ResourceServerChangesDeps) {
  const { servers } = deps;

  async function update(
    id: string,
    input: Partial<Omit<ResourceServerInput, 'scopes'>>,
  ): Promise<ResourceServer> {
    const changes = validServerChanges(input);
    const current = await servers.get(id);
    const own = deps.ownIdentifiers[current.identifier];
    if (own && changes.identifier !== undefined && changes.identifier !== current.identifier) {
      throw protectedServer(`The ${own} resource server keeps its identifier: its tokens are issued for it.`);
    }
    await assertUnique(servers, changes, id);
    if (Object.keys(changes).length > 0) await servers.update(id, changes);
    return servers.get(id);
  }

  /** Deletes the server and its scopes; returns the server as it was. */
  async function remove(id: string): Promise<ResourceServer> {
    const current = await servers.get(id);
    const own = deps.ownIdentifiers[current.identifier];
    if (own) {
      throw protectedServer(`The ${own} resource server cannot be deleted: its tokens are issued for it.`);
    }
    await servers.delete(id);
    await deps.clients.removeScopes(current.scopes.map((s) => s.name));
    return current;
  }

  async function addScope(id: string, input: { name: string; description?: string }) {
    const scope = validNewScope(input);
    await servers.get(id);
    const { permissionCreated } = await addScopeWithPermission(deps, id, scope);
    return { server: await servers.get(id), scope, permissionCreated };
  }

  async function removeScope(id: string, name: string) {
    await servers.get(id);
    if (!(await servers.deleteScope(id, name))) throw new NotFoundError('scope', name);
    const clientsChanged = await deps.clients.removeScopes([name]);
    return { server: await servers.get(id), clientsChanged };
  }

  return {
    list: servers.list,
    get: servers.get,
    create: (input: ResourceServerInput) => createServer(deps, input),
    update,
    delete: remove,
    addScope,
    removeScope,
  };
}

export type ResourceServerChanges = ReturnType<typeof createResourceServerChanges>;
