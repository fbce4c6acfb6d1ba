import { type DialectName, jsonColumn, type Migrations, timestampMs } from '@platform/db';

// The schema, one function per table (or per table and the table it belongs with). Migrations run on
// both dialects; `ColumnTypes` holds the two column types that differ between them.

interface ColumnTypes {
  ts: ReturnType<typeof timestampMs>;
  json: ReturnType<typeof jsonColumn>;
}

/** The database a migration gets: typed by the schema as it was, not by today's types. */
type MigrationDb = Parameters<Migrations[string]['up']>[0];

const columnTypes = (dialect: DialectName): ColumnTypes => ({
  ts: timestampMs(dialect),
  json: jsonColumn(dialect),
});

/** Definitions and their heads (latest version, active runs per definition). */
async function createDefinitionTables(db: MigrationDb, { ts, json }: ColumnTypes) {
  await db.schema
    .createTable('definitions')
    .addColumn('id', 'varchar(63)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('name', 'varchar(200)')
    .addColumn('description', 'text')
    .addColumn('document', json, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('format', 'varchar(8)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('definitions_pk', ['id', 'version'])
    .execute();
  await db.schema
    .createTable('definition_heads')
    .addColumn('id', 'varchar(63)', (c) => c.primaryKey())
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('active_runs', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

/** Runs and the indexes the API lists them by. */
async function createRunsTable(db: MigrationDb, { ts, json }: ColumnTypes) {
  await db.schema
    .createTable('runs')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('definition_id', 'varchar(63)', (c) => c.notNull())
    .addColumn('definition_version', 'integer', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('input', json, (c) => c.notNull())
    .addColumn('output', json)
    .addColumn('error', 'text')
    .addColumn('idempotency_key', 'varchar(255)')
    .addColumn('request_hash', 'varchar(64)')
    .addColumn('trigger', 'varchar(16)', (c) => c.notNull())
    .addColumn('parent_run_id', 'varchar(36)')
    .addColumn('parent_step_id', 'varchar(63)')
    .addColumn('rerun_of', 'varchar(36)')
    .addColumn('schedule_id', 'varchar(36)')
    .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('steps_remaining', 'integer', (c) => c.notNull())
    .addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('counted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deadline_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('started_at', ts)
    .addColumn('finished_at', ts)
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  // The same Idempotency-Key on the same definition is the same run.
  await db.schema
    .createIndex('runs_idempotency')
    .on('runs')
    .columns(['definition_id', 'idempotency_key'])
    .unique()
    .execute();
  await db.schema.createIndex('runs_created').on('runs').columns(['created_at', 'id']).execute();
  await db.schema
    .createIndex('runs_definition')
    .on('runs')
    .columns(['definition_id', 'state', 'created_at'])
    .execute();
  await db.schema.createIndex('runs_deadline').on('runs').column('deadline_at').execute();
  await db.schema.createIndex('runs_schedule').on('runs').columns(['schedule_id', 'state']).execute();
}

/** Steps, the queue the engines claim from. */
async function createStepsTable(db: MigrationDb, { ts, json }: ColumnTypes) {
  await db.schema
    .createTable('steps')
    .addColumn('run_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('step_id', 'varchar(63)', (c) => c.notNull())
    .addColumn('definition_id', 'varchar(63)', (c) => c.notNull())
    .addColumn('definition_version', 'integer', (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deps_remaining', 'integer', (c) => c.notNull())
    .addColumn('ready_at', ts)
    .addColumn('lease_owner', 'varchar(64)')
    .addColumn('lease_expires_at', ts)
    .addColumn('input', json)
    .addColumn('output', json)
    .addColumn('error', 'text')
    .addColumn('child_run_id', 'varchar(36)')
    .addColumn('waited_at', ts)
    .addColumn('decision', json)
    .addColumn('started_at', ts)
    .addColumn('finished_at', ts)
    .addPrimaryKeyConstraint('steps_pk', ['run_id', 'step_id'])
    .execute();
  // Claiming scans ready_at <= now; the column is null whenever a step is not queued or running, so the
  // scanned range is the queue plus the few running steps. Lease sweeps scan lease_expires_at likewise.
  await db.schema.createIndex('steps_ready').on('steps').column('ready_at').execute();
  await db.schema.createIndex('steps_lease').on('steps').column('lease_expires_at').execute();
}

/** One row per finished attempt of a step. */
async function createAttemptsTable(db: MigrationDb, { ts }: ColumnTypes) {
  await db.schema
    .createTable('attempts')
    .addColumn('run_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('step_id', 'varchar(63)', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('worker', 'varchar(64)', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('finished_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('attempts_pk', ['run_id', 'step_id', 'attempt'])
    .execute();
}

/** Each run's numbered events. */
async function createEventsTable(db: MigrationDb, { ts, json }: ColumnTypes) {
  await db.schema
    .createTable('events')
    .addColumn('run_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('step_id', 'varchar(63)')
    .addColumn('data', json)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['run_id', 'seq'])
    .execute();
}

/** Cron schedules and their next fire time. */
async function createSchedulesTable(db: MigrationDb, { ts, json }: ColumnTypes) {
  await db.schema
    .createTable('schedules')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('definition_id', 'varchar(63)', (c) => c.notNull())
    .addColumn('cron', 'varchar(120)', (c) => c.notNull())
    .addColumn('timezone', 'varchar(64)', (c) => c.notNull())
    .addColumn('overlap', 'varchar(8)', (c) => c.notNull())
    .addColumn('input', json, (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('catchup_ms', ts, (c) => c.notNull())
    .addColumn('next_fire_at', ts)
    .addColumn('last_fire_at', ts)
    .addColumn('created_by', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('schedules_next').on('schedules').column('next_fire_at').execute();
}

export const migrations: Migrations = {
  '0001_flow': {
    async up(db, dialect) {
      const types = columnTypes(dialect);
      await createDefinitionTables(db, types);
      await createRunsTable(db, types);
      await createStepsTable(db, types);
      await createAttemptsTable(db, types);
      await createEventsTable(db, types);
      await createSchedulesTable(db, types);
    },
  },
  // The scopes a definition's author held when saving it bound the tokens its http steps may carry.
  '0002_definition_author_scopes': {
    async up(db) {
      await db.schema.alterTable('definitions').addColumn('author_scopes', 'text').execute();
    },
  },
  // Who started a run, by name (the token's preferred_username) beside the subject id: lists show people.
  '0003_run_created_by_name': {
    async up(db) {
      await db.schema.alterTable('runs').addColumn('created_by_name', 'varchar(255)').execute();
    },
  },
  // The user a run acts for and their access token, sealed, kept while the run is active (ADR 0036).
  '0004_run_acting_users': {
    async up(db, dialect) {
      await db.schema
        .createTable('run_acting_users')
        .addColumn('run_id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('sealed_token', 'text')
        .addColumn('expires_at', timestampMs(dialect), (c) => c.notNull())
        .execute();
    },
  },
};
