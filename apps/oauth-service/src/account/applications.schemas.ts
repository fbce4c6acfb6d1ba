import { accountRoute, id, noContent, time } from './schemas.ts';

const TAG = 'applications';

const applicationSchema = {
  type: 'object',
  required: ['clientId', 'clientName', 'scopes', 'grantedAt', 'firstParty'],
  properties: {
    clientId: { type: 'string' },
    clientName: { type: 'string' },
    scopes: {
      type: 'array',
      items: { type: 'string' },
      description: 'Every scope you allowed it or it holds tokens for, OpenID and resource scopes alike.',
    },
    grantedAt: { ...time, description: 'When you last allowed it (or it was first granted).' },
    firstParty: {
      type: 'boolean',
      description: "The platform's own application: it was allowed without asking you.",
    },
  },
} as const;

export const listApplicationsSchema = accountRoute(
  TAG,
  'Applications you allowed (remembered consents) or that hold tokens for you (grants)',
  { response: { 200: { type: 'array', items: applicationSchema } } },
);

export const revokeApplicationSchema = accountRoute(
  TAG,
  "Revoke an application's access: forget your consent and revoke its tokens (refresh tokens stop working)",
  {
    params: { type: 'object', required: ['clientId'], properties: { clientId: id } },
    response: noContent,
  },
  [404],
);
