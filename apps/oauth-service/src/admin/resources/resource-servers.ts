import { randomUUID } from 'node:crypto';
import { uniqueViolationField } from '@platform/db';
import { HttpError } from '@platform/http';
import type { Kysely, Selectable } from 'kysely';
import { ConflictError, NotFoundError } from '../../accounts/errors.ts';
import * as fields from '../../accounts/fields.ts';
import type { RolesRepository } from '../../accounts/roles.repository.ts';
import { OIDC_SCOPES } from '../../clients/client-rules.ts';
import type { ClientsRepository } from '../../clients/clients.repository.ts';
import type { ResourcesRepository } from '../../clients/resources.repository.ts';
import type { ResourceServersTable } from '../../clients/tables.ts';
import type { OAuthSchema } from '../../db/schema.ts';

// Resource servers (RFC 8707 audiences) and their scopes, as the admin API changes them. The provider reads
// them through resources.repository.ts, whose cache is dropped after every change. A new scope gets the
// RBAC permission of the same name (users can only be granted scopes a role of theirs carries); a deleted
// scope leaves the permission to the roles that hold it, but is taken off every client's allowed scopes.

export interface ResourceServer {
  id: string;
  name: string;
  identifier: string;
  description: string;
  accessTokenTtl: number | null;
  createdAt: number;
  scopes: Array<{ name: string; description: string }>;
}

export interface ResourceServerInput {
  name: string;
  identifier: string;
  description?: string;
  accessTokenTtl?: number | null;
  scopes?: Array<{ name: string; description?: string }>;
}

const NAME_MAX = 64;
const IDENTIFIER_MAX = 512;
const SCOPE_MAX = 128;
const DESCRIPTION_MAX = 500;
export const ACCESS_TOKEN_TTL_RANGE = { min: 30, max: 86_400 } as const;
const OIDC: ReadonlySet<string> = new Set(OIDC_SCOPES);

/** RFC 8707 §2: an absolute URI without a fragment; a query is refused too (RFC 9728 derives paths from it). */
function identifierRule(issues: fields.Issues, value: unknown): string {
  if (typeof value !== 'string') {
    issues.add('identifier', 'must be a string');
    return '';
  }
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || value.length > IDENTIFIER_MAX) {
    issues.add('identifier', `must be an absolute http(s) URL of at most ${IDENTIFIER_MAX} characters`);
  } else if (value.includes('#') || value.includes('?') || url.username || url.password) {
    issues.add('identifier', 'must not contain a query, a fragment or credentials');
  }
  return value;
}

function ttlRule(issues: fields.Issues, value: unknown): number | null {
  if (value === null) return null;
  const { min, max } = ACCESS_TOKEN_TTL_RANGE;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  issues.add('accessTokenTtl', `must be null or whole seconds from ${min} to ${max}`);
  return null;
}

function scopeNameRule(issues: fields.Issues, field: string, value: unknown): string {
  const name = fields.token(issues, field, value, SCOPE_MAX);
  if (OIDC.has(name)) issues.add(field, `${name} is an OpenID Connect scope, not a resource scope`);
  return name;
}

const protectedServer = (detail: string) => new HttpError({ status: 409, code: 'protected', detail });

export function resourceServers(deps: {
  db: Kysely<OAuthSchema>;
  resources: Pick<ResourcesRepository, 'invalidate'>;
  roles: Pick<RolesRepository, 'findPermissionByName' | 'createPermission'>;
  clients: Pick<ClientsRepository, 'removeScopes'>;
  /** The admin API's own identifier: that server cannot be deleted or moved, or no admin token could be had. */
  adminIdentifier: string;
  now?: () => number;
}) {
  const { db } = deps;
  const now = deps.now ?? Date.now;

  function rethrowConflict(error: unknown): never {
    const field = uniqueViolationField(error, ['identifier', 'name']);
    if (field) throw new ConflictError('resource server', field);
    throw error;
  }

  async function view(row: Selectable<ResourceServersTable>): Promise<ResourceServer> {
    const scopes = await db
      .selectFrom('scopes')
      .select(['name', 'description'])
      .where('resource_server_id', '=', row.id)
      .orderBy('name')
      .execute();
    return {
      id: row.id,
      name: row.name,
      identifier: row.identifier,
      description: row.description,
      accessTokenTtl: row.access_token_ttl === null ? null : Number(row.access_token_ttl),
      createdAt: Number(row.created_at),
      scopes,
    };
  }

  async function row(id: string) {
    const found = await db.selectFrom('resource_servers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!found) throw new NotFoundError('resource server', id);
    return found;
  }

  async function get(id: string): Promise<ResourceServer> {
    return view(await row(id));
  }

  async function assertUnique(values: { name?: string; identifier?: string }, exceptId?: string) {
    for (const field of ['name', 'identifier'] as const) {
      const value = values[field];
      if (value === undefined) continue;
      const other = await db
        .selectFrom('resource_servers')
        .select('id')
        .where(field, '=', value)
        .executeTakeFirst();
      if (other && other.id !== exceptId) throw new ConflictError('resource server', field);
    }
  }

  /** Creates the scope and, when missing, the permission of the same name. */
  async function insertScope(serverId: string, name: string, description: string) {
    const taken = await db.selectFrom('scopes').select('name').where('name', '=', name).executeTakeFirst();
    if (taken) throw new ConflictError('scope', 'name');
    await db
      .insertInto('scopes')
      .values({ name, resource_server_id: serverId, description })
      .execute()
      .catch((error: unknown) => {
        if (uniqueViolationField(error, ['name'])) throw new ConflictError('scope', 'name');
        throw error;
      });
    const permissionCreated = !(await deps.roles.findPermissionByName(name));
    if (permissionCreated) await deps.roles.createPermission({ name, description });
    return { permissionCreated };
  }

  return {
    async list(): Promise<ResourceServer[]> {
      const rows = await db.selectFrom('resource_servers').selectAll().orderBy('name').execute();
      return Promise.all(rows.map(view));
    },

    get,

    async create(input: ResourceServerInput): Promise<ResourceServer & { permissionsCreated: string[] }> {
      const issues = new fields.Issues();
      const name = fields.token(issues, 'name', input.name, NAME_MAX);
      const identifier = identifierRule(issues, input.identifier);
      const description =
        input.description === undefined
          ? ''
          : fields.text(issues, 'description', input.description, { min: 0, max: DESCRIPTION_MAX });
      const ttl = input.accessTokenTtl === undefined ? null : ttlRule(issues, input.accessTokenTtl);
      const scopes = (input.scopes ?? []).map((scope, i) => ({
        name: scopeNameRule(issues, `scopes.${i}.name`, scope.name),
        description:
          scope.description === undefined
            ? ''
            : fields.text(issues, `scopes.${i}.description`, scope.description, {
                min: 0,
                max: DESCRIPTION_MAX,
              }),
      }));
      const names = scopes.map((s) => s.name);
      names.forEach((scope, i) => {
        if (names.indexOf(scope) !== i) issues.add(`scopes.${i}.name`, `${scope} is listed twice`);
      });
      issues.throwIfAny();
      await assertUnique({ name, identifier });
      for (const scope of names) {
        if (await db.selectFrom('scopes').select('name').where('name', '=', scope).executeTakeFirst()) {
          throw new ConflictError('scope', 'name');
        }
      }
      const id = randomUUID();
      await db
        .insertInto('resource_servers')
        .values({ id, name, identifier, description, access_token_ttl: ttl, created_at: now() })
        .execute()
        .catch(rethrowConflict);
      const permissionsCreated: string[] = [];
      try {
        for (const scope of scopes) {
          if ((await insertScope(id, scope.name, scope.description)).permissionCreated) {
            permissionsCreated.push(scope.name);
          }
        }
      } finally {
        deps.resources.invalidate();
      }
      return { ...(await get(id)), permissionsCreated };
    },

    async update(id: string, input: Partial<Omit<ResourceServerInput, 'scopes'>>): Promise<ResourceServer> {
      const issues = new fields.Issues();
      const changes: {
        name?: string;
        identifier?: string;
        description?: string;
        access_token_ttl?: number | null;
      } = {};
      if (input.name !== undefined) changes.name = fields.token(issues, 'name', input.name, NAME_MAX);
      if (input.identifier !== undefined) changes.identifier = identifierRule(issues, input.identifier);
      if (input.description !== undefined) {
        changes.description = fields.text(issues, 'description', input.description, {
          min: 0,
          max: DESCRIPTION_MAX,
        });
      }
      if (input.accessTokenTtl !== undefined)
        changes.access_token_ttl = ttlRule(issues, input.accessTokenTtl);
      issues.throwIfAny();
      const current = await row(id);
      if (
        current.identifier === deps.adminIdentifier &&
        changes.identifier !== undefined &&
        changes.identifier !== current.identifier
      ) {
        throw protectedServer(
          'The admin API resource server keeps its identifier: admin tokens are issued for it.',
        );
      }
      await assertUnique(changes, id);
      if (Object.keys(changes).length > 0) {
        await db
          .updateTable('resource_servers')
          .set(changes)
          .where('id', '=', id)
          .execute()
          .catch(rethrowConflict);
        deps.resources.invalidate();
      }
      return get(id);
    },

    /** Deletes the server and its scopes; returns the scopes that went. */
    async delete(id: string): Promise<ResourceServer> {
      const current = await get(id);
      if (current.identifier === deps.adminIdentifier) {
        throw protectedServer(
          'The admin API resource server cannot be deleted: admin tokens are issued for it.',
        );
      }
      await db.deleteFrom('resource_servers').where('id', '=', id).execute();
      await deps.clients.removeScopes(current.scopes.map((s) => s.name));
      deps.resources.invalidate();
      return current;
    },

    async addScope(id: string, input: { name: string; description?: string }) {
      const issues = new fields.Issues();
      const name = scopeNameRule(issues, 'name', input.name);
      const description =
        input.description === undefined
          ? ''
          : fields.text(issues, 'description', input.description, { min: 0, max: DESCRIPTION_MAX });
      issues.throwIfAny();
      await row(id);
      try {
        const { permissionCreated } = await insertScope(id, name, description);
        return { server: await get(id), scope: { name, description }, permissionCreated };
      } finally {
        deps.resources.invalidate();
      }
    },

    async removeScope(id: string, name: string) {
      await row(id);
      const result = await db
        .deleteFrom('scopes')
        .where('resource_server_id', '=', id)
        .where('name', '=', name)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new NotFoundError('scope', name);
      const clientsChanged = await deps.clients.removeScopes([name]);
      deps.resources.invalidate();
      return { server: await get(id), clientsChanged };
    },
  };
}

export type ResourceServers = ReturnType<typeof resourceServers>;
