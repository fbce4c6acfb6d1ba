import { adminApi } from '../admin-api/client.ts';
import type { paths } from '../api/generated/oauth-admin.ts';
import { load } from '../api/page.ts';
import type { ResponseOf } from '../api/types.ts';
import type { CurrentSession } from '../session/current.ts';

// Sign-ins, tokens issued and active users per hour or day, as the admin API counts them from the audit log.

export type Activity = ResponseOf<paths, '/api/admin/stats/activity', 'get'>;
export type ActivityRange = Activity['range'];
export type ActivityCounts = Activity['totals'];

export const ACTIVITY_RANGE_LABELS: Record<ActivityRange, string> = {
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
};

/** The range a query parameter names; anything else is the default, the last 24 hours. */
export const activityRange = (value: unknown): ActivityRange => (value === '7d' ? '7d' : '24h');

export function loadActivity(session: CurrentSession, range: ActivityRange): Promise<Activity> {
  return load(adminApi(session).get<Activity>('/stats/activity', { range }));
}
