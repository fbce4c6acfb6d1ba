// Links mailed to account holders. Timestamps are epoch ms.

export type AccountLinkPurpose = 'reset' | 'verify' | 'invite';

export interface AccountLinksTable {
  /** SHA-256 (hex) of the random token the mail carries; the token itself is never stored. */
  token_hash: string;
  purpose: AccountLinkPurpose;
  user_id: string;
  /** The address the link was mailed to; the link works only while it is still the account's. */
  email: string;
  created_at: number;
  expires_at: number;
  /** Set once, when the link is followed through; a used link never works again. */
  used_at: number | null;
}

export interface AccountLinkTables {
  account_links: AccountLinksTable;
}
