import { HttpError } from '@platform/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';
import { contentSecurityPolicy } from '../pages/html.ts';
import { changePasswordPage, consentPage, loginPage, messagePage } from '../pages/interaction-pages.ts';
import type { ResourceServersRepository } from '../resources/resource-servers.repository.ts';
import type { ConsentsStore } from './consents.ts';
import type { Csrf } from './csrf.ts';

// The sign-in, password-change and consent steps oidc-provider delegates to the application. Each handler
// is a short sequence: load the interaction, check the CSRF token, do the step, hand the result back to the
// provider (which redirects on to the client).

export interface SignInAttempt {
  attempt(input: { login: string; password: string; ip: string }): Promise<
    | { ok: true; user: { id: string; username: string; mustChangePassword: boolean } }
    | {
        ok: false;
        reason: 'invalid_credentials' | 'locked' | 'disabled' | 'rate_limited';
        /** The account the login matched, if any. */
        account?: { id: string; username: string };
      }
  >;
}

export interface InteractionDeps {
  provider: () => Provider;
  csrf: Csrf;
  signIn: SignInAttempt;
  users: {
    get(id: string): Promise<{ id: string; username: string } | undefined>;
    setPassword(id: string, password: string, options?: { mustChangePassword?: boolean }): Promise<void>;
  };
  permissionsOf(userId: string): Promise<Set<string>>;
  resources: ResourceServersRepository;
  consents: ConsentsStore;
  audit: Pick<AuditLog, 'record'>;
}

const FAILURE_MESSAGES: Record<string, string> = {
  // One message for unknown users and wrong passwords: the page never says which accounts exist.
  invalid_credentials: 'The username or password is incorrect.',
  locked: 'Too many failed attempts. This account is locked for a while; try again later.',
  disabled: 'This account is disabled. Contact your administrator.',
  rate_limited: 'Too many sign-in attempts from your network. Wait a minute and try again.',
};

const OIDC_SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Stay signed in and act while you are away (refresh tokens)',
};

type Body = Record<string, string | undefined>;
type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

function html(reply: FastifyReply, body: string, formTargets: string[] = [], status = 200) {
  return reply
    .status(status)
    .header('content-security-policy', contentSecurityPolicy(formTargets))
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .type('text/html; charset=utf-8')
    .send(body);
}

/** The client's redirect origin: forms may lead there, since the provider's redirect follows a POST. */
const redirectOrigin = (details: Details) => {
  try {
    return [new URL(String(details.params.redirect_uri)).origin];
  } catch {
    return [];
  }
};

export function interactionRoutes(app: FastifyInstance, deps: InteractionDeps): void {
  const { csrf } = deps;

  async function load(request: FastifyRequest, reply: FastifyReply): Promise<Details> {
    try {
      return await deps.provider().interactionDetails(request.raw, reply.raw);
    } catch {
      throw new HttpError({
        status: 400,
        code: 'interaction_expired',
        detail: 'This sign-in request has expired or is unknown. Start again from the application.',
      });
    }
  }

  function checkCsrf(request: FastifyRequest, uid: string) {
    if (!csrf.verify(request, uid, (request.body as Body | undefined)?.csrf)) {
      throw new HttpError({
        status: 403,
        code: 'csrf_failed',
        detail: 'The form expired or was not sent from this site. Reload the page and try again.',
      });
    }
  }

  async function clientName(details: Details) {
    const client = await deps.provider().Client.find(String(details.params.client_id));
    return client?.clientName ?? String(details.params.client_id);
  }

  async function finish(request: FastifyRequest, reply: FastifyReply, result: InteractionResults) {
    const location = await deps
      .provider()
      .interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return reply.redirect(location, 303);
  }

  /** Scopes of the pending consent the user may actually grant: requested ∩ client allowed ∩ their roles. */
  async function consentScopes(details: Details) {
    const prompt = details.prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const permitted = await deps.permissionsOf(String(details.session?.accountId));
    const oidc = prompt.missingOIDCScope ?? [];
    const resources: Record<string, string[]> = {};
    const rejected: Record<string, string[]> = {};
    for (const [indicator, scopes] of Object.entries(prompt.missingResourceScopes ?? {})) {
      resources[indicator] = scopes.filter((scope) => permitted.has(scope));
      rejected[indicator] = scopes.filter((scope) => !permitted.has(scope));
    }
    return { oidc, resources, rejected, withheld: Object.values(rejected).flat() };
  }

  app.get<{ Params: { uid: string } }>(
    '/interaction/:uid',
    { schema: { hide: true } },
    async (request, reply) => {
      const details = await load(request, reply);
      const uid = details.uid;
      const token = csrf.issue(request, reply, uid);
      if (details.prompt.name === 'login') {
        return html(
          reply,
          loginPage({ uid, csrf: token, clientName: await clientName(details) }),
          redirectOrigin(details),
        );
      }
      if (details.prompt.name === 'consent') {
        const { oidc, resources, withheld } = await consentScopes(details);
        const descriptions = new Map<string, string>();
        for (const server of await deps.resources.list())
          for (const s of server.scopes) descriptions.set(s.name, s.description);
        const user = await deps.users.get(String(details.session?.accountId));
        return html(
          reply,
          consentPage({
            uid,
            csrf: token,
            clientName: await clientName(details),
            username: user?.username ?? 'you',
            scopes: [
              ...oidc.map((name) => ({ name, description: OIDC_SCOPE_TEXT[name] ?? '' })),
              ...Object.values(resources)
                .flat()
                .map((name) => ({ name, description: descriptions.get(name) ?? '' })),
            ],
            withheld,
          }),
          redirectOrigin(details),
        );
      }
      return html(reply, messagePage('Unsupported step', 'This sign-in step is not supported.'), [], 400);
    },
  );

  app.post<{ Params: { uid: string }; Body: Body }>(
    '/interaction/:uid/login',
    { schema: { hide: true } },
    async (request, reply) => {
      const details = await load(request, reply);
      checkCsrf(request, details.uid);
      const login = (request.body.login ?? '').trim();
      const outcome = await deps.signIn.attempt({
        login,
        password: request.body.password ?? '',
        ip: request.ip,
      });
      const clientId = String(details.params.client_id);
      const context = {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        requestId: request.id,
        clientId,
      };
      if (!outcome.ok) {
        // The typed login is never stored: it may be a password typed into the wrong box. A known account is
        // named by its id and stored username; an unknown (or unchecked, rate-limited) login only as such.
        const { account } = outcome;
        await deps.audit.record({
          ...context,
          actorType: 'user',
          actorId: account?.id ?? null,
          actorName: account?.username ?? null,
          action: outcome.reason === 'locked' ? 'login.locked' : 'login.failure',
          outcome: 'failure',
          details: {
            reason: outcome.reason,
            login: account ? 'known' : outcome.reason === 'rate_limited' ? 'unchecked' : 'unknown',
          },
        });
        const token = csrf.issue(request, reply, details.uid);
        const status = outcome.reason === 'rate_limited' ? 429 : 200;
        return html(
          reply,
          loginPage({
            uid: details.uid,
            csrf: token,
            clientName: await clientName(details),
            login,
            error: FAILURE_MESSAGES[outcome.reason],
          }),
          redirectOrigin(details),
          status,
        );
      }
      const { user } = outcome;
      await deps.audit.record({
        ...context,
        actorType: 'user',
        actorId: user.id,
        actorName: user.username,
        action: 'login.success',
        outcome: 'success',
      });
      if (user.mustChangePassword) {
        return html(
          reply,
          changePasswordPage({ uid: details.uid, csrf: csrf.issue(request, reply, details.uid), login }),
          redirectOrigin(details),
        );
      }
      return finish(request, reply, { login: { accountId: user.id } });
    },
  );

  app.post<{ Params: { uid: string }; Body: Body }>(
    '/interaction/:uid/password',
    { schema: { hide: true } },
    async (request, reply) => {
      const details = await load(request, reply);
      checkCsrf(request, details.uid);
      const { login = '', current = '', password = '', confirm = '' } = request.body;
      const again = (errors: string[]) =>
        html(
          reply,
          changePasswordPage({
            uid: details.uid,
            csrf: csrf.issue(request, reply, details.uid),
            login,
            errors,
          }),
          redirectOrigin(details),
        );
      // The current password is asked again: the form is stateless, so it re-authenticates the user.
      const outcome = await deps.signIn.attempt({ login, password: current, ip: request.ip });
      if (!outcome.ok) return again([FAILURE_MESSAGES[outcome.reason] ?? 'Sign-in failed.']);
      if (password !== confirm) return again(['The new passwords do not match.']);
      if (password === current) return again(['The new password must differ from the current one.']);
      try {
        await deps.users.setPassword(outcome.user.id, password, { mustChangePassword: false });
      } catch (error) {
        const issues = (error as { issues?: Array<{ message: string }> }).issues;
        if (issues) return again(issues.map((i) => i.message));
        throw error;
      }
      await deps.audit.record({
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        requestId: request.id,
        clientId: String(details.params.client_id),
        actorType: 'user',
        actorId: outcome.user.id,
        actorName: outcome.user.username,
        action: 'user.password_change',
        outcome: 'success',
      });
      return finish(request, reply, { login: { accountId: outcome.user.id } });
    },
  );

  app.post<{ Params: { uid: string }; Body: Body }>(
    '/interaction/:uid/confirm',
    { schema: { hide: true } },
    async (request, reply) => {
      const details = await load(request, reply);
      checkCsrf(request, details.uid);
      if (details.prompt.name !== 'consent')
        throw new HttpError({
          status: 400,
          code: 'not_consent',
          detail: 'There is nothing to consent to in this step.',
        });
      const provider = deps.provider();
      const accountId = String(details.session?.accountId);
      const clientId = String(details.params.client_id);
      const { oidc, resources, rejected } = await consentScopes(details);
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId, clientId });
      if (!grant)
        throw new HttpError({
          status: 400,
          code: 'interaction_expired',
          detail: 'This consent request has expired.',
        });
      if (oidc.length) grant.addOIDCScope(oidc.join(' '));
      const claims = (details.prompt.details as { missingOIDCClaims?: string[] }).missingOIDCClaims;
      if (claims?.length) grant.addOIDCClaims(claims);
      for (const [indicator, scopes] of Object.entries(resources))
        if (scopes.length) grant.addResourceScope(indicator, scopes.join(' '));
      // Scopes the user's roles do not allow are rejected in the grant, so the provider stops asking for
      // them and issues the token without them (RBAC → scopes).
      for (const [indicator, scopes] of Object.entries(rejected))
        if (scopes.length) grant.rejectResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      await deps.consents.remember(accountId, clientId, { oidcScopes: oidc, resourceScopes: resources });
      const user = await deps.users.get(accountId);
      await deps.audit.record({
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        requestId: request.id,
        clientId,
        actorType: 'user',
        actorId: accountId,
        actorName: user?.username ?? null,
        action: 'consent.grant',
        outcome: 'success',
        details: { scopes: [...oidc, ...Object.values(resources).flat()] },
      });
      return finish(request, reply, { consent: details.grantId ? {} : { grantId } });
    },
  );

  app.get<{ Params: { uid: string } }>(
    '/interaction/:uid/abort',
    { schema: { hide: true } },
    async (request, reply) => {
      await load(request, reply);
      return finish(request, reply, {
        error: 'access_denied',
        error_description: 'The user cancelled the request.',
      });
    },
  );
}
