import type { Database } from '@platform/db';
import type { TestServiceSchema } from './schema.ts';

// Fixed ids make the seed idempotent: a second run inserts nothing.
const SAMPLE_ITEMS = [
  { id: '00000000-0000-4000-8000-000000000001', name: 'sample: alpha', data: '{"kind":"sample","n":1}' },
  { id: '00000000-0000-4000-8000-000000000002', name: 'sample: beta', data: '{"kind":"sample","n":2}' },
  { id: '00000000-0000-4000-8000-000000000003', name: 'sample: gamma', data: '{"kind":"sample","n":3}' },
];

export async function seed(database: Database<TestServiceSchema>): Promise<string> {
  const result = await database.db
    .insertInto('items')
    .values(SAMPLE_ITEMS.map((item) => ({ ...item, created_by: 'seed' })))
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return `seeded ${Number(result.numInsertedOrUpdatedRows ?? 0)} new sample items (${SAMPLE_ITEMS.length} in the seed)`;
}
