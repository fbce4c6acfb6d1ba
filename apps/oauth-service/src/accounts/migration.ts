import { type Migration, nowMs, sql, timestampMs } from '@platform/db';

// Users, roles, permissions and the two join tables. Booleans are integer 0/1 and statuses are checked
// by the database too, so a hand-written seed or SQL fix cannot store a value the code does not expect.
export const accountsMigration: Migration = {
  async up(db, dialect) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('username', 'varchar(64)', (c) => c.notNull())
      .addColumn('email', 'varchar(254)', (c) => c.notNull())
      .addColumn('display_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failed_login_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until', timestampMs(dialect))
      .addColumn('last_login_at', timestampMs(dialect))
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
      .addColumn('updated_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
      .addUniqueConstraint('users_email_unique', ['email'])
      .addCheckConstraint('users_status_check', sql`status in ('active', 'disabled')`)
      .addCheckConstraint('users_must_change_password_check', sql`must_change_password in (0, 1)`)
      .addCheckConstraint('users_failed_login_count_check', sql`failed_login_count >= 0`)
      .execute();
    // Usernames are unique regardless of case ("Alice" and "alice" would be one sign-in name). They are
    // ASCII-only, so SQLite's ASCII-only lower() and PostgreSQL's lower() agree.
    await db.schema
      .createIndex('users_username_lower_unique')
      .on('users')
      .unique()
      .expression(sql`lower(username)`)
      .execute();

    await db.schema
      .createTable('roles')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(64)', (c) => c.notNull())
      .addColumn('description', 'varchar(500)', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
      .addUniqueConstraint('roles_name_unique', ['name'])
      .execute();

    await db.schema
      .createTable('permissions')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('description', 'varchar(500)', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', timestampMs(dialect), (c) => c.notNull().defaultTo(nowMs(dialect)))
      .addUniqueConstraint('permissions_name_unique', ['name'])
      .execute();

    await db.schema
      .createTable('role_permissions')
      .addColumn('role_id', 'varchar(36)', (c) => c.notNull().references('roles.id').onDelete('cascade'))
      .addColumn('permission_id', 'varchar(36)', (c) =>
        c.notNull().references('permissions.id').onDelete('cascade'),
      )
      .addPrimaryKeyConstraint('role_permissions_pk', ['role_id', 'permission_id'])
      .execute();
    // The PK serves lookups by role; deleting a permission cascades by permission_id.
    await db.schema
      .createIndex('role_permissions_permission_id')
      .on('role_permissions')
      .column('permission_id')
      .execute();

    await db.schema
      .createTable('user_roles')
      .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role_id', 'varchar(36)', (c) => c.notNull().references('roles.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role_id'])
      .execute();
    await db.schema.createIndex('user_roles_role_id').on('user_roles').column('role_id').execute();
  },

  async down(db) {
    await db.schema.dropTable('user_roles').ifExists().execute();
    await db.schema.dropTable('role_permissions').ifExists().execute();
    await db.schema.dropTable('permissions').ifExists().execute();
    await db.schema.dropTable('roles').ifExists().execute();
    await db.schema.dropTable('users').ifExists().execute();
  },
};
