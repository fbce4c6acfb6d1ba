import type { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { Counter, type Registry } from 'prom-client';
import type { AuditLog } from '../audit/audit-log.ts';
import { FORWARDED_USER_AGENT_HEADER } from '../audit/forwarded.ts';
import { answeredError } from '../token-exchange/unauthorized-client.ts';
import { observeBackchannel } from './backchannel.ts';
import { refusedStructuredToken } from './introspection.ts';
import { auditRevocations } from './revocation.ts';

// oidc-provider reports what happens through events; this turns them into the oauth_* metrics and
// into audit records. Metrics are registered once per registry (providers are rebuilt on key changes).

function counter(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  return (
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

export interface ProviderEventDeps {
  registry: Registry;
  audit: Pick<AuditLog, 'record'>;
  log: FastifyBaseLogger;
}

/** oidc-provider's model names, as the token types of RFC 7009 / 7662 name them. */
const TOKEN_TYPES: Record<string, string> = {
  AccessToken: 'access_token',
  RefreshToken: 'refresh_token',
  ClientCredentials: 'access_token',
};

const REUSE = 'refresh token already used';
const CODE_REPLAY = 'authorization code already consumed';

/** The oauth_* counters, shared by every provider built on the registry. */
function providerMetrics(registry: Registry) {
  return {
    issued: counter(
      registry,
      'oauth_tokens_issued_total',
      'Token responses issued, by grant type and client.',
      ['grant_type', 'client_id'],
    ),
    grantErrors: counter(
      registry,
      'oauth_grant_errors_total',
      'Token endpoint errors, by grant type and OAuth error.',
      ['grant_type', 'error'],
    ),
    reuse: counter(
      registry,
      'oauth_refresh_token_reuse_total',
      'Reuse of a rotated refresh token (the grant is revoked).',
      [],
    ),
    codeReplay: counter(
      registry,
      'oauth_authorization_code_replay_total',
      'Replayed authorization codes (the grant is revoked).',
      [],
    ),
    revocations: counter(
      registry,
      'oauth_revocations_total',
      'Tokens revoked at the revocation endpoint or by grant revocation.',
      ['kind'],
    ),
    endpointErrors: counter(
      registry,
      'oauth_endpoint_errors_total',
      'Errors answered by other protocol endpoints.',
      ['endpoint', 'error'],
    ),
  };
}

type Metrics = ReturnType<typeof providerMetrics>;
type RecordEvent = (event: Parameters<AuditLog['record']>[0]) => Promise<unknown>;

/** Who did it and from where, as every audit record of a protocol event carries it. */
const requestContext = (ctx: KoaContextWithOIDC) => ({
  ip: ctx.ip,
  // Set by pinForwardedHeaders on every request: the browser's when a trusted proxy (a console) forwarded it.
  userAgent: ctx.get(FORWARDED_USER_AGENT_HEADER) || ctx.get('user-agent') || undefined,
  requestId: ctx.get('x-request-id') || String(ctx.res.getHeader('x-request-id') ?? ''),
  clientId: ctx.oidc?.client?.clientId ?? null,
});

/** Tokens issued, token endpoint errors, and the replays that revoke a grant. */
function observeGrants(provider: Provider, metrics: Metrics, record: RecordEvent): void {
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const grantType = String(ctx.oidc.params?.grant_type ?? 'unknown');
    const clientId = ctx.oidc.client?.clientId ?? 'unknown';
    metrics.issued.inc({ grant_type: grantType, client_id: clientId });
    void record({
      ...requestContext(ctx),
      ...(ctx.oidc.account
        ? { actorType: 'user' as const, actorId: ctx.oidc.account.accountId }
        : { actorType: 'client' as const, actorId: clientId }),
      action: 'token.issue',
      outcome: 'success',
      details: { grant_type: grantType },
    });
  });

  type GrantError = { error?: string; error_description?: string; error_detail?: string };
  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: GrantError) => {
    const grantType = String(ctx.oidc?.params?.grant_type ?? 'unknown');
    metrics.grantErrors.inc({ grant_type: grantType, error: answeredError(error) ?? 'unknown' });
    const detection =
      error.error_detail === REUSE
        ? 'refresh_token.reuse_detected'
        : error.error_detail === CODE_REPLAY
          ? 'authorization_code.replay_detected'
          : null;
    if (!detection) return;
    (detection === 'refresh_token.reuse_detected' ? metrics.reuse : metrics.codeReplay).inc();
    void record({
      ...requestContext(ctx),
      actorType: 'client',
      actorId: ctx.oidc?.client?.clientId ?? 'unknown',
      actorName: null,
      action: detection,
      outcome: 'failure',
      details: { grant_revoked: true },
    });
  });
}

/** Grants revoked, tokens revoked at the revocation endpoint, and every token model destroyed. */
function observeRevocations(provider: Provider, metrics: Metrics, record: RecordEvent): void {
  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    metrics.revocations.inc({ kind: 'grant' });
    void record({
      ...requestContext(ctx),
      actorType: 'client',
      actorId: ctx.oidc?.client?.clientId ?? 'unknown',
      actorName: null,
      action: 'grant.revoke',
      outcome: 'success',
      targetType: 'grant',
      targetId: grantId,
    });
  });

  // The revocation endpoint emits no success event; see revocation.ts.
  provider.use(
    auditRevocations((ctx, token) => {
      void record({
        ...requestContext(ctx),
        actorType: 'client',
        actorId: token.clientId,
        actorName: null,
        action: 'token.revoke',
        outcome: 'success',
        ...(token.grantId ? { targetType: 'grant', targetId: token.grantId } : {}),
        details: { token_type: TOKEN_TYPES[token.kind] ?? token.kind },
      });
    }),
  );

  // Model events are emitted under computed names the type definitions do not list.
  const emitter = provider as unknown as EventEmitter;
  for (const model of ['access_token', 'refresh_token', 'client_credentials'] as const) {
    emitter.on(`${model}.destroyed`, () => metrics.revocations.inc({ kind: model }));
  }
}

const OBSERVED_ENDPOINTS = [
  'authorization',
  'introspection',
  'revocation',
  'userinfo',
  'end_session',
  'registration_create',
  'pushed_authorization_request',
  'device_authorization',
];

export function observeProvider(provider: Provider, deps: ProviderEventDeps): void {
  const { audit, log } = deps;
  const metrics = providerMetrics(deps.registry);
  const record: RecordEvent = (event) =>
    audit.record(event).catch((error: unknown) => log.error({ err: error }, 'audit record failed'));

  observeGrants(provider, metrics, record);
  observeRevocations(provider, metrics, record);
  observeBackchannel(provider, record, log);

  // Endpoint events are emitted under computed names the type definitions do not list.
  const emitter = provider as unknown as EventEmitter;
  for (const endpoint of OBSERVED_ENDPOINTS) {
    emitter.on(`${endpoint}.error`, (ctx: KoaContextWithOIDC, error: { error?: string }) => {
      // A JWT refused by oidc-provider's introspection is answered after all (see introspection.ts).
      if (endpoint === 'introspection' && refusedStructuredToken(ctx)) return;
      metrics.endpointErrors.inc({ endpoint, error: error.error ?? 'unknown' });
    });
  }

  provider.on('server_error', (_ctx: KoaContextWithOIDC, error: Error) =>
    log.error({ err: error }, 'oidc-provider server error'),
  );
}
