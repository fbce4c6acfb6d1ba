// Second factors. Timestamps are epoch ms; booleans are integer 0/1 on both dialects.

export interface MfaTotpTable {
  /** One authenticator app per user. */
  user_id: string;
  /** The base32 shared secret, sealed with ENCRYPTION_KEY (purpose `totp_secret:<user_id>`). */
  secret: string;
  /** 1 once the user typed a first code from the app: only a confirmed factor signs anyone in. */
  confirmed: number;
  created_at: number;
  confirmed_at: number | null;
  last_used_at: number | null;
  /** The RFC 6238 time step of the last accepted code: a code of this step or an earlier one is refused. */
  last_used_step: number | null;
}

export interface MfaRecoveryCodesTable {
  user_id: string;
  /** HMAC-SHA256 (hex) of the normalised code under a key derived from ENCRYPTION_KEY; the code is never stored. */
  code_hash: string;
  created_at: number;
  /** Set once, when the code signs someone in: a used code never works again. */
  used_at: number | null;
}

/**
 * Policy columns this module adds to other modules' tables. Only this module reads or writes them, so they
 * are typed here (see mfa.repository.ts) and the owners' row types stay as they are.
 */
export type MfaPolicyColumns = {
  /** 1: members must sign in with a second factor. */
  roles: { mfa_required: number };
  /** 1: every sign-in to this client needs a second factor. */
  clients: { require_mfa: number };
  /** 1 while an administrator requires a second factor at the next sign-in (cleared once one is enrolled). */
  users: { mfa_enrolment_required: number };
};

export interface MfaTables {
  mfa_totp: MfaTotpTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
}
