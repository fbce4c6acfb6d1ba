import { noContent, nullableString, nullableTime, params, routeSchema, time } from '../schemas.ts';

// A user's links to upstream identity providers as an administrator sees them: which provider, the
// upstream subject (to match the provider's own records), and when each was made and last used.

const TAG = 'users';

const linkedSignInSchema = {
  type: 'object',
  required: ['provider_id', 'display_name', 'subject', 'email', 'linked_at', 'last_sign_in_at'],
  properties: {
    provider_id: { type: 'string' },
    display_name: {
      type: 'string',
      description: 'The provider’s name, as on the sign-in button.',
    },
    subject: {
      type: 'string',
      description: 'The user’s identifier at the provider (`sub`, or its mapped claim).',
    },
    email: { ...nullableString, description: 'The address the provider gave at the last sign-in.' },
    linked_at: time,
    last_sign_in_at: { ...nullableTime, description: 'When it last signed the user in; null when never.' },
  },
} as const;

export const userSignInsSchema = {
  type: 'object',
  required: ['user_id', 'username', 'has_password', 'linked'],
  properties: {
    user_id: { type: 'string' },
    username: { type: 'string' },
    has_password: {
      type: 'boolean',
      description:
        'False for an account made at an upstream sign-in or invited and not yet accepted: only its links (or passkeys) sign it in.',
    },
    linked: { type: 'array', items: linkedSignInSchema },
  },
} as const;

export const getUserSignInsSchema = routeSchema(
  'admin:read',
  TAG,
  "A user's sign-ins through upstream identity providers",
  { params: params('id'), response: { 200: userSignInsSchema } },
  [404],
);

export const unlinkUserSignInSchema = routeSchema(
  'admin:write',
  TAG,
  "Unlink a user's sign-in at an upstream provider (a compromised or departed upstream account): the next sign-in there no longer reaches this account. The user's current sessions are not ended; end them separately.",
  { params: params('id', 'provider'), response: noContent },
  [404],
);
