import type { App, Handler } from '@platform/http';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { iso } from '../schemas.ts';
import {
  type ActivityCounts,
  type ActivityRepository,
  type ActivityWindow,
  createActivityRepository,
} from './activity.repository.ts';
import { createMfaAdoptionRepository, type MfaAdoptionRepository } from './mfa-adoption.repository.ts';
import { type ActivityRange, activitySchema, mfaAdoptionSchema } from './stats.schemas.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WINDOWS: Record<ActivityRange, { size: number; count: number }> = {
  '24h': { size: HOUR_MS, count: 24 },
  '7d': { size: DAY_MS, count: 7 },
};

/** The range's buckets, aligned to whole hours or UTC days; the last one holds `now`. */
export function activityWindow(range: ActivityRange, now: number): ActivityWindow {
  const { size, count } = WINDOWS[range];
  const current = Math.floor(now / size) * size;
  return { start: current - (count - 1) * size, size, count };
}

const countsView = (counts: ActivityCounts) => ({
  sign_ins_succeeded: counts.signInsSucceeded,
  sign_ins_failed: counts.signInsFailed,
  tokens_issued: counts.tokensIssued,
  active_users: counts.activeUsers,
});

const getActivity =
  (activity: ActivityRepository, now: () => number): Handler<typeof activitySchema> =>
  async (request) => {
    const range = request.query.range ?? '24h';
    const window = activityWindow(range, now());
    const result = await activity.activity(window);
    return {
      range,
      bucket_seconds: window.size / 1000,
      from: iso(window.start),
      to: iso(window.start + window.size * window.count),
      buckets: result.buckets.map((b) => ({ start: iso(b.start), ...countsView(b) })),
      totals: countsView(result.totals),
    };
  };

const getMfaAdoption =
  (adoption: MfaAdoptionRepository): Handler<typeof mfaAdoptionSchema> =>
  async () => {
    const counts = await adoption.adoption();
    return {
      active_users: counts.activeUsers,
      with_second_factor: counts.withSecondFactor,
      by_factor: { totp: counts.totp, passkey: counts.passkey, recovery_codes: counts.recoveryCodes },
      enrolment_required: counts.enrolmentRequired,
    };
  };

export function statsRoutes(app: App, { db }: AdminDeps, kit: AdminKit, now: () => number = Date.now): void {
  const read = kit.guard('admin:read');
  app.get(
    '/stats/activity',
    { onRequest: read, schema: activitySchema },
    getActivity(createActivityRepository(db), now),
  );
  app.get(
    '/stats/mfa',
    { onRequest: read, schema: mfaAdoptionSchema },
    getMfaAdoption(createMfaAdoptionRepository(db)),
  );
}
