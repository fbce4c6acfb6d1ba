import { needsRecentSignIn } from './recent-sign-in.ts';
import { accountRoute, noContent, nullableTime, time } from './schemas.ts';

// The caller's own second factors besides passkeys: TOTP (an authenticator app) and recovery codes. No
// response carries a stored secret: the TOTP key leaves once, at enrolment (until confirmed), and recovery
// codes once, when they are made.

const TAG = 'two-step';

const recoveryCodes = {
  type: 'object',
  required: ['codes'],
  properties: {
    codes: {
      type: 'array',
      minItems: 10,
      maxItems: 10,
      items: { type: 'string', pattern: '^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$' },
      description: 'Ten single-use recovery codes, shown this once: keep them somewhere safe.',
    },
  },
} as const;

const factorsSchema = {
  type: 'object',
  required: ['mfaRequired', 'totp', 'recoveryCodes', 'passkeys'],
  properties: {
    mfaRequired: {
      type: 'boolean',
      description:
        'Whether a role of yours (or an administrator) requires a second factor: the last one cannot be removed.',
    },
    totp: {
      type: ['object', 'null'],
      description: 'The authenticator app, when one is enrolled or its enrolment is under way.',
      required: ['confirmed', 'createdAt', 'confirmedAt', 'lastUsedAt'],
      properties: {
        confirmed: { type: 'boolean', description: 'False while the first code is still awaited.' },
        createdAt: time,
        confirmedAt: nullableTime,
        lastUsedAt: { ...nullableTime, description: 'When a code of it last signed you in.' },
      },
    },
    recoveryCodes: {
      type: 'object',
      required: ['left', 'createdAt'],
      properties: {
        left: { type: 'integer', minimum: 0, description: 'Unused recovery codes.' },
        createdAt: { ...nullableTime, description: 'When the current codes were made; null when none.' },
      },
    },
    passkeys: { type: 'integer', minimum: 0, description: 'How many passkeys you registered.' },
  },
} as const;

export const listFactorsSchema = accountRoute(TAG, 'Your second factors (no secrets)', {
  response: { 200: factorsSchema },
});

export const beginTotpSchema = needsRecentSignIn(
  accountRoute(
    TAG,
    'Begin enrolling an authenticator app: its key, otpauth URI and QR code (409 once one is confirmed)',
    {
      response: {
        200: {
          type: 'object',
          required: ['secret', 'uri', 'qrSvg'],
          properties: {
            secret: { type: 'string', description: 'The base32 key, for an app that cannot scan.' },
            uri: { type: 'string', description: 'The otpauth:// URI the QR code holds.' },
            qrSvg: { type: 'string', description: 'The QR code as an inline <svg> element.' },
          },
        },
      },
    },
    [409],
  ),
);

export const confirmTotpSchema = needsRecentSignIn(
  accountRoute(
    TAG,
    'Confirm the authenticator app with its first code; answers ten new recovery codes, once',
    {
      body: {
        type: 'object',
        required: ['code'],
        additionalProperties: false,
        properties: { code: { type: 'string', minLength: 1, maxLength: 64 } },
      },
      response: { 200: recoveryCodes },
    },
    [409, 429],
  ),
);

export const removeTotpSchema = needsRecentSignIn(
  accountRoute(
    TAG,
    'Remove the authenticator app (409 when it is your last factor and a second factor is required)',
    { response: noContent },
    [404, 409],
  ),
);

export const regenerateRecoveryCodesSchema = needsRecentSignIn(
  accountRoute(
    TAG,
    'Ten new recovery codes, once; every earlier code stops working (409 without a second factor)',
    { response: { 200: recoveryCodes } },
    [409],
  ),
);
