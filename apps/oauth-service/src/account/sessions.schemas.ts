import { accountRoute, id, noContent, nullableString, nullableTime, time } from './schemas.ts';

const TAG = 'sessions';

const sid = {
  ...id,
  description:
    "A `sid` naming one of the caller's sign-in sessions; by default the session the access token was issued in.",
} as const;

const sessionSchema = {
  type: 'object',
  required: ['id', 'createdAt', 'lastUsedAt', 'ip', 'userAgent', 'current', 'applications'],
  properties: {
    id: { type: 'string', description: 'Session uid (not its cookie value).' },
    createdAt: { ...time, description: 'When the user signed in.' },
    lastUsedAt: {
      ...nullableTime,
      description:
        'When an application of the session last got a token; null when none has since the sign-in.',
    },
    ip: { ...nullableString, description: 'The address the session was signed in from.' },
    userAgent: { ...nullableString, description: 'The browser that signed in.' },
    current: { type: 'boolean', description: 'The session the `current` sid names.' },
    applications: {
      type: 'array',
      description: 'Applications signed in through this session.',
      items: {
        type: 'object',
        required: ['clientId', 'clientName'],
        properties: { clientId: { type: 'string' }, clientName: { type: 'string' } },
      },
    },
  },
} as const;

export const listSessionsSchema = accountRoute(TAG, 'Your sign-in sessions, newest first', {
  querystring: { type: 'object', additionalProperties: false, properties: { current: sid } },
  response: { 200: { type: 'array', items: sessionSchema } },
});

export const endSessionSchema = accountRoute(
  TAG,
  'End one of your sign-in sessions (sign that browser out)',
  {
    params: { type: 'object', required: ['id'], properties: { id } },
    response: noContent,
  },
  [404],
);

export const endSessionsSchema = accountRoute(
  TAG,
  'End all your sign-in sessions but the one `except` names (by default: this one)',
  {
    querystring: { type: 'object', additionalProperties: false, properties: { except: sid } },
    response: noContent,
  },
);
