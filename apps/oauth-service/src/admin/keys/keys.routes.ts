import type { App, Handler } from '@platform/http';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { iso, isoOrNull } from '../schemas.ts';
import type { SigningKeyTimeline, SigningKeyTimelineRepository } from './keys.repository.ts';
import { DEFAULT_ACTIVATION_DELAY_SECONDS, listKeysSchema, rotateKeySchema } from './keys.schemas.ts';

// Signing keys: what is published, which key signs, and rotation. Only public facts leave: kid, algorithm
// and the key's timeline; the private JWK is sealed in the database and never read here.

type KeyStatus = 'pending' | 'active' | 'retired' | 'expired';

function statusOf(key: SigningKeyTimeline, signingKid: string, at: number): KeyStatus {
  if (key.expiresAt !== null && key.expiresAt <= at) return 'expired';
  if (key.kid === signingKid) return 'active';
  return key.activatesAt > at ? 'pending' : 'retired';
}

const listKeys =
  (keyStore: AdminDeps['keyStore'], timeline: SigningKeyTimelineRepository): Handler<typeof listKeysSchema> =>
  async () => {
    const at = Date.now();
    const { signingKid } = await keyStore.currentKeySet();
    const items = (await timeline.list()).map((key) => ({
      kid: key.kid,
      alg: key.alg,
      status: statusOf(key, signingKid, at),
      signing: key.kid === signingKid,
      created_at: iso(key.createdAt),
      activates_at: iso(key.activatesAt),
      retired_at: isoOrNull(key.retiredAt),
      expires_at: isoOrNull(key.expiresAt),
    }));
    return { items, signing_kid: signingKid };
  };

const rotateKey =
  ({ keyStore, providers }: AdminDeps, { record }: AdminKit): Handler<typeof rotateKeySchema> =>
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
    // Status first: Fastify's types resolve `status(201).send(…)` to no body for schema-typed routes.
    reply.status(201);
    return reply.send({ kid, activates_at: iso(activatesAt), signing_kid: signingKid });
  };

// The body is optional: no body means the defaults. A JSON null is a body, and not an object: 400.
async function defaultBody(request: { body: unknown }): Promise<void> {
  if (request.body === undefined) request.body = {};
}

export function keyRoutes(
  app: App,
  deps: AdminDeps,
  kit: AdminKit,
  timeline: SigningKeyTimelineRepository,
): void {
  app.get(
    '/keys',
    { onRequest: kit.guard('admin:read'), schema: listKeysSchema },
    listKeys(deps.keyStore, timeline),
  );
  app.post(
    '/keys/rotate',
    { onRequest: kit.guard('admin:write'), preValidation: defaultBody, schema: rotateKeySchema },
    rotateKey(deps, kit),
  );
}
