import type { Kysely } from 'kysely';
import type { OAuthSchema } from '../db/schema.ts';

// The account API's own reads: what it shows of clients (name, first-party flag; never a secret) and the
// user's security events from the audit log.

export interface ClientFacts {
  name: string;
  firstParty: boolean;
}

export interface SecurityEvent {
  at: number;
  action: string;
  outcome: 'success' | 'failure';
  ip: string | null;
  userAgent: string | null;
  clientName: string | null;
}

// Tokens issued and revoked are routine, many per session: the events a user reviews are the rest (sign-ins
// and their failures, lockouts, password and factor changes, consents, session and grant ends).
const ROUTINE = 'token.%';

export function createAccountRepository(db: Kysely<OAuthSchema>) {
  return {
    /** Client id → its name and first-party flag, for the ids that exist. */
    async clientsOf(clientIds: string[]): Promise<Map<string, ClientFacts>> {
      if (clientIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('clients')
        .select(['client_id', 'name', 'first_party'])
        .where('client_id', 'in', clientIds)
        .execute();
      return new Map(
        rows.map((row) => [row.client_id, { name: row.name, firstParty: Number(row.first_party) === 1 }]),
      );
    },

    /**
     * The user's newest security events: what they did themselves (they are the actor) to their own account
     * or with no other target, so an administrator's changes to other accounts stay out.
     */
    async securityEvents(userId: string, limit: number): Promise<SecurityEvent[]> {
      const rows = await db
        .selectFrom('audit_log')
        .leftJoin('clients', 'clients.client_id', 'audit_log.client_id')
        .select([
          'audit_log.created_at',
          'audit_log.action',
          'audit_log.outcome',
          'audit_log.ip',
          'audit_log.user_agent',
          'clients.name as client_name',
        ])
        .where('audit_log.actor_type', '=', 'user')
        .where('audit_log.actor_id', '=', userId)
        .where('audit_log.action', 'not like', ROUTINE)
        .where((eb) =>
          eb.or([
            eb('audit_log.target_id', 'is', null),
            eb.and([eb('audit_log.target_type', '=', 'user'), eb('audit_log.target_id', '=', userId)]),
          ]),
        )
        .orderBy('audit_log.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        at: Number(row.created_at),
        action: row.action,
        outcome: row.outcome,
        ip: row.ip,
        userAgent: row.user_agent,
        clientName: row.client_name,
      }));
    },
  };
}

export type AccountRepository = ReturnType<typeof createAccountRepository>;
