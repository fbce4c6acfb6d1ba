import type { Generated } from 'kysely';

export type AuditActorType = 'user' | 'client' | 'system';
export type AuditOutcome = 'success' | 'failure';

/**
 * Append-only: triggers refuse UPDATE and DELETE (see migration.ts). `id` is monotonic (SQLite
 * AUTOINCREMENT, PostgreSQL identity), so newest-first is `order by id desc` and the keyset cursor is the id.
 */
export interface AuditLogTable {
  id: Generated<number>;
  created_at: number;
  actor_type: AuditActorType;
  /** Null for the system actor or an unidentified one (e.g. a sign-in for an unknown username). */
  actor_id: string | null;
  actor_name: string | null;
  /** `user.create`, `login.failure`, `token.issue`, `refresh_token.reuse_detected`, `key.rotate`, ... */
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  outcome: AuditOutcome;
  /** JSON object as text; secret-looking keys are stripped before it is written. */
  details: string;
}

export interface AuditTables {
  audit_log: AuditLogTable;
}
