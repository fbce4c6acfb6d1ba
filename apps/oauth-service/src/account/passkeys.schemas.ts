import { needsRecentSignIn } from './recent-sign-in.ts';
import { accountRoute, id, noContent, nullableTime, time } from './schemas.ts';

const TAG = 'passkeys';

/**
 * A passkey's name as its owner gives it: trimmed by the service, 1–64 characters, no control characters
 * (spelt as code point ranges: `\p{Cc}` is not understood by every client's regular expressions).
 */
const name = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]*$',
} as const;

const passkeySchema = {
  type: 'object',
  required: ['id', 'name', 'createdAt', 'lastUsedAt', 'deviceType', 'backedUp', 'transports'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string', description: 'The name its owner gave it.' },
    createdAt: { ...time, description: 'When it was registered.' },
    lastUsedAt: { ...nullableTime, description: 'When it last signed in; null when never.' },
    deviceType: {
      type: 'string',
      enum: ['singleDevice', 'multiDevice'],
      description:
        '`multiDevice`: a synced passkey (a password manager or platform account); `singleDevice`: bound to one authenticator.',
    },
    backedUp: { type: 'boolean', description: 'The authenticator reports the passkey backed up (synced).' },
    transports: {
      type: 'array',
      items: { type: 'string' },
      description: 'How the browser reaches the authenticator (usb, nfc, ble, internal, hybrid, …).',
    },
  },
} as const;

const passkeyId = { type: 'object', required: ['id'], properties: { id } } as const;

export const listPasskeysSchema = accountRoute(TAG, 'Your passkeys, oldest first', {
  response: { 200: { type: 'array', items: passkeySchema } },
});

export const registrationOptionsSchema = needsRecentSignIn(
  accountRoute(
    TAG,
    'Options for registering a new passkey (WebAuthn PublicKeyCredentialCreationOptionsJSON); the challenge is kept by the service for five minutes and replaces any earlier one',
    {
      response: {
        200: {
          type: 'object',
          required: ['challenge', 'rp', 'user', 'pubKeyCredParams'],
          additionalProperties: true,
          description:
            'Pass to `navigator.credentials.create` (e.g. @simplewebauthn/browser `startRegistration`).',
          properties: {},
        },
      },
    },
  ),
);

export const registerPasskeySchema = needsRecentSignIn(
  accountRoute(
    TAG,
    "Register a passkey: the authenticator's answer to the latest registration options, and a name for it",
    {
      body: {
        type: 'object',
        required: ['name', 'response'],
        additionalProperties: false,
        properties: {
          name,
          response: {
            type: 'object',
            required: ['id', 'rawId', 'type', 'response'],
            additionalProperties: true,
            description: 'The RegistrationResponseJSON @simplewebauthn/browser `startRegistration` returns.',
            properties: {
              id: { type: 'string', minLength: 1, maxLength: 1024 },
              rawId: { type: 'string', minLength: 1, maxLength: 1024 },
              type: { type: 'string', enum: ['public-key'] },
              response: {
                type: 'object',
                required: ['clientDataJSON', 'attestationObject'],
                additionalProperties: true,
                properties: {
                  clientDataJSON: { type: 'string', maxLength: 8192 },
                  attestationObject: { type: 'string', maxLength: 32768 },
                },
              },
            },
          },
        },
      },
      response: { 201: passkeySchema },
    },
    [409],
  ),
);

export const renamePasskeySchema = accountRoute(
  TAG,
  'Rename one of your passkeys',
  {
    params: passkeyId,
    body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name } },
    response: { 200: passkeySchema },
  },
  [404],
);

export const removePasskeySchema = needsRecentSignIn(
  accountRoute(
    TAG,
    'Remove one of your passkeys (it no longer signs in)',
    { params: passkeyId, response: noContent },
    [404],
  ),
);
