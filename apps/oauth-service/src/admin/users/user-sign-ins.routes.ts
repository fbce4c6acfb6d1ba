import { type App, type Handler, notFound } from '@platform/http';
import type { AdminDeps, AdminKit } from '../deps.ts';
import { iso, isoOrNull } from '../schemas.ts';
import { getUserSignInsSchema, unlinkUserSignInSchema } from './user-sign-ins.schemas.ts';

// A user's links to upstream identity providers for administrators: the list, and the unlink of one. An
// administrator may remove a user's last way in (the account then waits for an invitation or a new link);
// the user's own unlink in the account API refuses that. Every unlink is audited against the user.

type Deps = Pick<AdminDeps, 'users' | 'federation'>;

const noSuchLink = (provider: string) =>
  notFound(`the user has no sign-in linked at ${JSON.stringify(provider.slice(0, 64))}`);

const getUserSignIns =
  ({ users, federation }: Deps): Handler<typeof getUserSignInsSchema> =>
  async (request) => {
    const user = await users.get(request.params.id);
    const [links, providers] = await Promise.all([
      federation.identities.listForUser(user.id),
      federation.providers.list(),
    ]);
    const names = new Map(providers.map((provider) => [provider.id, provider.displayName]));
    return {
      user_id: user.id,
      username: user.username,
      has_password: !user.invitationPending,
      linked: links.map((link) => ({
        provider_id: link.providerId,
        display_name: names.get(link.providerId) ?? link.providerId,
        subject: link.subject,
        email: link.email,
        linked_at: iso(link.linkedAt),
        last_sign_in_at: isoOrNull(link.lastSignInAt),
      })),
    };
  };

const unlinkUserSignIn =
  ({ users, federation }: Deps, { record }: AdminKit): Handler<typeof unlinkUserSignInSchema> =>
  async (request, reply) => {
    const user = await users.get(request.params.id);
    const { provider } = request.params;
    const removed = await federation.identities.unlink(user.id, provider);
    if (!removed) throw noSuchLink(provider);
    await record(request, {
      action: 'upstream.unlinked',
      targetType: 'user',
      targetId: user.id,
      details: { username: user.username, provider, subject: removed.subject },
    });
    return reply.status(204).send();
  };

export function userSignInRoutes(app: App, deps: Deps, kit: AdminKit): void {
  const url = '/users/:id/linked-sign-ins';
  app.get(url, { onRequest: kit.guard('admin:read'), schema: getUserSignInsSchema }, getUserSignIns(deps));
  app.delete(
    `${url}/:provider`,
    { onRequest: kit.guard('admin:write'), schema: unlinkUserSignInSchema },
    unlinkUserSignIn(deps, kit),
  );
}
