// Test-only entry point (`@platform/db/testing`): it imports vitest, so runtime code never loads it.
export { describeEachDialect } from './each-dialect.ts';
export { createTempDatabase, DIALECTS, type TempDatabase } from './temp-database.ts';
