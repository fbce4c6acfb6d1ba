import { afterAll, beforeAll, describe } from 'vitest';
import { createTempDatabase, DIALECTS, type TempDatabase } from './temp-database.ts';

/**
 * Runs a suite once per dialect, each on a fresh database: `[sqlite] title` and `[postgres] title` in the
 * test output. The suite body reads the database through the getter inside its hooks and tests.
 */
export function describeEachDialect(title: string, suite: (database: () => TempDatabase) => void): void {
  for (const dialect of DIALECTS) {
    describe(`[${dialect}] ${title}`, () => {
      let temp: TempDatabase | undefined;
      beforeAll(async () => {
        temp = await createTempDatabase(dialect);
      });
      afterAll(async () => {
        await temp?.drop();
      });
      suite(() => {
        if (!temp) throw new Error(`the ${dialect} test database was not created`);
        return temp;
      });
    });
  }
}
