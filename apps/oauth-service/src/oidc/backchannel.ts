import type { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';

// OIDC Back-Channel Logout 1.0. oidc-provider sends logout tokens itself when a user signs out at the
// end-session endpoint; every other way a sign-in session ends here (an administrator's "sign out
// everywhere" or "end session", a disabled or deleted account, the account console's "end this session",
// a password reset) calls sessionEnded, which sends the same tokens through the same Client method. Each
// client that took part in the session and registered a back-channel URI gets one, with the session's sid.
// Delivery is oidc-provider's: a POST to the registered URI only, no redirects, 2.5 s timeout. Outcomes are
// audited (`session.backchannel_logout`, client and account; never the token).

/** The parts of a stored Session payload a logout needs. */
export interface EndedSessionPayload {
  accountId?: string;
  authorizations?: Record<string, { sid?: string }>;
}

type Emitter = Pick<EventEmitter, 'emit'>;
/** The Client method the type definitions leave out (oidc-provider's lib/models/client.js). */
type BackchannelClient = { backchannelLogout(sub: string, sid: string | undefined): Promise<void> };

/** Sends a logout token to every client of the session with a back-channel URI; resolves once all answered. */
export async function sessionEnded(provider: Provider, session: EndedSessionPayload): Promise<void> {
  const { accountId } = session;
  if (!accountId) return;
  const emitter = provider as unknown as Emitter;
  await Promise.all(
    Object.entries(session.authorizations ?? {}).map(async ([clientId, { sid }]) => {
      const client = await provider.Client.find(clientId).catch(() => undefined);
      if (!client?.backchannelLogoutUri) return;
      try {
        await (client as unknown as BackchannelClient).backchannelLogout(accountId, sid);
        emitter.emit('backchannel.success', undefined, client, accountId, sid);
      } catch (error) {
        emitter.emit('backchannel.error', undefined, error, client, accountId, sid);
      }
    }),
  );
}

/**
 * Outbound requests of oidc-provider (back-channel logout, a client's jwks_uri): its guard refuses private
 * and loopback addresses (SSRF); a back-channel URI an operator registered is let through, the consoles
 * being on the same private network as this service.
 */
export function outboundFetch(
  isManagedBackchannelUri: (url: string) => Promise<boolean>,
): Configuration['fetch'] {
  return async (url, options) => {
    const request = options as RequestInit & { dispatcher?: unknown };
    if (request.method === 'POST' && (await isManagedBackchannelUri(String(url)))) delete request.dispatcher;
    return fetch(url, request);
  };
}

type RecordEvent = (event: Parameters<AuditLog['record']>[0]) => Promise<unknown>;
type LoggedClient = { clientId: string };

/** Audits every delivery, from the end-session endpoint and from sessionEnded alike. */
export function observeBackchannel(provider: Provider, record: RecordEvent, log: FastifyBaseLogger): void {
  const emitter = provider as unknown as EventEmitter;
  const audited = (client: LoggedClient, accountId: string, outcome: 'success' | 'failure', error?: string) =>
    record({
      actorType: 'system',
      action: 'session.backchannel_logout',
      outcome,
      clientId: client.clientId,
      targetType: 'user',
      targetId: accountId,
      details: error ? { error } : {},
    });
  emitter.on(
    'backchannel.success',
    (_ctx: KoaContextWithOIDC | undefined, client: LoggedClient, accountId: string) => {
      void audited(client, accountId, 'success');
    },
  );
  emitter.on(
    'backchannel.error',
    (_ctx: KoaContextWithOIDC | undefined, error: Error, client: LoggedClient, accountId: string) => {
      // The message names the URI and the status or network error, never the token.
      log.warn({ client_id: client.clientId, reason: error.message }, 'back-channel logout failed');
      void audited(client, accountId, 'failure', error.message.slice(0, 200));
    },
  );
}
