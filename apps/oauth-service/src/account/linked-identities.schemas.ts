import { needsRecentSignIn } from './recent-sign-in.ts';
import { accountRoute, id, noContent, nullableString, nullableTime, time } from './schemas.ts';

const TAG = 'linked-identities';

const linkedSchema = {
  type: 'object',
  required: ['providerId', 'displayName', 'email', 'linkedAt', 'lastSignInAt'],
  properties: {
    providerId: { type: 'string' },
    displayName: { type: 'string', description: 'The provider’s name, as on the sign-in button.' },
    email: { ...nullableString, description: 'The address the provider gave at the last sign-in.' },
    linkedAt: time,
    lastSignInAt: { ...nullableTime, description: 'When it last signed you in; null when never.' },
  },
} as const;

const linkableSchema = {
  type: 'object',
  required: ['providerId', 'displayName', 'linkUrl'],
  properties: {
    providerId: { type: 'string' },
    displayName: { type: 'string' },
    linkUrl: {
      type: 'string',
      description:
        'Where the browser goes to link it, signed in at this service; add `return_to` (the account console URL) to come back.',
    },
  },
} as const;

export const listLinkedIdentitiesSchema = accountRoute(
  TAG,
  'Your sign-ins through other identity providers, and the enabled providers you could link',
  {
    response: {
      200: {
        type: 'object',
        required: ['linked', 'linkable'],
        properties: {
          linked: { type: 'array', items: linkedSchema },
          linkable: { type: 'array', items: linkableSchema },
        },
      },
    },
  },
);

export const unlinkIdentitySchema = needsRecentSignIn(
  accountRoute(
    TAG,
    'Unlink a provider; refused (409) while it is your only way to sign in (no password, no passkey, no other link)',
    {
      params: { type: 'object', required: ['provider'], properties: { provider: id } },
      response: noContent,
    },
    [404, 409],
  ),
);
