import { spawnSync } from 'node:child_process';
import { parseDatabaseUrl } from '@platform/config';
import { sql } from 'kysely';
import { backupDatabase, pgClientArgs, restoreDatabase } from './backup.ts';
import { createDatabase, type Database } from './create-database.ts';
import { type Migrations, migrateToLatest } from './migrate.ts';

// The body of every service's `src/db/cli.ts`, behind `pnpm db:push`, `pnpm db:seed` and `pnpm db:studio`.

export interface DatabaseTasks {
  service: string;
  databaseUrl: string;
  migrations: Migrations;
  /** Idempotent: running it twice leaves the same data. Returns a one-line summary. */
  // biome-ignore lint/suspicious/noExplicitAny: each service passes its own schema type.
  seed?: (database: Database<any>) => Promise<string>;
}

export async function runDatabaseTask(
  task: string | undefined,
  tasks: DatabaseTasks,
  args: string[] = process.argv.slice(3),
): Promise<void> {
  const say = (line: string) => console.log(`${tasks.service}: ${line}`);
  // Backups work on the database files and dumps, not through a connection of ours.
  if (task === 'backup') {
    const [dir] = args;
    if (!dir) throw new Error('usage: backup <directory>');
    const file = await backupDatabase({ service: tasks.service, databaseUrl: tasks.databaseUrl, dir });
    say(`backed up to ${file}`);
    return;
  }
  if (task === 'restore') {
    const [file] = args;
    if (!file) throw new Error('usage: restore <backup file>');
    await restoreDatabase({ databaseUrl: tasks.databaseUrl, file });
    say(`restored from ${file}`);
    return;
  }
  const database = createDatabase(tasks.databaseUrl, { poolMax: 1 });
  try {
    if (task === 'push') {
      const { applied } = await migrateToLatest(database, tasks.migrations);
      say(applied.length ? `applied ${applied.join(', ')}` : `schema up to date (${database.dialect})`);
    } else if (task === 'seed') {
      await migrateToLatest(database, tasks.migrations);
      say(tasks.seed ? await tasks.seed(database) : 'nothing to seed');
    } else if (task === 'studio') {
      await describeDatabase(database, say);
      openShell(tasks.databaseUrl, say);
    } else {
      throw new Error(`unknown task ${task ?? '(none)'}: use push, seed, studio, backup or restore`);
    }
  } finally {
    await database.close();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: introspection works on any schema.
async function describeDatabase(database: Database<any>, say: (line: string) => void): Promise<void> {
  await database.ping();
  const tables = await database.db.introspection.getTables();
  say(`connected (${database.dialect}), ${tables.length} tables`);
  for (const table of tables) {
    const count = await sql<{
      n: number | string;
    }>`select count(*) as n from ${sql.table(table.name)}`.execute(database.db);
    say(
      `  ${table.name.padEnd(28)} ${String(count.rows[0]?.n ?? 0).padStart(8)} rows  (${table.columns.length} columns)`,
    );
  }
}

/** On a terminal, hands over to the dialect's own shell (sqlite3 or psql) for browsing. */
function openShell(databaseUrl: string, say: (line: string) => void): void {
  const target = parseDatabaseUrl(databaseUrl);
  // psql gets the password in PGPASSWORD: a command line is visible to every user of the machine (`ps`).
  const pg = target.dialect === 'postgres' ? pgClientArgs(target.connectionString) : undefined;
  const [command, args] =
    target.dialect === 'sqlite' ? ['sqlite3', [target.filename]] : ['psql', [pg?.dbname ?? '']];
  if (!process.stdin.isTTY) {
    say(`browse it with: ${command} ${target.dialect === 'sqlite' ? target.filename : '<DATABASE_URL>'}`);
    return;
  }
  const result = spawnSync(command, args, { stdio: 'inherit', ...(pg ? { env: pg.env } : {}) });
  if (result.error)
    say(
      `${command} is not installed (apt-get install ${target.dialect === 'sqlite' ? 'sqlite3' : 'postgresql-client'})`,
    );
}
