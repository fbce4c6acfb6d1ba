import { type ColumnDataType, type Expression, sql } from 'kysely';
import type { DialectName } from './create-database.ts';

// The handful of column types whose spelling differs between SQLite and PostgreSQL. Migrations use these
// instead of branching inline, so each service's schema reads the same on both dialects.

/** Epoch milliseconds. SQLite integers are 64-bit; PostgreSQL needs bigint. */
export const timestampMs = (_dialect: DialectName): ColumnDataType => 'bigint';

/** JSON document stored as text on SQLite, jsonb on PostgreSQL; applications (de)serialize it themselves. */
export const jsonColumn = (dialect: DialectName): ColumnDataType =>
  dialect === 'postgres' ? 'jsonb' : 'text';

/** Current time in epoch milliseconds, computed by the database. */
export const nowMs = (dialect: DialectName): Expression<number> =>
  dialect === 'postgres'
    ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
    : sql<number>`(cast(unixepoch('subsec') * 1000 as integer))`;

/**
 * Exact decimal (prices, quantities). PostgreSQL numeric keeps every digit; SQLite's NUMERIC affinity would
 * turn it into a float, so there it is text. Either way the value reaches JS as a string.
 */
export const decimalColumn = (dialect: DialectName, precision = 38, scale = 18): ColumnDataType =>
  dialect === 'postgres' ? `numeric(${precision}, ${scale})` : 'text';
