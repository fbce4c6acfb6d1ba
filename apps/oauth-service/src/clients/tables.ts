import type { Generated } from 'kysely';

// JSON columns hold text on both dialects (see @platform/db jsonColumn); booleans are integer 0/1.

export interface ClientsTable {
  client_id: string;
  name: string;
  /** `confidential` or `public`. */
  type: string;
  /** Sealed with ENCRYPTION_KEY (purpose `client_secret:<client_id>`); null for public and private_key_jwt clients. */
  client_secret: string | null;
  secret_rotated_at: number | null;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  grant_types: string;
  response_types: string;
  token_endpoint_auth_method: string;
  /** JWKS (JSON text) for private_key_jwt clients. */
  jwks: string | null;
  /** Space-separated scopes the client may be granted. */
  scope: string;
  require_dpop: number;
  enabled: number;
  /** Created through dynamic registration (RFC 7591) rather than the admin API or seed. */
  dynamic: number;
  /** The platform's own client, trusted by the operator: no consent page, one-click sign-out. 0/1. */
  first_party: Generated<number>;
  /** Any further client metadata oidc-provider understands, as JSON text. */
  metadata: string;
  created_at: Generated<number>;
  updated_at: number;
}

export interface ResourceServersTable {
  id: string;
  /** Short name: kline, flow, test, admin. */
  name: string;
  /** RFC 8707 resource indicator = token `aud`, e.g. `http://localhost:8080/test`. */
  identifier: string;
  description: string;
  access_token_ttl: number | null;
  created_at: Generated<number>;
}

export interface ScopesTable {
  /** e.g. `test:read`; also the RBAC permission that lets a user be granted it. */
  name: string;
  resource_server_id: string;
  description: string;
}

/** Consent a user gave a client, remembered across sessions until revoked. */
export interface ConsentsTable {
  user_id: string;
  client_id: string;
  /** Space-separated OIDC scopes (openid, profile, email, offline_access). */
  oidc_scopes: string;
  /** JSON text: { "<resource identifier>": "space separated scopes" }. */
  resource_scopes: string;
  created_at: Generated<number>;
  updated_at: number;
}

export interface ClientTables {
  clients: ClientsTable;
  resource_servers: ResourceServersTable;
  scopes: ScopesTable;
  consents: ConsentsTable;
}
