import { accountRoute, nullableString, time } from './schemas.ts';

export const DEFAULT_EVENTS = 20;
export const MAX_EVENTS = 100;

const eventSchema = {
  type: 'object',
  required: ['at', 'action', 'outcome', 'ip', 'userAgent', 'clientName'],
  properties: {
    at: time,
    action: {
      type: 'string',
      description:
        'What happened: `login.success`, `login.failure`, `login.locked`, `user.password_change`, …',
    },
    outcome: { type: 'string', enum: ['success', 'failure'] },
    ip: { ...nullableString, description: 'The address it came from.' },
    userAgent: { ...nullableString, description: 'The browser or program it came from.' },
    clientName: { ...nullableString, description: 'The application it went through, when there was one.' },
  },
} as const;

export const listEventsSchema = accountRoute(
  'events',
  'Your recent security events (sign-ins, failures, lockouts, password, factor and session changes), newest first',
  {
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_EVENTS, default: DEFAULT_EVENTS } },
    },
    response: { 200: { type: 'array', items: eventSchema } },
  },
);
