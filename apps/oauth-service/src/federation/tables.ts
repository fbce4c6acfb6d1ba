// Upstream identity providers ("Sign in with …") and the links of their subjects to local accounts.
// Timestamps are epoch ms; booleans are integer 0/1 on both dialects; JSON columns hold text.

export type UpstreamProviderKind = 'oidc' | 'oauth2';

export interface UpstreamProvidersTable {
  /** Slug `^[a-z0-9][a-z0-9-]{0,39}$`: it appears in the sign-in URLs. */
  id: string;
  display_name: string;
  kind: UpstreamProviderKind;
  /** oidc: the issuer, whose discovery document names the endpoints. */
  issuer: string | null;
  /** oauth2: the endpoints, given explicitly (the upstream publishes no discovery). */
  authorization_endpoint: string | null;
  token_endpoint: string | null;
  userinfo_endpoint: string | null;
  client_id: string;
  /** Sealed by the secret box; never leaves the service. */
  client_secret_sealed: string | null;
  /** Space-separated. */
  scopes: string;
  /** JSON {subject, email, email_verified, name, groups}: claim names or dotted paths, null when unmapped. */
  claim_mapping: string;
  /** JSON {"<upstream group>": "<local role name>"}. */
  group_roles: string;
  jit_enabled: number;
  /** JSON array of local role names given to an account created on first sign-in. */
  default_roles: string;
  /** JSON array of lowercase domains; empty allows any. */
  allowed_email_domains: string;
  link_by_verified_email: number;
  /** JSON {amr: string[], acr: string[]}. */
  mfa_satisfied_by: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface UpstreamIdentitiesTable {
  provider_id: string;
  /** The upstream's stable subject for the user. */
  subject: string;
  user_id: string;
  /** The address the upstream gave at the last sign-in, for the user to recognise the link by. */
  email: string | null;
  linked_at: number;
  last_sign_in_at: number | null;
}

export interface FederationTables {
  upstream_providers: UpstreamProvidersTable;
  upstream_identities: UpstreamIdentitiesTable;
}
