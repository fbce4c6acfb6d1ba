import { Text } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { CurrentSession } from '../../lib/session/current.ts';
import {
  ACTIVITY_RANGE_LABELS,
  type Activity,
  type ActivityRange,
  loadActivity,
} from '../../lib/system/activity.ts';
import { componentHealth } from '../../lib/system/status.ts';
import { SignInFailureAlert } from '../system/sign-in-warning.tsx';
import { FigureCards } from '../system/system-panels.tsx';
import { ActivityCharts, type ActivityPoint } from './activity-charts.tsx';
import { HealthStrip } from './health-strip.tsx';
import { RangeSwitch } from './range-switch.tsx';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A bucket's start as its axis label, in UTC: `14:00` for an hour, `Mon 07` for a day. */
function bucketLabel(start: string, range: ActivityRange): string {
  const date = new Date(start);
  if (range === '24h') return `${start.slice(11, 13)}:00`;
  return `${DAYS[date.getUTCDay()]} ${start.slice(8, 10)}`;
}

const pointsOf = (activity: Activity): ActivityPoint[] =>
  activity.buckets.map((b) => ({
    label: bucketLabel(b.start, activity.range),
    succeeded: b.sign_ins_succeeded,
    failed: b.sign_ins_failed,
    tokens: b.tokens_issued,
    users: b.active_users,
  }));

function totalsOf(activity: Activity) {
  const { totals } = activity;
  const count = (n: number) => n.toLocaleString('en-US');
  return [
    { label: 'Sign-ins', value: count(totals.sign_ins_succeeded), hint: 'succeeded' },
    {
      label: 'Failed sign-ins',
      value: count(totals.sign_ins_failed),
      hint: 'refused passwords, locked accounts',
    },
    { label: 'Tokens issued', value: count(totals.tokens_issued), hint: 'to users and machine clients' },
    {
      label: 'Active users',
      value: count(totals.active_users),
      hint: 'distinct users with a successful event',
    },
  ];
}

/** What an operator opens the console for: activity over the chosen range and every component's health. */
export async function OverviewDashboard({
  session,
  range,
}: {
  session: CurrentSession;
  range: ActivityRange;
}) {
  const [activity, health] = await Promise.all([loadActivity(session, range), componentHealth()]);
  const period = ACTIVITY_RANGE_LABELS[range];
  return (
    <>
      <PageHeader title="Overview" actions={<RangeSwitch range={range} />} />
      <Text mb="md">
        Welcome, {session.user.name || session.user.username}. Activity of the {period} (UTC), counted from
        the audit log.
      </Text>
      <SignInFailureAlert counts={activity.totals} period={period} />
      <HealthStrip health={health} />
      <FigureCards figures={totalsOf(activity)} />
      <ActivityCharts points={pointsOf(activity)} />
    </>
  );
}
