import { type App, type Handler, HttpError, notFound } from '@platform/http';
import { upstreamLinkPath } from '../federation/paths.ts';
import { callerOf } from './context.ts';
import type { AccountDeps, AccountKit } from './deps.ts';
import { listLinkedIdentitiesSchema, unlinkIdentitySchema } from './linked-identities.schemas.ts';
import { iso, isoOrNull } from './schemas.ts';

// The caller's links to upstream identity providers: list, unlink, and the enabled providers they could
// link (the link itself is a browser flow at /login/upstream/{id}/link). Unlinking never leaves an account
// nobody can sign in to.

const lastWayProblem = () =>
  new HttpError({
    status: 409,
    code: 'last_sign_in_method',
    detail: 'This is your only way to sign in. Set a password or register a passkey before you unlink it.',
  });

const listLinkedIdentities =
  ({ federation, config }: AccountDeps): Handler<typeof listLinkedIdentitiesSchema> =>
  async (request) => {
    const [links, providers] = await Promise.all([
      federation.identities.listForUser(callerOf(request).id),
      federation.providers.list(),
    ]);
    const names = new Map(providers.map((provider) => [provider.id, provider.displayName]));
    const linkedIds = new Set(links.map((link) => link.providerId));
    return {
      linked: links.map((link) => ({
        providerId: link.providerId,
        displayName: names.get(link.providerId) ?? link.providerId,
        email: link.email,
        linkedAt: iso(link.linkedAt),
        lastSignInAt: isoOrNull(link.lastSignInAt),
      })),
      linkable: providers
        .filter((provider) => provider.enabled && !linkedIds.has(provider.id))
        .map((provider) => ({
          providerId: provider.id,
          displayName: provider.displayName,
          linkUrl: `${config.PUBLIC_URL}${upstreamLinkPath(provider.id)}`,
        })),
    };
  };

/** Whether the user keeps a way to sign in without the link to `providerId`. */
async function keepsAWayIn(deps: AccountDeps, userId: string, providerId: string): Promise<boolean> {
  const user = await deps.users.get(userId);
  // An account without a password of its own (invited, or created at an upstream sign-in) is pending.
  if (!user.invitationPending) return true;
  if ((await deps.passkeys.list(userId)).length > 0) return true;
  const enabled = new Set((await deps.federation.providers.listEnabled()).map((provider) => provider.id));
  const links = await deps.federation.identities.listForUser(userId);
  return links.some((link) => link.providerId !== providerId && enabled.has(link.providerId));
}

const unlinkIdentity =
  (deps: AccountDeps, kit: AccountKit): Handler<typeof unlinkIdentitySchema> =>
  async (request, reply) => {
    const { id: userId } = callerOf(request);
    const { provider } = request.params;
    const links = await deps.federation.identities.listForUser(userId);
    if (!links.some((link) => link.providerId === provider))
      throw notFound(`you have no sign-in linked at ${JSON.stringify(provider.slice(0, 64))}`);
    if (!(await keepsAWayIn(deps, userId, provider))) {
      await kit.record(request, {
        action: 'upstream.unlinked',
        outcome: 'failure',
        details: { provider, reason: 'last_sign_in_method' },
      });
      throw lastWayProblem();
    }
    const removed = await deps.federation.identities.unlink(userId, provider);
    if (!removed) throw notFound(`you have no sign-in linked at ${JSON.stringify(provider.slice(0, 64))}`);
    await kit.record(request, { action: 'upstream.unlinked', details: { provider } });
    return reply.status(204).send();
  };

export function linkedIdentityRoutes(app: App, deps: AccountDeps, kit: AccountKit): void {
  const onRequest = kit.guard;
  app.get(
    '/linked-identities',
    { onRequest, schema: listLinkedIdentitiesSchema },
    listLinkedIdentities(deps),
  );
  app.delete(
    '/linked-identities/:provider',
    { onRequest: kit.sensitive, schema: unlinkIdentitySchema },
    unlinkIdentity(deps, kit),
  );
}
