import { type CompiledQuery, type Kysely, CompiledQuery as Query } from 'kysely';

/**
 * A multi-row INSERT whose SQL text is compiled once per chunk size and reused with fresh parameters.
 * Kysely compiles a 1,000-row VALUES list in about a millisecond; at hundreds of thousands of trades a
 * second that alone would take a fifth of a core. The statement is still built by Kysely for the
 * database's own dialect (placeholders, quoting, ON CONFLICT, RETURNING), once.
 *
 * Kysely writes the columns in the order of the first row's keys and the values row by row, so the
 * parameters are the rows flattened in `columns` order; the test beside this file checks that round trip.
 */
export class BulkInsert<DB, Row extends object, Out> {
  readonly #build: (db: Kysely<DB>, rows: Row[]) => { compile(): CompiledQuery<Out> };
  readonly #columns: readonly (keyof Row)[];
  readonly #chunkSize: number;
  // Per dialect: the adapter's class tells SQLite's SQL from PostgreSQL's.
  readonly #compiled = new Map<unknown, string>();

  constructor(options: {
    columns: readonly (keyof Row)[];
    chunkSize: number;
    build: (db: Kysely<DB>, rows: Row[]) => { compile(): CompiledQuery<Out> };
  }) {
    if (!Number.isInteger(options.chunkSize) || options.chunkSize < 1)
      throw new TypeError('BulkInsert: chunkSize must be a positive integer');
    if (options.columns.length === 0) throw new TypeError('BulkInsert: columns must not be empty');
    this.#build = options.build;
    this.#columns = options.columns;
    this.#chunkSize = options.chunkSize;
  }

  /** Inserts every row (in chunks) and returns the rows the statement RETURNed, if any. */
  async execute(db: Kysely<DB>, rows: readonly Row[]): Promise<Out[]> {
    const out: Out[] = [];
    for (let start = 0; start < rows.length; start += this.#chunkSize) {
      const chunk = rows.slice(start, start + this.#chunkSize);
      const query =
        chunk.length === this.#chunkSize ? this.#reuse(db, chunk) : this.#build(db, chunk).compile();
      const result = await db.executeQuery<Out>(query);
      for (const row of result.rows) out.push(row);
    }
    return out;
  }

  #reuse(db: Kysely<DB>, chunk: Row[]): CompiledQuery<Out> {
    // Keyed by dialect rather than by handle: a transaction is a new handle that compiles the same SQL.
    const dialect = db.getExecutor().adapter.constructor;
    let sql = this.#compiled.get(dialect);
    if (sql === undefined) {
      sql = this.#build(db, chunk).compile().sql;
      this.#compiled.set(dialect, sql);
    }
    const parameters: unknown[] = new Array(chunk.length * this.#columns.length);
    let i = 0;
    for (const row of chunk) for (const column of this.#columns) parameters[i++] = row[column];
    return Query.raw(sql, parameters) as CompiledQuery<Out>;
  }
}
