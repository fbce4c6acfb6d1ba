import type { Kysely } from '@platform/db';
import type { FlowSchema } from '../db/schema.ts';
import type { Definition } from './definition.ts';
import { compileDefinition } from './validate-definition.ts';

export interface DefinitionSummary {
  id: string;
  version: number;
  name: string | null;
  description: string | null;
  steps: number;
  created_by: string;
  created_at: string;
}

export interface DefinitionRecord extends DefinitionSummary {
  format: 'json' | 'yaml';
  document: unknown;
  source: string;
}

const CACHE_LIMIT = 1000;

export interface DefinitionsRepository {
  /** Stores a validated document as the next version of its id. */
  create(input: {
    document: unknown;
    source: string;
    format: 'json' | 'yaml';
    createdBy: string;
    /** Scopes the author held when saving; http step tokens carry at most these. */
    authorScopes: string[];
  }): Promise<DefinitionRecord>;
  list(): Promise<DefinitionSummary[]>;
  versions(id: string): Promise<DefinitionSummary[]>;
  get(id: string, version?: number): Promise<DefinitionRecord | undefined>;
  /** The compiled definition (versions are immutable, so compiled ones are cached). */
  load(id: string, version?: number): Promise<Definition | undefined>;
  latestVersion(id: string): Promise<number | undefined>;
}

type Row = FlowSchema['definitions'];

function summary(
  row: Pick<Row, 'id' | 'version' | 'name' | 'description' | 'document' | 'created_by' | 'created_at'>,
): DefinitionSummary {
  const document = JSON.parse(row.document) as { steps: unknown[] };
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    description: row.description,
    steps: document.steps.length,
    created_by: row.created_by,
    created_at: new Date(row.created_at).toISOString(),
  };
}

type Db = Kysely<FlowSchema>;
type CreateInput = Parameters<DefinitionsRepository['create']>[0];

async function createDefinition(db: Db, input: CreateInput): Promise<DefinitionRecord> {
  const { document, source, format, createdBy, authorScopes } = input;
  const doc = document as { id: string; name?: string; description?: string };
  return db.transaction().execute(async (trx) => {
    // The head row serializes version numbers per id on both dialects (insert-or-bump is one statement).
    const head = await trx
      .insertInto('definition_heads')
      .values({ id: doc.id, latest_version: 1, active_runs: 0 })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({ latest_version: eb('definition_heads.latest_version', '+', 1) })),
      )
      .returning('latest_version')
      .executeTakeFirstOrThrow();
    const row: Row = {
      id: doc.id,
      version: head.latest_version,
      name: doc.name ?? null,
      description: doc.description ?? null,
      document: JSON.stringify(document),
      source,
      format,
      created_by: createdBy,
      author_scopes: [...new Set(authorScopes)].sort().join(' '),
      created_at: Date.now(),
    };
    await trx.insertInto('definitions').values(row).execute();
    return { ...summary(row), format, document, source };
  });
}

/** The latest version of every definition, by id. */
async function listLatest(db: Db): Promise<DefinitionSummary[]> {
  const rows = await db
    .selectFrom('definitions as d')
    .innerJoin('definition_heads as h', (join) =>
      join.onRef('h.id', '=', 'd.id').onRef('h.latest_version', '=', 'd.version'),
    )
    .select(['d.id', 'd.version', 'd.name', 'd.description', 'd.document', 'd.created_by', 'd.created_at'])
    .orderBy('d.id')
    .execute();
  return rows.map(summary);
}

async function listVersions(db: Db, id: string): Promise<DefinitionSummary[]> {
  const rows = await db
    .selectFrom('definitions')
    .select(['id', 'version', 'name', 'description', 'document', 'created_by', 'created_at'])
    .where('id', '=', id)
    .orderBy('version', 'desc')
    .execute();
  return rows.map(summary);
}

async function latestVersion(db: Db, id: string): Promise<number | undefined> {
  const head = await db
    .selectFrom('definition_heads')
    .select('latest_version')
    .where('id', '=', id)
    .executeTakeFirst();
  return head?.latest_version;
}

async function getRecord(db: Db, id: string, version: number): Promise<DefinitionRecord | undefined> {
  const row = await db
    .selectFrom('definitions')
    .selectAll()
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...summary(row), format: row.format, document: JSON.parse(row.document), source: row.source };
}

/** Compiles a stored version, with the author whose scopes bound its http steps' tokens. */
async function compileStored(db: Db, id: string, version: number): Promise<Definition | undefined> {
  const row = await db
    .selectFrom('definitions')
    .select(['document', 'created_by', 'author_scopes'])
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) return undefined;
  const definition = compileDefinition(JSON.parse(row.document), version);
  definition.author = {
    sub: row.created_by,
    scopes: row.author_scopes === null ? null : row.author_scopes.split(' ').filter(Boolean),
  };
  return definition;
}

export function createDefinitionsRepository(
  // biome-ignore lint/suspicious/noExplicitAny: also used inside transactions of the same schema.
  database: Kysely<FlowSchema> | Kysely<any>,
): DefinitionsRepository {
  const db = database as Db;
  const compiled = new Map<string, Definition>();
  const versionOr = async (id: string, version?: number) => version ?? (await latestVersion(db, id));
  return {
    create: (input) => createDefinition(db, input),
    list: () => listLatest(db),
    versions: (id) => listVersions(db, id),
    latestVersion: (id) => latestVersion(db, id),
    async get(id, version) {
      const v = await versionOr(id, version);
      return v === undefined ? undefined : getRecord(db, id, v);
    },
    async load(id, version) {
      const v = await versionOr(id, version);
      if (v === undefined) return undefined;
      const key = `${id}@${v}`;
      const hit = compiled.get(key);
      if (hit) return hit;
      const definition = await compileStored(db, id, v);
      if (!definition) return undefined;
      if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value as string);
      compiled.set(key, definition);
      return definition;
    },
  };
}
