import { OPTIONAL_BODY } from '@platform/http';
import type { FastifyInstance } from 'fastify';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { iso, isoOrNull, nullableTime, routeSchema, time } from '../schemas.ts';

// Signing keys: what is published, which key signs, and rotation. Only public facts leave: kid, algorithm
// and the key's timeline; the private JWK is sealed in the database and never read here.

const TAG = 'keys';
export const DEFAULT_ACTIVATION_DELAY_SECONDS = 60;
export const MAX_ACTIVATION_DELAY_SECONDS = 3600;

type KeyStatus = 'pending' | 'active' | 'retired' | 'expired';

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

export function keyRoutes(app: FastifyInstance, deps: AdminDeps, kit: AdminKit) {
  const { db, keyStore, providers } = deps;
  const { guard, record } = kit;

  app.get(
    '/keys',
    {
      onRequest: guard('admin:read'),
      schema: routeSchema('admin:read', TAG, 'List signing keys (no key material)', {
        response: {
          200: {
            type: 'object',
            required: ['items', 'signing_kid'],
            properties: { items: { type: 'array', items: keySchema }, signing_kid: { type: 'string' } },
          },
        },
      }),
    },
    async () => {
      const at = Date.now();
      const { signingKid } = await keyStore.currentKeySet();
      const rows = await db
        .selectFrom('signing_keys')
        .select(['kid', 'alg', 'created_at', 'activates_at', 'retired_at', 'expires_at'])
        .orderBy('activates_at', 'desc')
        .orderBy('kid', 'desc')
        .execute();
      const items = rows.map((row) => {
        const status: KeyStatus =
          row.expires_at !== null && row.expires_at <= at
            ? 'expired'
            : row.kid === signingKid
              ? 'active'
              : row.activates_at > at
                ? 'pending'
                : 'retired';
        return {
          kid: row.kid,
          alg: row.alg,
          status,
          signing: row.kid === signingKid,
          created_at: iso(Number(row.created_at)),
          activates_at: iso(Number(row.activates_at)),
          retired_at: isoOrNull(row.retired_at === null ? null : Number(row.retired_at)),
          expires_at: isoOrNull(row.expires_at === null ? null : Number(row.expires_at)),
        };
      });
      return { items, signing_kid: signingKid };
    },
  );

  app.post<{ Body: { activation_delay_seconds?: number } }>(
    '/keys/rotate',
    {
      onRequest: guard('admin:write'),
      // The body is optional: no body means the defaults. A JSON null is a body, and not an object: 400.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
      schema: routeSchema(
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
                description:
                  'How long resource servers get to learn the new key before it signs (default 60).',
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
      ),
    },
    async (request, reply) => {
      const delay = request.body.activation_delay_seconds ?? DEFAULT_ACTIVATION_DELAY_SECONDS;
      const { kid, activatesAt } = await keyStore.rotate(delay * 1000);
      await record(request, {
        action: 'key.rotate',
        targetType: 'signing_key',
        targetId: kid,
        details: { kid, activation_delay_seconds: delay, activates_at: iso(activatesAt) },
      });
      // This instance publishes the new key at once; the others within their key poll interval.
      await providers.refresh();
      const { signingKid } = await keyStore.currentKeySet();
      return reply.status(201).send({ kid, activates_at: iso(activatesAt), signing_kid: signingKid });
    },
  );
}
