// Contract test: Schemathesis generates requests from each service's OpenAPI document (valid and invalid
// ones, then stateful sequences following the documented links) and checks every answer with `--checks
// all`: no 5xx, every status and body as documented, schema-valid requests accepted, invalid ones refused.
// It runs on SQLite only: what it tests is the HTTP contract, and the dialect tests elsewhere cover
// PostgreSQL. Each document gets a bounded number of examples and seconds, so the five runs together stay
// within a few minutes on two cores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContractPlatform, startContractPlatform } from './platform.ts';
import { runSchemathesis } from './schemathesis.ts';

const BUDGET = { maxExamples: 25, maxTimeSeconds: 50 };
const TEST_TIMEOUT_MS = (BUDGET.maxTimeSeconds + 60) * 1000;

describe('OpenAPI contracts (Schemathesis --checks all)', () => {
  let platform: ContractPlatform;
  beforeAll(async () => {
    platform = await startContractPlatform();
  });
  afterAll(() => platform?.stop());

  for (const name of [
    'test-service',
    'kline-service',
    'flow-service',
    'oauth-service admin API',
    'oauth-service account API',
  ]) {
    it(
      `${name}: Schemathesis finds nothing`,
      async () => {
        const target = platform.targets.find((t) => t.name === name)!;
        const result = await runSchemathesis(target, BUDGET);
        // The whole st report on failure: each finding with a curl line to reproduce it.
        expect(result.code, result.output).toBe(0);
      },
      TEST_TIMEOUT_MS,
    );
  }
});
