// The admin API's resources as the portal reads them (apps/oauth-service/src/admin, OpenAPI at
// /api/admin/openapi.json).

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface User {
  id: string;
  username: string;
  email: string;
  display_name: string;
  status: 'active' | 'disabled';
  must_change_password: boolean;
  failed_login_count?: number;
  locked_until?: string | null;
  last_login_at?: string | null;
  created_at: string;
  updated_at?: string;
}

export interface Named {
  id: string;
  name: string;
  description: string;
  created_at: string;
}

export interface Client {
  client_id: string;
  name: string;
  type: 'confidential' | 'public';
  redirect_uris?: string[];
  post_logout_redirect_uris?: string[];
  grant_types: string[];
  token_endpoint_auth_method: string;
  scope?: string[];
  require_pkce?: boolean;
  require_dpop?: boolean;
  application_type?: 'web' | 'native';
  enabled: boolean;
  dynamic?: boolean;
  has_secret?: boolean;
  secret_rotated_at?: string | null;
  created_at?: string;
  updated_at?: string;
  client_secret?: string;
}

export interface ResourceServer {
  id: string;
  name: string;
  identifier: string;
  description: string;
  access_token_ttl: number | null;
  scopes: Array<{ name: string; description: string }>;
  created_at: string;
}

export interface SigningKey {
  kid: string;
  alg: string;
  status: 'pending' | 'active' | 'retired' | 'expired';
  signing: boolean;
  created_at: string;
  activates_at: string;
  retired_at: string | null;
  expires_at: string | null;
}

export interface AuditEvent {
  id: number;
  created_at: string;
  actor_type: 'user' | 'client' | 'system';
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  outcome: 'success' | 'failure';
  details: Record<string, unknown>;
}

export interface SessionInfo {
  id: string;
  login_at: string | null;
  expires_at: string | null;
  clients: string[];
}

export interface ClientGrants {
  client_id: string;
  client_name: string | null;
  consent: { scopes: string[]; resource_scopes: Record<string, string[]>; updated_at: string } | null;
  grants: Array<{
    id: string;
    scopes: string[];
    resource_scopes: Record<string, string[]>;
    created_at?: string | null;
    expires_at?: string | null;
  }>;
}
