import { type App, conflict, type Handler, HttpError, notFound } from '@platform/http';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyRequest } from 'fastify';
import { clientUserAgent } from '../audit/forwarded.ts';
import type { AuditContext, PasskeySummary, RegistrationResult } from '../passkeys/passkeys.service.ts';
import { callerOf } from './context.ts';
import type { AccountDeps, AccountKit } from './deps.ts';
import {
  listPasskeysSchema,
  registerPasskeySchema,
  registrationOptionsSchema,
  removePasskeySchema,
  renamePasskeySchema,
} from './passkeys.schemas.ts';
import { iso, isoOrNull } from './schemas.ts';

// The caller's own passkeys: list, register (the WebAuthn create ceremony, its challenge kept by the
// service), rename and remove. The relying party is PUBLIC_URL's: the account console relays the options
// and the browser's answer, so the ceremony runs on the gateway's origin. Another user's passkey id is a
// 404 like one that never existed.

type Refusal = Extract<RegistrationResult, { ok: false }>['reason'];

const view = (passkey: PasskeySummary) => ({
  id: passkey.id,
  name: passkey.name,
  createdAt: iso(passkey.createdAt),
  lastUsedAt: isoOrNull(passkey.lastUsedAt),
  deviceType: passkey.deviceType,
  backedUp: passkey.backedUp,
  transports: passkey.transports,
});

const nameProblem = () =>
  new HttpError({
    status: 400,
    code: 'validation_failed',
    detail: 'name: must be 1 to 64 characters, not only spaces',
    extensions: {
      errors: [{ in: 'body', path: '/name', message: 'must be 1 to 64 characters, not only spaces' }],
    },
  });

const REFUSALS: Record<Exclude<Refusal, 'invalid_name'>, () => HttpError> = {
  expired: () =>
    new HttpError({
      status: 400,
      code: 'registration_expired',
      detail: 'No registration is pending (it expired or was already used). Start again.',
    }),
  invalid: () =>
    new HttpError({
      status: 400,
      code: 'registration_invalid',
      detail: "The authenticator's answer does not match the registration options of this service.",
    }),
  duplicate: () => conflict('This passkey is already registered.'),
};

const auditContext = (request: FastifyRequest): AuditContext => ({
  ip: request.ip,
  userAgent: clientUserAgent(request),
  requestId: request.id,
  clientId: callerOf(request).clientId,
});

const listPasskeys =
  ({ passkeys }: AccountDeps): Handler<typeof listPasskeysSchema> =>
  async (request) =>
    (await passkeys.list(callerOf(request).id)).map(view);

const registrationOptions =
  ({ passkeys, users }: AccountDeps): Handler<typeof registrationOptionsSchema> =>
  async (request) => {
    const user = await users.get(callerOf(request).id);
    return passkeys.registrationOptions(user);
  };

const registerPasskey =
  ({ passkeys, users }: AccountDeps, kit: AccountKit): Handler<typeof registerPasskeySchema> =>
  async (request, reply) => {
    const user = await users.get(callerOf(request).id);
    const response = request.body.response as unknown as RegistrationResponseJSON;
    const result = await passkeys.verifyRegistration(
      user,
      response,
      request.body.name,
      auditContext(request),
    );
    if (result.ok) {
      // Status first: Fastify's types resolve `status(201).send(…)` to no body for schema-typed routes.
      reply.status(201);
      return reply.send(view(result.passkey));
    }
    if (result.reason === 'invalid_name') throw nameProblem();
    await kit.record(request, {
      action: 'passkey.register',
      outcome: 'failure',
      details: { reason: result.reason },
    });
    throw REFUSALS[result.reason]();
  };

const renamePasskey =
  ({ passkeys }: AccountDeps, kit: AccountKit): Handler<typeof renamePasskeySchema> =>
  async (request) => {
    const { id: userId } = callerOf(request);
    const { id } = request.params;
    const before = (await passkeys.list(userId)).find((passkey) => passkey.id === id);
    if (!before) throw notFound(`you have no passkey ${id}`);
    if (!(await passkeys.rename(userId, id, request.body.name))) throw nameProblem();
    const after = (await passkeys.list(userId)).find((passkey) => passkey.id === id);
    if (!after) throw notFound(`you have no passkey ${id}`);
    await kit.record(request, {
      action: 'passkey.rename',
      details: { passkeyId: id, from: before.name, to: after.name },
    });
    return view(after);
  };

const removePasskey =
  ({ passkeys }: AccountDeps): Handler<typeof removePasskeySchema> =>
  async (request, reply) => {
    const caller = callerOf(request);
    const owner = { id: caller.id, username: caller.username };
    const removed = await passkeys.remove(owner, request.params.id, owner, auditContext(request));
    if (!removed) throw notFound(`you have no passkey ${request.params.id}`);
    return reply.status(204).send();
  };

export function passkeyRoutes(app: App, deps: AccountDeps, kit: AccountKit): void {
  const onRequest = kit.guard;
  app.get('/passkeys', { onRequest, schema: listPasskeysSchema }, listPasskeys(deps));
  app.post(
    '/passkeys/registration/options',
    { onRequest: kit.sensitive, schema: registrationOptionsSchema },
    registrationOptions(deps),
  );
  app.post(
    '/passkeys',
    { onRequest: kit.sensitive, schema: registerPasskeySchema },
    registerPasskey(deps, kit),
  );
  app.patch('/passkeys/:id', { onRequest, schema: renamePasskeySchema }, renamePasskey(deps, kit));
  app.delete('/passkeys/:id', { onRequest: kit.sensitive, schema: removePasskeySchema }, removePasskey(deps));
}
