import { randomUUID } from 'node:crypto';
import { uniqueViolationField } from '@platform/db';
import type { Kysely, Selectable } from 'kysely';
import { ConflictError, NotFoundError } from '../accounts/errors.ts';
import type { ResourceServersTable, ScopesTable } from '../clients/tables.ts';
import type { OAuthSchema } from '../db/schema.ts';

// Resource servers (RFC 8707 audiences) and their scopes: the one module that reads and writes them. The
// provider asks for one by identifier on every token request, so that lookup is served from a cache of a
// few seconds, dropped by every write made here; the admin API and the consent page read the tables.

export interface ResourceServer {
  id: string;
  name: string;
  /** RFC 8707 resource indicator: the `aud` of the tokens issued for it. */
  identifier: string;
  description: string;
  /** Access token lifetime in seconds; null for the service default. */
  accessTokenTtl: number | null;
  createdAt: number;
  scopes: Array<{ name: string; description: string }>;
}

export interface ResourceServerRow {
  name: string;
  identifier: string;
  description: string;
  accessTokenTtl: number | null;
}

const CACHE_TTL_MS = 5_000;

function toResourceServer(
  row: Selectable<ResourceServersTable>,
  scopes: Array<Selectable<ScopesTable>>,
): ResourceServer {
  return {
    id: row.id,
    name: row.name,
    identifier: row.identifier,
    description: row.description,
    accessTokenTtl: row.access_token_ttl === null ? null : Number(row.access_token_ttl),
    createdAt: Number(row.created_at),
    scopes: scopes
      .filter((scope) => scope.resource_server_id === row.id)
      .map((scope) => ({ name: scope.name, description: scope.description })),
  };
}

function rethrowConflict(error: unknown): never {
  const field = uniqueViolationField(error, ['identifier', 'name']);
  if (field) throw new ConflictError('resource server', field);
  throw error;
}

type Db = Kysely<OAuthSchema>;

/** Every server with its scopes, both by name. */
async function listServers(db: Db): Promise<ResourceServer[]> {
  const servers = await db.selectFrom('resource_servers').selectAll().orderBy('name').execute();
  const scopes = await db.selectFrom('scopes').selectAll().orderBy('name').execute();
  return servers.map((server) => toResourceServer(server, scopes));
}

async function findServer(db: Db, id: string): Promise<ResourceServer | undefined> {
  const row = await db.selectFrom('resource_servers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const scopes = await db
    .selectFrom('scopes')
    .selectAll()
    .where('resource_server_id', '=', id)
    .orderBy('name')
    .execute();
  return toResourceServer(row, scopes);
}

/** The id of the server whose `field` is `value`, if any. */
async function idWhere(db: Db, field: 'name' | 'identifier', value: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('resource_servers')
    .select('id')
    .where(field, '=', value)
    .executeTakeFirst();
  return row?.id;
}

/** Inserts a server without scopes; a taken name or identifier is a ConflictError. */
async function insertServer(db: Db, server: ResourceServerRow, createdAt: number): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('resource_servers')
    .values({
      id,
      name: server.name,
      identifier: server.identifier,
      description: server.description,
      access_token_ttl: server.accessTokenTtl,
      created_at: createdAt,
    })
    .execute()
    .catch(rethrowConflict);
  return id;
}

/** A taken scope name is a ConflictError. */
async function insertScope(db: Db, serverId: string, name: string, description: string): Promise<void> {
  await db
    .insertInto('scopes')
    .values({ name, resource_server_id: serverId, description })
    .execute()
    .catch((error: unknown) => {
      if (uniqueViolationField(error, ['name'])) throw new ConflictError('scope', 'name');
      throw error;
    });
}

async function updateServer(db: Db, id: string, changes: Partial<ResourceServerRow>): Promise<void> {
  const { accessTokenTtl, ...same } = changes;
  await db
    .updateTable('resource_servers')
    .set({ ...same, ...(accessTokenTtl !== undefined ? { access_token_ttl: accessTokenTtl } : {}) })
    .where('id', '=', id)
    .execute()
    .catch(rethrowConflict);
}

/** Deletes one scope of the server; false when it has no such scope. */
async function deleteScope(db: Db, serverId: string, name: string): Promise<boolean> {
  const result = await db
    .deleteFrom('scopes')
    .where('resource_server_id', '=', serverId)
    .where('name', '=', name)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Idempotent upsert by name, used by the seed: adds the scopes missing, changes nothing else. */
async function ensureServer(
  db: Db,
  input: Omit<ResourceServerRow, 'accessTokenTtl'> & { scopes: ResourceServer['scopes'] },
): Promise<string> {
  const existing = await idWhere(db, 'name', input.name);
  const id = existing ?? randomUUID();
  if (!existing) {
    const { name, identifier, description } = input;
    await db
      .insertInto('resource_servers')
      .values({ id, name, identifier, description, access_token_ttl: null })
      .execute();
  }
  for (const scope of input.scopes) {
    await db
      .insertInto('scopes')
      .values({ name: scope.name, resource_server_id: id, description: scope.description })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }
  return id;
}

export function createResourceServersRepository(db: Db, now: () => number = Date.now) {
  let cache: { at: number; byIdentifier: Map<string, ResourceServer> } | null = null;
  /** Runs a write, then drops the cache whether it succeeded or not. */
  const writing =
    <A extends unknown[], R>(write: (db: Db, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await write(db, ...args);
      } finally {
        cache = null;
      }
    };

  return {
    list: () => listServers(db),
    find: (id: string) => findServer(db, id),
    async get(id: string): Promise<ResourceServer> {
      const found = await findServer(db, id);
      if (!found) throw new NotFoundError('resource server', id);
      return found;
    },
    /** The server tokens for `identifier` are issued for, from the cache. */
    async byIdentifier(identifier: string): Promise<ResourceServer | undefined> {
      if (!cache || now() - cache.at >= CACHE_TTL_MS) {
        const servers = await listServers(db);
        cache = { at: now(), byIdentifier: new Map(servers.map((server) => [server.identifier, server])) };
      }
      return cache.byIdentifier.get(identifier);
    },
    idWhere: (field: 'name' | 'identifier', value: string) => idWhere(db, field, value),
    async scopeExists(name: string): Promise<boolean> {
      return Boolean(
        await db.selectFrom('scopes').select('name').where('name', '=', name).executeTakeFirst(),
      );
    },
    insert: writing((trx, server: ResourceServerRow) => insertServer(trx, server, now())),
    insertScope: writing(insertScope),
    update: writing(updateServer),
    /** Deletes the server; its scopes go with it (foreign key cascade). */
    delete: writing(async (trx, id: string) => {
      await trx.deleteFrom('resource_servers').where('id', '=', id).execute();
    }),
    deleteScope: writing(deleteScope),
    ensure: writing(ensureServer),
  };
}

export type ResourceServersRepository = ReturnType<typeof createResourceServersRepository>;
