import { randomUUID } from 'node:crypto';
import type { Database } from '@platform/db';
import type { TestServiceSchema } from '../db/schema.ts';

export interface Item {
  id: string;
  name: string;
  data: unknown;
  created_by: string;
  created_by_actor: string | null;
  created_at: string;
}

type Row = {
  id: string;
  name: string;
  data: string;
  created_by: string;
  created_by_actor: string | null;
  created_at: number;
};

const toItem = (row: Row): Item => ({
  id: row.id,
  name: row.name,
  data: JSON.parse(row.data),
  created_by: row.created_by,
  created_by_actor: row.created_by_actor,
  created_at: new Date(row.created_at).toISOString(),
});

/**
 * Keyset cursor: `<created_at ms>:<id>` of the last item of a page. Its pattern is the whole contract, so
 * every cursor the schema admits decodes (one past every item is simply an empty page).
 */
export const CURSOR_PATTERN = '^(\\d{1,15}:[0-9a-f-]{36})?$';
const encodeCursor = (row: Row) => `${row.created_at}:${row.id}`;
export function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [createdAt = '0', id = ''] = cursor.split(':');
  return { createdAt: Number(createdAt), id };
}

export function createItemsRepository(database: Database<TestServiceSchema>) {
  const { db } = database;
  return {
    async create(input: {
      name: string;
      data: unknown;
      createdBy: string;
      createdByActor: string | null;
    }): Promise<Item> {
      const id = randomUUID();
      await db
        .insertInto('items')
        .values({
          id,
          name: input.name,
          data: JSON.stringify(input.data ?? null),
          created_by: input.createdBy,
          created_by_actor: input.createdByActor,
        })
        .execute();
      return toItem(await db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    },

    async get(id: string): Promise<Item | undefined> {
      const row = await db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toItem(row);
    },

    /** Newest first. */
    async list(options: { limit: number; after?: { createdAt: number; id: string } }) {
      let query = db.selectFrom('items').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
      const after = options.after;
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
          ]),
        );
      }
      const rows = await query.limit(options.limit + 1).execute();
      const page = rows.slice(0, options.limit);
      const last = page.at(-1);
      return {
        items: page.map(toItem),
        next_cursor: rows.length > options.limit && last ? encodeCursor(last) : null,
      };
    },

    async remove(id: string): Promise<boolean> {
      const result = await db.deleteFrom('items').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type ItemsRepository = ReturnType<typeof createItemsRepository>;
