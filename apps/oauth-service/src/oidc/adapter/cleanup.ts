import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { OidcTables } from './tables.ts';

export interface ExpiredCleanupOptions {
  /** Pause between sweeps. */
  intervalMs: number;
  /** Rows deleted per statement (default 500): bounds how long one statement holds SQLite's writer. */
  batchSize?: number;
  /** Epoch milliseconds (default Date.now). */
  now?: () => number;
  /** Failures of timer-driven sweeps; the timer keeps going. Defaults to console.error. */
  onError?: (error: unknown) => void;
}

export interface ExpiredCleanup {
  /** Stops the timer; a timer-driven sweep in progress ends after its current batch. */
  stop(): void;
  /** Sweeps now (joining a sweep already running) and resolves to the number of rows deleted; rejects on error. */
  runOnce(): Promise<number>;
}

const DEFAULT_BATCH_SIZE = 500;

/**
 * Periodically deletes expired `oidc_payloads` rows. The adapter already ignores them, so this only keeps
 * the table small; each batch is one short statement, and the loop yields to the event loop in between.
 */
export function startExpiredCleanup<DB extends OidcTables>(
  db: Kysely<DB>,
  options: ExpiredCleanupOptions,
): ExpiredCleanup {
  const { intervalMs, batchSize = DEFAULT_BATCH_SIZE, now = Date.now } = options;
  const onError = options.onError ?? ((error) => console.error('oidc payload cleanup failed', error));
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError('intervalMs must be > 0');
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be an integer ≥ 1');
  const tables = db as unknown as Kysely<OidcTables>;

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function sweep(keepGoing: () => boolean): Promise<number> {
    // One cutoff for the whole sweep, so rows expiring meanwhile wait for the next one instead of prolonging it.
    const cutoff = now();
    let total = 0;
    for (;;) {
      const expired = tables
        .selectFrom('oidc_payloads')
        .select(['model', 'id'])
        .where('expires_at', '<=', cutoff)
        .limit(batchSize)
        .$asTuple('model', 'id');
      const result = await tables
        .deleteFrom('oidc_payloads')
        .where(({ eb, refTuple }) => eb(refTuple('model', 'id'), 'in', expired))
        .executeTakeFirst();
      const deleted = Number(result.numDeletedRows);
      total += deleted;
      if (deleted < batchSize || !keepGoing()) return total;
      await nextTurn();
    }
  }

  function run(keepGoing: () => boolean): Promise<number> {
    running ??= sweep(keepGoing).finally(() => {
      running = undefined;
    });
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    // Re-armed after each sweep rather than setInterval, so a slow sweep never overlaps the next one.
    timer = setTimeout(() => {
      // Once stopped (shutdown), a timer-driven sweep ends after its current batch, before the pool closes.
      run(() => !stopped)
        .catch(onError)
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    runOnce: () => run(() => true),
  };
}
