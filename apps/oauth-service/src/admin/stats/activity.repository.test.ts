import type { Database } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditActorType, AuditOutcome } from '../../audit/tables.ts';
import { openAuditDatabase } from '../../audit/test-support.ts';
import type { OAuthSchema } from '../../db/schema.ts';
import { createActivityRepository } from './activity.repository.ts';
import { activityWindow } from './stats.routes.ts';

const HOUR = 3_600_000;
// 2026-12-07T10:30:00Z: the 24 h window runs from 11:00 the day before to 11:00 today.
const NOW = Date.UTC(2026, 11, 7, 10, 30);
const START = Date.UTC(2026, 11, 6, 11);
const END = Date.UTC(2026, 11, 7, 11);

interface Row {
  at: number;
  action: string;
  actor?: string | null;
  type?: AuditActorType;
  outcome?: AuditOutcome;
}

describeEachDialect('activity counted from the audit log', (temp) => {
  let database: Database<OAuthSchema>;

  const insert = (rows: Row[]) =>
    database.db
      .insertInto('audit_log')
      .values(
        rows.map((r) => ({
          created_at: r.at,
          actor_type: r.type ?? 'user',
          actor_id: r.actor === undefined ? 'u1' : r.actor,
          action: r.action,
          outcome:
            r.outcome ??
            (r.action.startsWith('login.') && r.action !== 'login.success' ? 'failure' : 'success'),
          details: '{}',
        })),
      )
      .execute();

  beforeAll(async () => {
    database = await openAuditDatabase(temp().url);
    await insert([
      // Just outside, on either side.
      { at: START - 1, action: 'login.success', actor: 'outside-before' },
      { at: END, action: 'login.success', actor: 'outside-after' },
      // The first millisecond of the first bucket and the last of the first bucket.
      { at: START, action: 'login.success', actor: 'u1' },
      { at: START + HOUR - 1, action: 'login.failure', actor: null, outcome: 'failure' },
      // The first millisecond of the second bucket.
      { at: START + HOUR, action: 'login.locked', actor: 'u2', outcome: 'failure' },
      // A refused second factor is a failed sign-in too.
      { at: START + 2 * HOUR, action: 'login.mfa.failure', actor: 'u2', outcome: 'failure' },
      // The last millisecond of the last (current) bucket.
      { at: END - 1, action: 'token.issue', actor: 'u1' },
      { at: END - 1, action: 'token.issue', actor: 'u2' },
      { at: END - 2, action: 'token.issue', actor: 'u2' },
      { at: END - 3, action: 'token.issue', actor: 'machine', type: 'client' },
      // Not counted as a sign-in or a token, but the user was active.
      { at: START + 5 * HOUR, action: 'user.create', actor: 'u3' },
    ]);
  });
  afterAll(() => database.close());

  it('counts each row in its hourly bucket, edges included, and empty buckets as zeros', async () => {
    const { buckets, totals } = await createActivityRepository(database.db).activity(
      activityWindow('24h', NOW),
    );
    expect(buckets).toHaveLength(24);
    expect(buckets[0]).toEqual({
      start: START,
      signInsSucceeded: 1,
      signInsFailed: 1,
      tokensIssued: 0,
      activeUsers: 1,
    });
    // A failed sign-in does not make a user active.
    expect(buckets[1]).toEqual({
      start: START + HOUR,
      signInsSucceeded: 0,
      signInsFailed: 1,
      tokensIssued: 0,
      activeUsers: 0,
    });
    expect(buckets[2]).toMatchObject({ signInsSucceeded: 0, signInsFailed: 1, activeUsers: 0 });
    expect(buckets[5]).toMatchObject({ signInsSucceeded: 0, tokensIssued: 0, activeUsers: 1 });
    expect(buckets[23]).toEqual({
      start: END - HOUR,
      signInsSucceeded: 0,
      signInsFailed: 0,
      tokensIssued: 4,
      activeUsers: 2,
    });
    expect(buckets[12]).toEqual({
      start: START + 12 * HOUR,
      signInsSucceeded: 0,
      signInsFailed: 0,
      tokensIssued: 0,
      activeUsers: 0,
    });
    // u1, u2 and u3; u1 and u2 are active in two buckets each but count once.
    expect(totals).toEqual({ signInsSucceeded: 1, signInsFailed: 3, tokensIssued: 4, activeUsers: 3 });
  });

  it('counts daily buckets over seven UTC days', async () => {
    const window = activityWindow('7d', NOW);
    expect(window.start).toBe(Date.UTC(2026, 11, 1));
    const { buckets, totals } = await createActivityRepository(database.db).activity(window);
    expect(buckets).toHaveLength(7);
    expect(buckets.map((b) => b.signInsSucceeded)).toEqual([0, 0, 0, 0, 0, 2, 1]);
    expect(buckets.map((b) => b.tokensIssued)).toEqual([0, 0, 0, 0, 0, 0, 4]);
    expect(totals.activeUsers).toBe(5);
  });
});
