import { HttpError } from '@platform/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';
import { consentPage } from '../pages/interaction-pages.ts';
import type { ResourceServersRepository } from '../resources/resource-servers.repository.ts';
import type { ConsentsStore } from './consents.ts';
import {
  auditContext,
  clientName,
  consentScopes,
  type Details,
  finishInteraction,
} from './interaction-steps.ts';

// The consent step: a third-party client's users read what it asks for, in plain words, and decide; the
// platform's own (first-party) clients are granted what they ask for without the page. Either way the grant
// holds only scopes the client may ask for and the user's roles allow, is remembered, and is audited.

/** Plain-language descriptions of the OpenID scopes; resource scopes are described by their resource server. */
export const OIDC_SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Stay signed in and act while you are away (refresh tokens)',
};

/** What the consent step needs of the service (part of the interaction routes' dependencies). */
export interface ConsentDeps {
  provider: () => Provider;
  users: { get(id: string): Promise<{ id: string; username: string } | undefined> };
  permissionsOf(userId: string): Promise<Set<string>>;
  resources: ResourceServersRepository;
  consents: ConsentsStore;
  audit: Pick<AuditLog, 'record'>;
  /** Whether the client is the platform's own: no consent page (docs/adr/0023-first-party-clients.md). */
  isFirstParty(clientId: string): Promise<boolean>;
}

type Scopes = Awaited<ReturnType<typeof consentScopes>>;

export async function consentPageFor(deps: ConsentDeps, details: Details, csrf: string) {
  const { oidc, resources, withheld } = await consentScopes(deps.permissionsOf, details);
  const descriptions = new Map<string, string>(Object.entries(OIDC_SCOPE_TEXT));
  for (const server of await deps.resources.list())
    for (const s of server.scopes) descriptions.set(s.name, s.description);
  const describe = (name: string) => ({ name, description: descriptions.get(name) || name });
  const user = await deps.users.get(String(details.session?.accountId));
  return consentPage({
    uid: details.uid,
    csrf,
    clientName: await clientName(deps.provider(), details),
    username: user?.username ?? 'you',
    scopes: [...oidc, ...Object.values(resources).flat()].map(describe),
    withheld: withheld.map(describe),
  });
}

/** The grant consented to: what the user may grant added, what their roles do not allow rejected. */
async function grantConsent(provider: Provider, details: Details, scopes: Scopes) {
  const accountId = String(details.session?.accountId);
  const clientId = String(details.params.client_id);
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId });
  if (!grant)
    throw new HttpError({
      status: 400,
      code: 'interaction_expired',
      detail: 'This consent request has expired.',
    });
  if (scopes.oidc.length) grant.addOIDCScope(scopes.oidc.join(' '));
  const claims = (details.prompt.details as { missingOIDCClaims?: string[] }).missingOIDCClaims;
  if (claims?.length) grant.addOIDCClaims(claims);
  for (const [indicator, granted] of Object.entries(scopes.resources))
    if (granted.length) grant.addResourceScope(indicator, granted.join(' '));
  // Scopes the user's roles do not allow are rejected in the grant, so the provider stops asking for
  // them and issues the token without them (RBAC → scopes).
  for (const [indicator, rejected] of Object.entries(scopes.rejected))
    if (rejected.length) grant.rejectResourceScope(indicator, rejected.join(' '));
  return grant.save();
}

/**
 * Grants the pending consent, remembers it for the user's next sign-in, audits `consent.grant` (`automatic`
 * when no page was shown: a first-party client) and hands the result back to the provider.
 */
export async function grantAndFinish(
  deps: ConsentDeps,
  { request, reply, details }: { request: FastifyRequest; reply: FastifyReply; details: Details },
  automatic: boolean,
) {
  const accountId = String(details.session?.accountId);
  const clientId = String(details.params.client_id);
  const scopes = await consentScopes(deps.permissionsOf, details);
  const grantId = await grantConsent(deps.provider(), details, scopes);
  const { oidc, resources } = scopes;
  await deps.consents.remember(accountId, clientId, { oidcScopes: oidc, resourceScopes: resources });
  const user = await deps.users.get(accountId);
  await deps.audit.record({
    ...auditContext(request, clientId),
    actorType: 'user',
    actorId: accountId,
    actorName: user?.username ?? null,
    action: 'consent.grant',
    outcome: 'success',
    details: {
      scopes: [...oidc, ...Object.values(resources).flat()],
      ...(automatic ? { automatic: true, reason: 'first-party client' } : {}),
    },
  });
  return finishInteraction(
    deps.provider(),
    request,
    reply,
    { consent: details.grantId ? {} : { grantId } },
    { keepSignIn: true },
  );
}
