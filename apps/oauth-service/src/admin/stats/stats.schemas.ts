import { routeSchema, time } from '../schemas.ts';

const TAG = 'stats';

export const ACTIVITY_RANGES = ['24h', '7d'] as const;
export type ActivityRange = (typeof ACTIVITY_RANGES)[number];

const counts = {
  type: 'object',
  required: ['sign_ins_succeeded', 'sign_ins_failed', 'tokens_issued', 'active_users'],
  properties: {
    sign_ins_succeeded: { type: 'integer', minimum: 0 },
    sign_ins_failed: {
      type: 'integer',
      minimum: 0,
      description: 'Refused passwords, attempts on a locked account and refused second factors.',
    },
    tokens_issued: { type: 'integer', minimum: 0 },
    active_users: {
      type: 'integer',
      minimum: 0,
      description: 'Distinct users with a successful event (a sign-in, a token, a change).',
    },
  },
} as const;

const bucket = {
  type: 'object',
  required: ['start', ...counts.required],
  properties: { start: time, ...counts.properties },
} as const;

export const activitySchema = routeSchema(
  'admin:read',
  TAG,
  'Sign-ins, tokens issued and active users over the last 24 hours (hourly) or 7 days (daily)',
  {
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        range: {
          type: 'string',
          enum: [...ACTIVITY_RANGES],
          default: '24h',
          description: '`24h`: 24 hourly buckets; `7d`: 7 daily buckets (UTC days). The last one is current.',
        },
      },
    },
    response: {
      200: {
        type: 'object',
        required: ['range', 'bucket_seconds', 'from', 'to', 'buckets', 'totals'],
        properties: {
          range: { type: 'string', enum: [...ACTIVITY_RANGES] },
          bucket_seconds: { type: 'integer' },
          from: { ...time, description: 'Inclusive: the first bucket starts here.' },
          to: { ...time, description: 'Exclusive: the end of the last (current) bucket.' },
          buckets: { type: 'array', items: bucket, description: 'Oldest first; empty buckets as zeros.' },
          totals: { ...counts, description: 'Over the whole range; a user active twice counts once.' },
        },
      },
    },
  },
);

const userCount = (description: string) => ({ type: 'integer', minimum: 0, description }) as const;

export const mfaAdoptionSchema = routeSchema(
  'admin:read',
  TAG,
  'Multi-factor adoption: how many active users have a second factor, in total and by factor',
  {
    response: {
      200: {
        type: 'object',
        required: ['active_users', 'with_second_factor', 'by_factor', 'enrolment_required'],
        properties: {
          active_users: userCount('Users whose account is active.'),
          with_second_factor: userCount('Active users with a confirmed TOTP or a passkey.'),
          by_factor: {
            type: 'object',
            required: ['totp', 'passkey', 'recovery_codes'],
            properties: {
              totp: userCount('Active users with a confirmed TOTP.'),
              passkey: userCount('Active users with at least one passkey.'),
              recovery_codes: userCount('Active users with at least one unused recovery code.'),
            },
          },
          enrolment_required: userCount('Active users asked to enrol a second factor at their next sign-in.'),
        },
      },
    },
  },
);
