// oidc-provider's state (sessions, tokens, codes, interactions, grants…) in one table keyed by model and id.
// The payload is opaque JSON text; the columns beside it exist only for the lookups the adapter contract
// needs besides the primary key (by grant, user code, session uid) and for the expiry sweep.

export interface OidcPayloadsTable {
  /** oidc-provider model name: `AccessToken`, `Session`, `Grant`… */
  model: string;
  id: string;
  /** The payload oidc-provider handed to `upsert`, as JSON text. */
  payload: string;
  /** Set only for models revoked together with their grant (tokens, codes, device/CIBA requests). */
  grant_id: string | null;
  /** Device flow user code (DeviceCode). */
  user_code: string | null;
  /** Session uid (Session). */
  uid: string | null;
  /** Epoch ms after which the row is dead (never returned, swept by cleanup); null = no expiry. */
  expires_at: number | null;
  /** Epoch ms of the first `consume`; reported to oidc-provider as `consumed` (epoch seconds). */
  consumed_at: number | null;
}

export interface OidcTables {
  oidc_payloads: OidcPayloadsTable;
}
