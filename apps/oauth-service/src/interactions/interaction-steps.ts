import { HttpError } from '@platform/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { contentSecurityPolicy } from '../pages/html.ts';
import type { Csrf } from './csrf.ts';

// The steps every interaction handler is made of: load the interaction, check the CSRF token, answer with a
// page or hand the result back to the provider (which redirects on to the client).

/** A submitted sign-in, password or consent form: every field optional, as a browser may omit any. */
export type FormBody = Record<string, string | undefined>;
export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

export const formOf = (request: FastifyRequest) => request.body as FormBody;

/** What a page's scripts may load and call: none unless given (the sign-in page's are its own files). */
export interface PageSources {
  scripts: string[];
  connect: string[];
}

/** An HTML page, never cached or framed, whose forms may post only to `formTargets` (and the service). */
export function html(
  reply: FastifyReply,
  body: string,
  formTargets: string[] = [],
  status = 200,
  sources: PageSources = { scripts: [], connect: [] },
) {
  return reply
    .status(status)
    .header('content-security-policy', contentSecurityPolicy(formTargets, sources.scripts, sources.connect))
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .type('text/html; charset=utf-8')
    .send(body);
}

/** The client's redirect origin: forms may lead there, since the provider's redirect follows a POST. */
export const redirectOrigin = (details: Details) => {
  try {
    return [new URL(String(details.params.redirect_uri)).origin];
  } catch {
    return [];
  }
};

export async function loadInteraction(
  provider: Provider,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Details> {
  try {
    return await provider.interactionDetails(request.raw, reply.raw);
  } catch {
    throw new HttpError({
      status: 400,
      code: 'interaction_expired',
      detail: 'This sign-in request has expired or is unknown. Start again from the application.',
    });
  }
}

export function checkCsrf(csrf: Csrf, request: FastifyRequest, uid: string): void {
  if (!csrf.verify(request, uid, (request.body as FormBody | undefined)?.csrf)) {
    throw new HttpError({
      status: 403,
      code: 'csrf_failed',
      detail: 'The form expired or was not sent from this site. Reload the page and try again.',
    });
  }
}

export async function clientName(provider: Provider, details: Details): Promise<string> {
  const client = await provider.Client.find(String(details.params.client_id));
  return client?.clientName ?? String(details.params.client_id);
}

/**
 * Hands a step's result to the provider. A consent step keeps the sign-in submitted before it in the same
 * authorization request (`keepSignIn`): without it, a request with `max_age=0` or `prompt=login` would see
 * no fresh sign-in when it resumes and ask for one again, forever.
 */
export async function finishInteraction(
  provider: Provider,
  request: FastifyRequest,
  reply: FastifyReply,
  result: InteractionResults,
  { keepSignIn = false }: { keepSignIn?: boolean } = {},
) {
  const location = await provider.interactionResult(request.raw, reply.raw, result, {
    mergeWithLastSubmission: keepSignIn,
  });
  return reply.redirect(location, 303);
}

/** Scopes of the pending consent the user may actually grant: requested ∩ client allowed ∩ their roles. */
export async function consentScopes(
  permissionsOf: (userId: string) => Promise<Set<string>>,
  details: Details,
) {
  const prompt = details.prompt.details as {
    missingOIDCScope?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const permitted = await permissionsOf(String(details.session?.accountId));
  const oidc = prompt.missingOIDCScope ?? [];
  const resources: Record<string, string[]> = {};
  const rejected: Record<string, string[]> = {};
  for (const [indicator, scopes] of Object.entries(prompt.missingResourceScopes ?? {})) {
    resources[indicator] = scopes.filter((scope) => permitted.has(scope));
    rejected[indicator] = scopes.filter((scope) => !permitted.has(scope));
  }
  return { oidc, resources, rejected, withheld: Object.values(rejected).flat() };
}

/** Who did it and from where, as every audit record of an interaction carries it. */
export const auditContext = (request: FastifyRequest, clientId: string) => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'],
  requestId: request.id,
  clientId,
});
