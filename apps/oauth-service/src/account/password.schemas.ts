import { accountRoute, id, noContent } from './schemas.ts';

export const changePasswordSchema = accountRoute(
  'password',
  'Change your password (ends your other sign-in sessions)',
  {
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        keepSession: {
          ...id,
          description:
            'The `sid` of the sign-in session that stays; by default the one the access token was issued in.',
        },
      },
    },
    body: {
      type: 'object',
      required: ['currentPassword', 'newPassword'],
      additionalProperties: false,
      properties: {
        currentPassword: { type: 'string', minLength: 1, maxLength: 1024 },
        newPassword: { type: 'string', minLength: 1, maxLength: 1024 },
      },
    },
    response: noContent,
  },
  [429],
);
