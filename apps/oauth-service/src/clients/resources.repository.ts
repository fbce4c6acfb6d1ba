import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';

export interface ResourceServerView {
  id: string;
  name: string;
  identifier: string;
  description: string;
  access_token_ttl: number | null;
  scopes: Array<{ name: string; description: string }>;
}

// Resource servers (RFC 8707 audiences) and their scopes. The provider asks for one by identifier on every
// token request, so lookups are cached for a few seconds; admin changes invalidate the cache.
const CACHE_TTL_MS = 5_000;

export function resourcesRepository(db: Kysely<OAuthSchema>, now: () => number = Date.now) {
  let cache: { at: number; byIdentifier: Map<string, ResourceServerView> } | null = null;

  async function loadAll(): Promise<Map<string, ResourceServerView>> {
    if (cache && now() - cache.at < CACHE_TTL_MS) return cache.byIdentifier;
    const servers = await db.selectFrom('resource_servers').selectAll().orderBy('name').execute();
    const scopes = await db.selectFrom('scopes').selectAll().orderBy('name').execute();
    const byIdentifier = new Map<string, ResourceServerView>();
    for (const server of servers) {
      byIdentifier.set(server.identifier, {
        id: server.id,
        name: server.name,
        identifier: server.identifier,
        description: server.description,
        access_token_ttl: server.access_token_ttl,
        scopes: scopes
          .filter((s) => s.resource_server_id === server.id)
          .map((s) => ({ name: s.name, description: s.description })),
      });
    }
    cache = { at: now(), byIdentifier };
    return byIdentifier;
  }

  return {
    async byIdentifier(identifier: string): Promise<ResourceServerView | undefined> {
      return (await loadAll()).get(identifier);
    },
    async list(): Promise<ResourceServerView[]> {
      return [...(await loadAll()).values()];
    },
    /** Idempotent upsert by name, used by the seed. */
    async ensure(input: {
      name: string;
      identifier: string;
      description: string;
      scopes: Array<{ name: string; description: string }>;
    }) {
      const existing = await db
        .selectFrom('resource_servers')
        .selectAll()
        .where('name', '=', input.name)
        .executeTakeFirst();
      const id = existing?.id ?? randomUUID();
      if (!existing) {
        await db
          .insertInto('resource_servers')
          .values({
            id,
            name: input.name,
            identifier: input.identifier,
            description: input.description,
            access_token_ttl: null,
          })
          .execute();
      }
      for (const scope of input.scopes) {
        await db
          .insertInto('scopes')
          .values({ name: scope.name, resource_server_id: id, description: scope.description })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
      }
      cache = null;
      return id;
    },
    invalidate() {
      cache = null;
    },
  };
}

export type ResourcesRepository = ReturnType<typeof resourcesRepository>;
