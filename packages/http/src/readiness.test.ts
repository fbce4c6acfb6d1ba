import { describe, expect, it } from 'vitest';
import { runReadinessChecks } from './readiness.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('runReadinessChecks', () => {
  it('is ready with no checks at all', async () => {
    expect(await runReadinessChecks({}, 100)).toEqual({ ready: true, checks: {}, failures: {} });
  });

  it('reports each passing check as ok', async () => {
    const report = await runReadinessChecks({ database: async () => {}, cache: async () => {} }, 100);
    expect(report).toEqual({ ready: true, checks: { database: 'ok', cache: 'ok' }, failures: {} });
  });

  it('marks a rejecting check failed and keeps its reason for the log', async () => {
    const reason = new Error('ECONNREFUSED');
    const report = await runReadinessChecks(
      { database: () => Promise.reject(reason), cache: async () => {} },
      100,
    );
    expect(report.ready).toBe(false);
    expect(report.checks).toEqual({ database: 'failed', cache: 'ok' });
    expect(report.failures).toEqual({ database: reason });
  });

  it('treats a check that throws synchronously like a rejecting one', async () => {
    const report = await runReadinessChecks(
      {
        database: () => {
          throw new Error('sync');
        },
      },
      100,
    );
    expect(report.checks).toEqual({ database: 'failed' });
  });

  it('marks a check that outlives the timeout as timed_out', async () => {
    const started = Date.now();
    const report = await runReadinessChecks({ slow: () => sleep(5_000) }, 50);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report.ready).toBe(false);
    expect(report.checks).toEqual({ slow: 'timed_out' });
  });

  it('runs checks concurrently', async () => {
    const started = Date.now();
    await runReadinessChecks({ a: () => sleep(150), b: () => sleep(150), c: () => sleep(150) }, 1_000);
    // Sequentially this would take 450 ms.
    expect(Date.now() - started).toBeLessThan(400);
  });
});
