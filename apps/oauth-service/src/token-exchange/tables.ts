// Token exchange (RFC 8693): which client may exchange a user's access token for which audiences and scopes,
// and how. A client without a row may exchange nothing. Booleans are integer 0/1 on both dialects.

export interface TokenExchangePoliciesTable {
  client_id: string;
  /** JSON text: the resource server identifiers (RFC 8707) the client may ask tokens for. */
  audiences: string;
  /** Space-separated scopes the client may ask for, each a scope of one of those audiences. */
  scopes: string;
  /** 1: the new token names the client as the actor (`act`), `sub` stays the user. */
  delegation: number;
  /** 1: the client may ask for a token without `act`, indistinguishable from the user's own. */
  impersonation: number;
  updated_at: number;
}

export interface TokenExchangeTables {
  token_exchange_policies: TokenExchangePoliciesTable;
}
