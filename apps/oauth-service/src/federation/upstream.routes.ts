import { type App, type Handler, HttpError } from '@platform/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditContext, type Details, loadInteraction } from '../interactions/interaction-steps.ts';
import { afterFirstFactor, finishSignIn, type MfaStepDeps } from '../mfa/mfa-steps.ts';
import { type ResolutionDeps, resolveAccount, syncGroupRoles } from './account-resolution.ts';
import { type UpstreamPerson, upstreamSatisfiesMfa } from './claims.ts';
import { UpstreamError } from './upstream-client.ts';
import { type LinkDeps, linkCallback, startLink } from './upstream-link.ts';
import {
  callbackQuery,
  enabledProvider,
  FLOW_TTL_MS,
  type FlowProvider,
  refuse,
  startFlow,
  stateOf,
  type UpstreamStepDeps,
} from './upstream-steps.ts';

// Sign-in through an upstream identity provider. The sign-in page's link starts the flow (the interaction
// must still wait for a sign-in); the upstream returns to the one registered redirect URI, which hands the
// browser on to its interaction's own path, where oidc-provider's interaction cookie proves it is the
// browser that started (an attacker's code cannot finish someone else's sign-in); there the flow is taken
// once, the code exchanged and checked, the account resolved, and the MFA policy applied as after a password.

export interface UpstreamRouteDeps extends UpstreamStepDeps, MfaStepDeps, LinkDeps {
  resolution: ResolutionDeps;
}

const hidden = () => ({ schema: { hide: true } as const });
type UpstreamHandler = Handler<ReturnType<typeof hidden>['schema']>;
type Params = { id: string; uid?: string };

const UID_FORMAT = /^[\w-]{1,64}$/;
const expired = () =>
  new HttpError({
    status: 400,
    code: 'interaction_expired',
    detail: 'This sign-in request has expired or is unknown. Start again from the application.',
  });

/** GET /login/upstream/:id?interaction=<uid>: off to the upstream, for the interaction waiting for a sign-in. */
const startSignIn =
  (deps: UpstreamRouteDeps): UpstreamHandler =>
  async (request, reply) => {
    const { id } = request.params as Params;
    const uid = (request.query as Record<string, unknown>).interaction;
    const provider = await enabledProvider(deps, id);
    if (!provider)
      return refuse(
        deps,
        { request, reply },
        { failure: 'provider_unavailable', reason: 'provider_disabled', provider: undefined },
      );
    if (typeof uid !== 'string' || !UID_FORMAT.test(uid)) throw expired();
    const interaction = await deps.provider().Interaction.find(uid);
    if (interaction?.prompt.name !== 'login') throw expired();
    const ttlMs = Math.min(FLOW_TTL_MS, interaction.exp * 1000 - Date.now());
    try {
      const url = await startFlow(deps, provider, { mode: 'sign_in', uid }, ttlMs);
      return reply.redirect(url.href, 303);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      const signInUrl = `/interaction/${uid}`;
      return refuse(
        deps,
        { request, reply },
        { failure: 'upstream_failed', reason: error.reason, provider, signInUrl },
      );
    }
  };

/** GET /login/upstream/:id/callback: the registered redirect URI; a sign-in goes on at its interaction's path. */
const callback =
  (deps: UpstreamRouteDeps): UpstreamHandler =>
  async (request, reply) => {
    const { id } = request.params as Params;
    const state = stateOf(request);
    const flow = state ? await deps.flows.peek(state) : undefined;
    const provider = await enabledProvider(deps, id);
    if (!flow || flow.providerId !== id) {
      const failure = provider ? 'expired' : 'provider_unavailable';
      return refuse(deps, { request, reply }, { failure, reason: 'unknown_state', provider });
    }
    if (flow.mode === 'link') return linkCallback(deps, { request, reply }, state!);
    const query = callbackQuery(request).toString();
    return reply.redirect(
      `/interaction/${encodeURIComponent(flow.uid ?? '')}/upstream/${encodeURIComponent(id)}?${query}`,
      303,
    );
  };

/** The interaction of this browser (its cookie), which must be the one the path names. */
async function ownInteraction(deps: UpstreamRouteDeps, request: FastifyRequest, reply: FastifyReply) {
  const details = await loadInteraction(deps.provider(), request, reply);
  if ((request.params as Params).uid !== details.uid || details.prompt.name !== 'login') throw expired();
  return details;
}

/** GET /interaction/:uid/upstream/:id: the callback within the interaction; signs the resolved account in. */
const finishUpstream =
  (deps: UpstreamRouteDeps): UpstreamHandler =>
  async (request, reply) => {
    const details = await ownInteraction(deps, request, reply);
    const { id } = request.params as Params;
    const ctx = { request, reply };
    const base = { clientId: String(details.params.client_id), signInUrl: `/interaction/${details.uid}` };
    const state = stateOf(request);
    const flow = state ? await deps.flows.take(state) : undefined;
    const provider = await enabledProvider(deps, id);
    if (!provider)
      return refuse(deps, ctx, {
        ...base,
        failure: 'provider_unavailable',
        reason: 'provider_disabled',
        provider,
      });
    if (flow?.mode !== 'sign_in' || flow.uid !== details.uid || flow.providerId !== id)
      return refuse(deps, ctx, { ...base, failure: 'expired', reason: 'unknown_state', provider });
    let person: UpstreamPerson;
    try {
      person = await deps.upstreamClients.complete(provider, callbackQuery(request), {
        state: state!,
        ...flow,
      });
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      return refuse(deps, ctx, { ...base, failure: 'upstream_failed', reason: error.reason, provider });
    }
    return signInPerson(deps, { request, reply, details }, provider, person);
  };

/** The resolved account signs in: audited, roles re-synced, then the MFA policy as after a first factor. */
async function signInPerson(
  deps: UpstreamRouteDeps,
  ctx: { request: FastifyRequest; reply: FastifyReply; details: Details },
  provider: FlowProvider,
  person: UpstreamPerson,
) {
  const clientId = String(ctx.details.params.client_id);
  const resolution = await resolveAccount(deps.resolution, provider, person);
  if (!resolution.ok) {
    const refusal = { failure: resolution.reason, reason: resolution.reason, provider, person };
    return refuse(deps, ctx, {
      ...refusal,
      clientId,
      userId: resolution.userId,
      signInUrl: `/interaction/${ctx.details.uid}`,
      accountUrl: deps.accountConsoleUrl,
    });
  }
  const { user, how } = resolution;
  const extra = how === 'provisioned' ? provider.defaultRoles : [];
  const roles = await syncGroupRoles(deps.resolution.roles, user.id, person.groups, provider, extra);
  const audit = (action: string, details: Record<string, unknown>) =>
    deps.audit.record({
      ...auditContext(ctx.request, clientId),
      actorType: 'user',
      actorId: user.id,
      actorName: user.username,
      action,
      outcome: 'success',
      details: { provider: provider.id, subject: person.subject, ...details },
    });
  if (how === 'provisioned') await audit('upstream.provisioned', { roles: roles.added });
  if (how === 'auto_linked') await audit('upstream.linked', { by: 'verified_email' });
  const mfaUpstream = upstreamSatisfiesMfa(person, provider.mfaSatisfiedBy);
  await audit('upstream.sign_in', {
    roles_added: roles.added,
    roles_removed: roles.removed,
    mfa_upstream: mfaUpstream,
  });
  deps.signIn.limits.count('success', 'upstream');
  if (!mfaUpstream) return afterFirstFactor(deps, ctx, user.id, ['fed']);
  await deps.signIn.complete(user.id);
  return finishSignIn(deps, ctx, user.id, ['fed', 'mfa']);
}

export function upstreamRoutes(app: App, deps: UpstreamRouteDeps): void {
  app.get('/login/upstream/:id', hidden(), startSignIn(deps));
  app.get('/login/upstream/:id/callback', hidden(), callback(deps));
  app.get('/login/upstream/:id/link', hidden(), startLink(deps));
  app.get('/interaction/:uid/upstream/:id', hidden(), finishUpstream(deps));
}
