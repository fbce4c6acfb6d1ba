import { type Kysely, sql } from 'kysely';
import type { OAuthSchema } from '../../db/schema.ts';

// Sign-in and token activity over a recent window, counted from the audit log in equal buckets. The bucket
// of a row is `(created_at - start) / size` in integer arithmetic, which SQLite and PostgreSQL (bigint)
// compute alike, so the grouping happens in SQL on either dialect.

export const SIGN_IN_SUCCESS_ACTIONS = ['login.success'] as const;
/** A refused password, a refused attempt on a locked account and a refused second factor are failed sign-ins. */
export const SIGN_IN_FAILURE_ACTIONS = ['login.failure', 'login.locked', 'login.mfa.failure'] as const;
export const TOKEN_ISSUE_ACTION = 'token.issue';

export interface ActivityWindow {
  /** Epoch ms, inclusive: the first bucket's start. */
  start: number;
  /** Bucket length in ms. */
  size: number;
  count: number;
}

export interface ActivityCounts {
  signInsSucceeded: number;
  signInsFailed: number;
  tokensIssued: number;
  activeUsers: number;
}

export interface Activity {
  buckets: Array<{ start: number } & ActivityCounts>;
  /** Over the whole window; active users counted once however many buckets they appear in. */
  totals: ActivityCounts;
}

const COUNTED_ACTIONS = [...SIGN_IN_SUCCESS_ACTIONS, ...SIGN_IN_FAILURE_ACTIONS, TOKEN_ISSUE_ACTION];

const zero = (): ActivityCounts => ({
  signInsSucceeded: 0,
  signInsFailed: 0,
  tokensIssued: 0,
  activeUsers: 0,
});

function addActionCount(counts: ActivityCounts, action: string, n: number): void {
  if ((SIGN_IN_SUCCESS_ACTIONS as readonly string[]).includes(action)) counts.signInsSucceeded += n;
  else if ((SIGN_IN_FAILURE_ACTIONS as readonly string[]).includes(action)) counts.signInsFailed += n;
  else if (action === TOKEN_ISSUE_ACTION) counts.tokensIssued += n;
}

export function createActivityRepository(db: Kysely<OAuthSchema>) {
  /** Rows inside the window with their bucket number; an active user is one with a successful event. */
  const inWindow = (window: ActivityWindow) => {
    const end = window.start + window.size * window.count;
    // Integer literals computed here (never caller text): a bound parameter's type would be guessed by
    // PostgreSQL, and a numeric one would make the division exact instead of integral.
    const bucket = sql<number | string>`(created_at - ${sql.lit(window.start)}) / ${sql.lit(window.size)}`;
    return {
      bucket,
      rows: db
        .selectFrom('audit_log')
        .where('created_at', '>=', sql.lit(window.start))
        .where('created_at', '<', sql.lit(end)),
    };
  };

  async function actionCounts(window: ActivityWindow) {
    const { bucket, rows } = inWindow(window);
    return rows
      .where('action', 'in', COUNTED_ACTIONS)
      .select([bucket.as('bucket'), 'action', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy([bucket, 'action'])
      .execute();
  }

  const activeUserRows = (window: ActivityWindow) =>
    inWindow(window)
      .rows.where('actor_type', '=', 'user')
      .where('actor_id', 'is not', null)
      .where('outcome', '=', 'success');

  async function activeUsersPerBucket(window: ActivityWindow) {
    const { bucket } = inWindow(window);
    return activeUserRows(window)
      .select([bucket.as('bucket'), (eb) => eb.fn.count<number | string>('actor_id').distinct().as('n')])
      .groupBy(bucket)
      .execute();
  }

  async function activeUsersTotal(window: ActivityWindow): Promise<number> {
    const row = await activeUserRows(window)
      .select((eb) => eb.fn.count<number | string>('actor_id').distinct().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Every bucket of the window, empty ones as zeros, oldest first. */
  async function activity(window: ActivityWindow): Promise<Activity> {
    const [counts, users, activeUsers] = await Promise.all([
      actionCounts(window),
      activeUsersPerBucket(window),
      activeUsersTotal(window),
    ]);
    const buckets = Array.from({ length: window.count }, (_, i) => ({
      start: window.start + i * window.size,
      ...zero(),
    }));
    const totals = { ...zero(), activeUsers };
    for (const row of counts) {
      const target = buckets[Number(row.bucket)];
      if (!target) continue;
      addActionCount(target, row.action, Number(row.n));
      addActionCount(totals, row.action, Number(row.n));
    }
    for (const row of users) {
      const target = buckets[Number(row.bucket)];
      if (target) target.activeUsers = Number(row.n);
    }
    return { buckets, totals };
  }

  return { activity };
}

export type ActivityRepository = ReturnType<typeof createActivityRepository>;
