import { type App, type Handler, notFound } from '@platform/http';
import { destroyGrant } from '../admin/sessions/provider-payloads.repository.ts';
import type { UserGrants } from '../admin/sessions/user-sessions.ts';
import type { ClientFacts } from './account.repository.ts';
import { listApplicationsSchema, revokeApplicationSchema } from './applications.schemas.ts';
import { callerOf } from './context.ts';
import type { AccountDeps, AccountKit } from './deps.ts';
import { iso } from './schemas.ts';

// The applications that may act for the caller: what they consented to (remembered across sign-ins) and
// the grants behind the applications' refresh tokens. Revoking forgets the consent and destroys the grants
// with every token issued under them; unlike an administrator's revoke, the caller's sign-in sessions
// stay, so revoking one application does not sign them out of the others (or of this console).

function scopesOf(entry: UserGrants): string[] {
  const consent = entry.consent;
  const scopes = [
    ...(consent?.oidcScopes ?? []),
    ...Object.values(consent?.resourceScopes ?? {}).flat(),
    ...entry.grants.flatMap((grant) => [...grant.scopes, ...Object.values(grant.resources).flat()]),
  ];
  return [...new Set(scopes)].sort();
}

function grantedAt(entry: UserGrants): number {
  const consentAt = entry.consent ? Number(entry.consent.updatedAt) : undefined;
  const grantTimes = entry.grants.map((grant) => grant.createdAt).filter((t): t is number => t !== null);
  return consentAt ?? (grantTimes.length > 0 ? Math.min(...grantTimes) : Date.now());
}

const applicationView = (entry: UserGrants, facts: ClientFacts | undefined) => ({
  clientId: entry.clientId,
  clientName: facts?.name ?? entry.clientId,
  scopes: scopesOf(entry),
  grantedAt: iso(grantedAt(entry)),
  firstParty: facts?.firstParty ?? false,
});

const listApplications =
  (kit: AccountKit): Handler<typeof listApplicationsSchema> =>
  async (request) => {
    const entries = await kit.sessions.listGrants(callerOf(request).id);
    const clients = await kit.repository.clientsOf(entries.map((entry) => entry.clientId));
    return entries.map((entry) => applicationView(entry, clients.get(entry.clientId)));
  };

const revokeApplication =
  ({ consents, providers }: AccountDeps, kit: AccountKit): Handler<typeof revokeApplicationSchema> =>
  async (request, reply) => {
    const { id: userId } = callerOf(request);
    const { clientId } = request.params;
    const entry = (await kit.sessions.listGrants(userId)).find((e) => e.clientId === clientId);
    if (!entry) throw notFound(`no application ${clientId} holds access to your account`);
    const forgotten = await consents.revoke(userId, clientId);
    for (const grant of entry.grants) await destroyGrant(providers.provider(), grant.id);
    await kit.record(request, {
      action: 'grant.revoke',
      details: { client_id: clientId, consents: forgotten, grants: entry.grants.length },
    });
    return reply.status(204).send();
  };

export function applicationRoutes(app: App, deps: AccountDeps, kit: AccountKit): void {
  const onRequest = kit.guard;
  app.get('/applications', { onRequest, schema: listApplicationsSchema }, listApplications(kit));
  app.delete(
    '/applications/:clientId',
    { onRequest, schema: revokeApplicationSchema },
    revokeApplication(deps, kit),
  );
}
