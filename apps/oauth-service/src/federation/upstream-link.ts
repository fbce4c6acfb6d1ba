import type { Handler } from '@platform/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { auditContext } from '../interactions/interaction-steps.ts';
import type { IdentityLinks } from './account-resolution.ts';
import type { UpstreamPerson } from './claims.ts';
import { UpstreamError } from './upstream-client.ts';
import {
  browserBinding,
  callbackQuery,
  enabledProvider,
  type FlowProvider,
  hashBinding,
  type Refusal,
  refuse,
  startFlow,
  type UpstreamStepDeps,
} from './upstream-steps.ts';

// Linking an upstream sign-in to the account signed in at oauth-service (its session cookie), started from
// the account console and returning there. The flow is bound to the starting browser by a cookie of its own
// (only its hash is kept), and finishes only while the same account is still signed in. A new link is a new
// way into the account, so, like the account API's sensitive changes (ADR 0040), it starts only from a
// sign-in at most ACCOUNT_REAUTH_SECONDS old; an older one is sent to the console's sign-in with
// `reauth=1`, which comes back to the page the link was started from.

export interface LinkDeps extends UpstreamStepDeps {
  provider: () => Provider;
  /** ACCOUNT_CONSOLE_URL: the only place a link flow returns to. */
  accountConsoleUrl: string;
  /** ACCOUNT_REAUTH_SECONDS: how old the session's sign-in may be for a new link. */
  reauthSeconds: number;
  secureCookies: boolean;
  identities: IdentityLinks;
  users: { get(id: string): Promise<{ id: string; username: string } | undefined> };
}

const hidden = () => ({ schema: { hide: true } as const });
type LinkHandler = Handler<ReturnType<typeof hidden>['schema']>;
type Step = { request: FastifyRequest; reply: FastifyReply };

const BINDING_COOKIE = 'oauth_upstream_link';
const COOKIE_PATH = '/login/upstream';

/** The account of the browser's oauth-service session (oidc-provider's signed session cookie), if any. */
async function sessionAccount(provider: Provider, step: Step): Promise<string | undefined> {
  return (await sessionSignIn(provider, step))?.accountId;
}

/** The account of the browser's session and when it signed in (epoch seconds). */
async function sessionSignIn(
  provider: Provider,
  { request, reply }: Step,
): Promise<{ accountId: string; authTime: number | undefined } | undefined> {
  const koa = provider as unknown as {
    createContext(
      req: unknown,
      res: unknown,
    ): { cookies: { get(name: string, o: object): string | undefined } };
  };
  const ctx = koa.createContext(request.raw, reply.raw);
  const id = ctx.cookies.get(provider.cookieName('session'), { signed: true });
  const session = id ? await provider.Session.find(id) : undefined;
  if (typeof session?.accountId !== 'string') return undefined;
  return { accountId: session.accountId, authTime: session.authTime() };
}

const isRecent = (authTime: number | undefined, windowSeconds: number) =>
  typeof authTime === 'number' && Math.floor(Date.now() / 1000) - authTime <= windowSeconds;

/** The console's sign-in asking for a fresh one (`max_age=0`), coming back to `returnTo` (within the console). */
function consoleReauthentication(consoleUrl: string, returnTo: string): string {
  const basePath = new URL(consoleUrl).pathname.replace(/\/$/, '');
  const target = new URL(returnTo);
  const path = `${target.pathname.slice(basePath.length) || '/'}${target.search}`;
  return `${consoleUrl}/auth/login?${new URLSearchParams({ reauth: '1', returnTo: path })}`;
}

/** A refusal whose page leads back to the account console. */
const refuseLink = (deps: LinkDeps, step: Step, refusal: Omit<Refusal, 'accountUrl'>) =>
  refuse(deps, step, { ...refusal, accountUrl: deps.accountConsoleUrl });

const providerUnavailable = (deps: LinkDeps, step: Step) =>
  refuseLink(deps, step, {
    failure: 'provider_unavailable',
    reason: 'provider_disabled',
    provider: undefined,
  });

/** The refusal for an upstream that failed a check; anything but an UpstreamError is thrown on. */
function upstreamFailed(deps: LinkDeps, step: Step, error: unknown, provider: FlowProvider, userId: string) {
  if (!(error instanceof UpstreamError)) throw error;
  return refuseLink(deps, step, { failure: 'upstream_failed', reason: error.reason, provider, userId });
}

/** `return_to` when it lies within the account console; anything else is refused. */
function returnTarget(consoleUrl: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const target = new URL(value);
    const base = new URL(consoleUrl);
    const basePath = base.pathname.replace(/\/$/, '');
    const within = target.pathname === basePath || target.pathname.startsWith(`${basePath}/`);
    return target.origin === base.origin && within ? target.href : undefined;
  } catch {
    return undefined;
  }
}

/** GET /login/upstream/:id/link?return_to=…: links an upstream sign-in to the signed-in account. */
export const startLink =
  (deps: LinkDeps): LinkHandler =>
  async (request, reply) => {
    const step = { request, reply };
    const { id } = request.params as { id: string };
    const provider = await enabledProvider(deps, id);
    if (!provider) return providerUnavailable(deps, step);
    const returnTo = returnTarget(
      deps.accountConsoleUrl,
      (request.query as Record<string, unknown>).return_to,
    );
    if (!returnTo)
      return reply.status(400).type('application/problem+json').send({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        code: 'invalid_return_to',
        detail: 'return_to must be an address within the account console.',
      });
    const signedIn = await sessionSignIn(deps.provider(), step);
    if (!signedIn)
      return refuseLink(deps, step, { failure: 'not_signed_in', reason: 'no_session', provider });
    if (!isRecent(signedIn.authTime, deps.reauthSeconds))
      return reply.redirect(consoleReauthentication(deps.accountConsoleUrl, returnTo), 303);
    const { accountId } = signedIn;
    const binding = browserBinding();
    try {
      const url = await startFlow(deps, provider, {
        mode: 'link',
        accountId,
        returnTo,
        browserBinding: binding.hash,
      });
      reply.setCookie(BINDING_COOKIE, binding.value, {
        path: COOKIE_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookies,
        maxAge: 600,
      });
      return reply.redirect(url.href, 303);
    } catch (error) {
      return upstreamFailed(deps, step, error, provider, accountId);
    }
  };

/** The callback of a link flow: same browser, same account, then the link (audited) and back to the console. */
export async function linkCallback(deps: LinkDeps, step: Step, state: string) {
  const { request, reply } = step;
  const { id } = request.params as { id: string };
  const flow = await deps.flows.take(state);
  const provider = await enabledProvider(deps, id);
  reply.clearCookie(BINDING_COOKIE, { path: COOKIE_PATH });
  if (!provider) return providerUnavailable(deps, step);
  const cookie = request.cookies[BINDING_COOKIE];
  const sameBrowser =
    flow?.browserBinding !== undefined && cookie !== undefined && hashBinding(cookie) === flow.browserBinding;
  const accountId = await sessionAccount(deps.provider(), step);
  if (flow?.mode !== 'link' || !sameBrowser || !accountId || accountId !== flow.accountId)
    return refuseLink(deps, step, {
      failure: 'expired',
      reason: 'unbound_link',
      provider,
      userId: accountId,
    });
  let person: UpstreamPerson;
  try {
    person = await deps.upstreamClients.complete(provider, callbackQuery(request), { state, ...flow });
  } catch (error) {
    return upstreamFailed(deps, step, error, provider, accountId);
  }
  const refused = await linkIdentity(deps, step, { provider, person, accountId });
  if (refused) return refused;
  return reply.redirect(flow.returnTo ?? deps.accountConsoleUrl, 303);
}

/** Links the subject to the account (audited); a refusal's reply when it is linked elsewhere already. */
async function linkIdentity(
  deps: LinkDeps,
  step: Step,
  { provider, person, accountId }: { provider: FlowProvider; person: UpstreamPerson; accountId: string },
) {
  const { request } = step;
  const existing = await deps.identities.find(provider.id, person.subject);
  if (existing && existing.userId !== accountId)
    return await refuseLink(deps, step, {
      failure: 'already_linked',
      reason: 'subject_linked_elsewhere',
      provider,
      userId: accountId,
      person,
    });
  if (!existing) {
    try {
      await deps.identities.link({
        providerId: provider.id,
        subject: person.subject,
        userId: accountId,
        email: person.email ?? null,
      });
    } catch {
      // The account already has a link at this provider (one per provider and account).
      return await refuseLink(deps, step, {
        failure: 'already_linked',
        reason: 'account_linked_already',
        provider,
        userId: accountId,
        person,
      });
    }
    const user = await deps.users.get(accountId);
    await deps.audit.record({
      ...auditContext(request, ''),
      clientId: null,
      actorType: 'user',
      actorId: accountId,
      actorName: user?.username ?? null,
      action: 'upstream.linked',
      outcome: 'success',
      details: { provider: provider.id, subject: person.subject, by: 'user' },
    });
  }
  return undefined;
}
