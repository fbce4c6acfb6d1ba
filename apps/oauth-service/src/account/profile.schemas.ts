import { accountRoute, time } from './schemas.ts';

const TAG = 'profile';

export const profileSchema = {
  type: 'object',
  required: ['id', 'username', 'name', 'email', 'emailVerified', 'createdAt'],
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    name: { type: 'string', description: 'Display name.' },
    email: { type: 'string' },
    emailVerified: { type: 'boolean', description: 'The holder followed a link mailed to the address.' },
    createdAt: time,
  },
} as const;

export const getProfileSchema = accountRoute(TAG, 'Your profile', { response: { 200: profileSchema } });

export const updateProfileSchema = accountRoute(
  TAG,
  'Change your display name (the email address is changed by an administrator: it needs re-verification)',
  {
    body: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
    },
    response: { 200: profileSchema },
  },
);
