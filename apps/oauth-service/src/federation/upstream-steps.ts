import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import type { SignIn } from '../accounts/sign-in.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditContext, html } from '../interactions/interaction-steps.ts';
import type { UpstreamPerson } from './claims.ts';
import type { FlowsRepository, PendingFlow } from './flows.repository.ts';
import { PROVIDER_ID_PATTERN } from './provider-rules.ts';
import type { UpstreamClients, UpstreamSettings } from './upstream-client.ts';
import { FAILURE_STATUS, type UpstreamFailure, upstreamFailurePage } from './upstream-pages.ts';

// What the upstream routes share: the provider lookup, starting a flow (state, nonce and PKCE verifier kept
// server-side, only the state travels), the audit record of a refusal and its page.

/** The provider as the flow reads it (providers.repository.ts's UpstreamProvider). */
export interface FlowProvider extends UpstreamSettings {
  displayName: string;
  enabled: boolean;
  groupRoles: Record<string, string>;
  jitEnabled: boolean;
  defaultRoles: string[];
  allowedEmailDomains: string[];
  linkByVerifiedEmail: boolean;
  mfaSatisfiedBy: { amr: string[]; acr: string[] };
}

export interface UpstreamStepDeps {
  upstreamProviders: { find(id: string): Promise<FlowProvider | undefined> };
  upstreamClients: UpstreamClients;
  flows: FlowsRepository;
  audit: Pick<AuditLog, 'record'>;
  signIn: SignIn;
}

/** How long an upstream sign-in may take between the start and the callback. */
export const FLOW_TTL_MS = 10 * 60_000;
/** `state` as the flow makes it (openid-client's randomState: 32 random bytes, base64url). */
export const STATE_FORMAT = /^[\w-]{43}$/;

/** The enabled provider `id`, or undefined: a disabled provider starts and finishes nothing. */
export async function enabledProvider(deps: UpstreamStepDeps, id: string) {
  // Not a provider id (a NUL or a megabyte from the path) is unknown without asking the database.
  if (!new RegExp(PROVIDER_ID_PATTERN).test(id)) return undefined;
  const provider = await deps.upstreamProviders.find(id);
  return provider?.enabled ? provider : undefined;
}

/** Keeps the flow server-side and returns where to send the browser: the upstream's authorization URL. */
export async function startFlow(
  deps: UpstreamStepDeps,
  provider: FlowProvider,
  flow: Omit<PendingFlow, 'nonce' | 'codeVerifier' | 'providerId'>,
  ttlMs = FLOW_TTL_MS,
): Promise<URL> {
  const state = oidc.randomState();
  const checks = { state, nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
  const url = await deps.upstreamClients.authorizationUrl(provider, checks);
  await deps.flows.put(
    state,
    { ...flow, providerId: provider.id, nonce: checks.nonce, codeVerifier: checks.codeVerifier },
    ttlMs,
  );
  return url;
}

export const stateOf = (request: FastifyRequest) => {
  const state = (request.query as Record<string, unknown>).state;
  return typeof state === 'string' && STATE_FORMAT.test(state) ? state : undefined;
};

/** The callback's query as received (code, state, iss, or error), for openid-client's checks. */
export const callbackQuery = (request: FastifyRequest) =>
  new URLSearchParams(request.raw.url?.split('?')[1] ?? '');

/** A random value for the browser's cookie, and its SHA-256 for the server-side flow. */
export function browserBinding() {
  const value = randomBytes(32).toString('base64url');
  return { value, hash: hashBinding(value) };
}
export const hashBinding = (value: string) => createHash('sha256').update(value).digest('base64url');

export interface Refusal {
  failure: UpstreamFailure;
  /** The audited reason (more precise than the page's words). */
  reason: string;
  provider: Pick<FlowProvider, 'id' | 'displayName'> | undefined;
  userId?: string | undefined;
  clientId?: string | undefined;
  signInUrl?: string | undefined;
  accountUrl?: string | undefined;
  person?: Pick<UpstreamPerson, 'subject'> | undefined;
}

/** Audits `upstream.refused` (with the reason), counts it, and answers with the page. */
export async function refuse(
  deps: UpstreamStepDeps,
  { request, reply }: { request: FastifyRequest; reply: FastifyReply },
  refusal: Refusal,
) {
  await deps.audit.record({
    ...auditContext(request, ''),
    clientId: refusal.clientId ?? null,
    actorType: 'user',
    actorId: refusal.userId ?? null,
    action: 'upstream.refused',
    outcome: 'failure',
    details: {
      reason: refusal.reason,
      provider: refusal.provider?.id ?? null,
      ...(refusal.person ? { subject: refusal.person.subject } : {}),
    },
  });
  deps.signIn.limits.count(refusal.failure === 'disabled' ? 'disabled' : 'invalid_credentials', 'upstream');
  const body = upstreamFailurePage({
    failure: refusal.failure,
    providerName: refusal.provider?.displayName ?? 'this provider',
    signInUrl: refusal.signInUrl,
    accountUrl: refusal.accountUrl,
  });
  return html(reply, body, [], FAILURE_STATUS[refusal.failure]);
}
