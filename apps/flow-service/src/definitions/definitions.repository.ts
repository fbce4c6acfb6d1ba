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

// biome-ignore lint/suspicious/noExplicitAny: also used inside transactions of the same schema.
export function definitionsRepository(db: Kysely<FlowSchema> | Kysely<any>): DefinitionsRepository {
  const kdb = db as Kysely<FlowSchema>;
  const compiled = new Map<string, Definition>();

  const repo: DefinitionsRepository = {
    async create({ document, source, format, createdBy, authorScopes }) {
      const doc = document as { id: string; name?: string; description?: string };
      return kdb.transaction().execute(async (trx) => {
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
    },
    async list() {
      const rows = await kdb
        .selectFrom('definitions as d')
        .innerJoin('definition_heads as h', (join) =>
          join.onRef('h.id', '=', 'd.id').onRef('h.latest_version', '=', 'd.version'),
        )
        .select([
          'd.id',
          'd.version',
          'd.name',
          'd.description',
          'd.document',
          'd.created_by',
          'd.created_at',
        ])
        .orderBy('d.id')
        .execute();
      return rows.map(summary);
    },
    async versions(id) {
      const rows = await kdb
        .selectFrom('definitions')
        .select(['id', 'version', 'name', 'description', 'document', 'created_by', 'created_at'])
        .where('id', '=', id)
        .orderBy('version', 'desc')
        .execute();
      return rows.map(summary);
    },
    async latestVersion(id) {
      const head = await kdb
        .selectFrom('definition_heads')
        .select('latest_version')
        .where('id', '=', id)
        .executeTakeFirst();
      return head?.latest_version;
    },
    async get(id, version) {
      const v = version ?? (await repo.latestVersion(id));
      if (v === undefined) return undefined;
      const row = await kdb
        .selectFrom('definitions')
        .selectAll()
        .where('id', '=', id)
        .where('version', '=', v)
        .executeTakeFirst();
      if (!row) return undefined;
      return { ...summary(row), format: row.format, document: JSON.parse(row.document), source: row.source };
    },
    async load(id, version) {
      const v = version ?? (await repo.latestVersion(id));
      if (v === undefined) return undefined;
      const key = `${id}@${v}`;
      const hit = compiled.get(key);
      if (hit) return hit;
      const row = await kdb
        .selectFrom('definitions')
        .select(['document', 'created_by', 'author_scopes'])
        .where('id', '=', id)
        .where('version', '=', v)
        .executeTakeFirst();
      if (!row) return undefined;
      const definition = compileDefinition(JSON.parse(row.document), v);
      definition.author = {
        sub: row.created_by,
        scopes: row.author_scopes === null ? null : row.author_scopes.split(' ').filter(Boolean),
      };
      if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value as string);
      compiled.set(key, definition);
      return definition;
    },
  };
  return repo;
}
