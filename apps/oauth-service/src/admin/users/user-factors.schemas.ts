import { noContent, nullableTime, params, routeSchema, time } from '../schemas.ts';

// A user's second factors as an administrator sees them: what is set up and when it was used, never a
// secret (no TOTP key, no recovery code, no credential id or public key).

const TAG = 'users';

const totpSchema = {
  type: ['object', 'null'],
  required: ['confirmed', 'created_at', 'confirmed_at', 'last_used_at'],
  properties: {
    confirmed: {
      type: 'boolean',
      description: 'False while an enrolment waits for its first code: it signs nobody in yet.',
    },
    created_at: time,
    confirmed_at: nullableTime,
    last_used_at: nullableTime,
  },
  description: 'The authenticator app, or null when none is set up.',
} as const;

const passkeySchema = {
  type: 'object',
  required: ['id', 'name', 'created_at', 'last_used_at', 'device_type', 'backed_up'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    created_at: time,
    last_used_at: nullableTime,
    device_type: {
      type: 'string',
      enum: ['singleDevice', 'multiDevice'],
      description: '`multiDevice`: a synced passkey; `singleDevice`: bound to one authenticator.',
    },
    backed_up: { type: 'boolean' },
  },
} as const;

export const userFactorsSchema = {
  type: 'object',
  required: [
    'user_id',
    'username',
    'totp',
    'recovery_codes',
    'passkeys',
    'enrolment_required',
    'required_by_role',
  ],
  properties: {
    user_id: { type: 'string' },
    username: { type: 'string' },
    totp: totpSchema,
    recovery_codes: {
      type: 'object',
      required: ['left', 'created_at'],
      properties: {
        left: { type: 'integer', minimum: 0, description: 'Unused codes of the ten last generated.' },
        created_at: nullableTime,
      },
    },
    passkeys: { type: 'array', items: passkeySchema },
    enrolment_required: {
      type: 'boolean',
      description: 'A second factor is asked at the next sign-in (enrolled then if there is none).',
    },
    required_by_role: { type: 'boolean', description: 'One of the user’s roles requires MFA.' },
  },
} as const;

export const getUserFactorsSchema = routeSchema(
  'admin:read',
  TAG,
  "A user's second factors (TOTP, recovery codes left, passkeys) without any secret",
  { params: params('id'), response: { 200: userFactorsSchema } },
  [404],
);

export const resetUserFactorsSchema = routeSchema(
  'admin:write',
  TAG,
  "Reset a user's second factors (a lost device): removes the TOTP, the recovery codes and every passkey, and ends the user's sign-in sessions and refresh tokens",
  { params: params('id'), response: noContent },
  [404],
);

export const requireEnrolmentSchema = routeSchema(
  'admin:write',
  TAG,
  'Require a second factor at the next sign-in: a user with none enrols one before the sign-in finishes; cleared once they enrol',
  { params: params('id'), response: { 200: userFactorsSchema } },
  [404],
);

export const cancelEnrolmentSchema = routeSchema(
  'admin:write',
  TAG,
  'Withdraw the requirement to enrol a second factor at the next sign-in (roles and clients may still require one)',
  { params: params('id'), response: { 200: userFactorsSchema } },
  [404],
);
