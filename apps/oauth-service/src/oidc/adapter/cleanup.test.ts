import type { Database } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import type { KyselyPlugin } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { startExpiredCleanup } from './cleanup.ts';
import type { OidcTables } from './tables.ts';
import { openOidcTestDatabase } from './test-database.ts';

const NOW = 1_700_000_000_000;

/** Counts DELETE statements, to see the sweep work in batches. */
function countDeletes() {
  const counter = { deletes: 0 };
  const plugin: KyselyPlugin = {
    transformQuery({ node }) {
      if (node.kind === 'DeleteQueryNode') counter.deletes += 1;
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return { counter, plugin };
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeEachDialect('expired oidc payload cleanup', (temp) => {
  let database: Database<OidcTables>;
  const stops: Array<() => void> = [];

  beforeAll(async () => {
    database = await openOidcTestDatabase(temp().url);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.db.deleteFrom('oidc_payloads').execute();
  });
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
    vi.restoreAllMocks();
  });

  function start(options: Parameters<typeof startExpiredCleanup>[1], db = database.db) {
    const cleanup = startExpiredCleanup(db, options);
    stops.push(cleanup.stop);
    return cleanup;
  }

  async function seed(count: number, expiresAt: number | null, prefix: string) {
    const values = Array.from({ length: count }, (_, i) => ({
      model: i % 2 ? 'AccessToken' : 'Session',
      id: `${prefix}-${i}`,
      payload: '{}',
      expires_at: expiresAt,
      consumed_at: i % 3 ? null : NOW - 1,
    }));
    if (values.length) await database.db.insertInto('oidc_payloads').values(values).execute();
  }

  const remainingIds = async () =>
    (await database.db.selectFrom('oidc_payloads').select('id').orderBy('id').execute()).map((r) => r.id);

  it('deletes only rows expired at the cutoff, in batches', async () => {
    await seed(25, NOW - 60_000, 'old');
    await seed(1, NOW, 'edge'); // expires exactly now: already dead for the adapter
    await seed(2, NOW + 1, 'live');
    await seed(2, null, 'forever');
    const { counter, plugin } = countDeletes();
    const cleanup = start(
      { intervalMs: 3_600_000, batchSize: 10, now: () => NOW },
      database.db.withPlugin(plugin),
    );

    expect(await cleanup.runOnce()).toBe(26);
    expect(counter.deletes).toBe(3); // 10 + 10 + 6
    expect(await remainingIds()).toEqual(['forever-0', 'forever-1', 'live-0', 'live-1']);
    expect(await cleanup.runOnce()).toBe(0);
  });

  it('stops after an exactly full last batch with one empty statement', async () => {
    await seed(20, NOW - 1, 'old');
    const { counter, plugin } = countDeletes();
    const cleanup = start(
      { intervalMs: 3_600_000, batchSize: 10, now: () => NOW },
      database.db.withPlugin(plugin),
    );
    expect(await cleanup.runOnce()).toBe(20);
    expect(counter.deletes).toBe(3);
  });

  it('yields to the event loop between batches', async () => {
    await seed(30, NOW - 1, 'old');
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns += 1;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const cleanup = start({ intervalMs: 3_600_000, batchSize: 5, now: () => NOW });
    const before = turns;
    expect(await cleanup.runOnce()).toBe(30);
    spinning = false;
    expect(turns - before).toBeGreaterThanOrEqual(5);
  });

  it('joins a sweep already in progress instead of starting a second one', async () => {
    await seed(12, NOW - 1, 'old');
    const cleanup = start({ intervalMs: 3_600_000, batchSize: 4, now: () => NOW });
    const [a, b] = await Promise.all([cleanup.runOnce(), cleanup.runOnce()]);
    expect([a, b]).toEqual([12, 12]);
    expect(await remainingIds()).toEqual([]);
  });

  it('sweeps on an unref’d timer until stopped', async () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    let clock = NOW;
    const cleanup = start({ intervalMs: 15, now: () => clock });
    const timer = setTimeoutSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);

    await seed(3, NOW + 1_000, 'soon');
    await seed(1, NOW + 60_000, 'later');
    clock = NOW + 1_000;
    await waitFor(async () => (await remainingIds()).length === 1);
    expect(await remainingIds()).toEqual(['later-0']);

    cleanup.stop();
    clock = NOW + 60_000;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await remainingIds()).toEqual(['later-0']);
  });

  it('reports failures to onError and keeps its schedule; runOnce rejects', async () => {
    // A schema that does not exist: every statement fails, on both dialects.
    const broken = database.db.withSchema('no_such_schema');
    const errors: unknown[] = [];
    const cleanup = start({ intervalMs: 10, onError: (error) => errors.push(error) }, broken);
    await expect(cleanup.runOnce()).rejects.toThrow(/no_such_schema/);
    await waitFor(() => errors.length >= 2);
    expect(errors[0]).toBeInstanceOf(Error);
    cleanup.stop();
    const seen = errors.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors.length).toBeLessThanOrEqual(seen + 1); // at most the sweep that was already running
  });

  it('refuses nonsensical options', () => {
    expect(() => startExpiredCleanup(database.db, { intervalMs: 0 })).toThrow(RangeError);
    expect(() => startExpiredCleanup(database.db, { intervalMs: Number.NaN })).toThrow(RangeError);
    expect(() => startExpiredCleanup(database.db, { intervalMs: 1_000, batchSize: 0 })).toThrow(RangeError);
    expect(() => startExpiredCleanup(database.db, { intervalMs: 1_000, batchSize: 2.5 })).toThrow(RangeError);
  });
});
