import type { Migration } from '@platform/db';

// A first-party client (the platform's own console) is trusted by the operator who runs the platform: its
// users are not asked for consent, and its RP-initiated sign-out needs no second confirmation. Every
// existing client, and every new one unless an administrator says otherwise, stays third-party.

export const clientFirstPartyMigration: Migration = {
  async up(db) {
    await db.schema
      .alterTable('clients')
      .addColumn('first_party', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
  async down(db) {
    await db.schema.alterTable('clients').dropColumn('first_party').execute();
  },
};
