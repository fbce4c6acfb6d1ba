import { OPTIONAL_BODY } from '@platform/http';
import { nullableTime, routeSchema, time } from '../schemas.ts';

const TAG = 'keys';
export const DEFAULT_ACTIVATION_DELAY_SECONDS = 60;
export const MAX_ACTIVATION_DELAY_SECONDS = 3600;

const keySchema = {
  type: 'object',
  required: ['kid', 'alg', 'status', 'signing', 'created_at', 'activates_at'],
  properties: {
    kid: { type: 'string' },
    alg: { type: 'string' },
    status: {
      type: 'string',
      enum: ['pending', 'active', 'retired', 'expired'],
      description:
        'pending: published, signs from activates_at; active: signs now; retired: published for verification only; expired: no longer published.',
    },
    signing: { type: 'boolean', description: 'Whether this key signs tokens now.' },
    created_at: time,
    activates_at: time,
    retired_at: nullableTime,
    expires_at: nullableTime,
  },
} as const;

export const listKeysSchema = routeSchema('admin:read', TAG, 'List signing keys (no key material)', {
  response: {
    200: {
      type: 'object',
      required: ['items', 'signing_kid'],
      properties: { items: { type: 'array', items: keySchema }, signing_kid: { type: 'string' } },
    },
  },
});

export const rotateKeySchema = routeSchema(
  'admin:write',
  TAG,
  'Rotate the signing key: the new key is published now and signs after the activation delay',
  {
    [OPTIONAL_BODY]: true,
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        activation_delay_seconds: {
          type: 'integer',
          minimum: 0,
          maximum: MAX_ACTIVATION_DELAY_SECONDS,
          default: DEFAULT_ACTIVATION_DELAY_SECONDS,
          description: 'How long resource servers get to learn the new key before it signs (default 60).',
        },
      },
    },
    response: {
      201: {
        type: 'object',
        required: ['kid', 'activates_at', 'signing_kid'],
        properties: {
          kid: { type: 'string', description: 'The new key.' },
          activates_at: time,
          signing_kid: { type: 'string', description: 'The key signing right now.' },
        },
      },
    },
  },
  [400],
);
