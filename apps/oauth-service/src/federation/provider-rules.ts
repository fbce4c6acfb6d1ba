import { bodyIssues } from '../body-issues.ts';
import type { ClaimMapping, NewUpstreamProvider } from './providers.repository.ts';
import type { UpstreamProviderKind } from './tables.ts';

// The rules of an upstream provider's configuration. Every broken rule is reported at once, located by a
// JSON pointer into the admin API's body (snake_case), the shape schema validation gives.

export const PROVIDER_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,39}$';

/** What a provider maps when its configuration names no claims: OpenID Connect's, or GitHub's user info. */
export const DEFAULT_CLAIM_MAPPING: Record<UpstreamProviderKind, ClaimMapping> = {
  oidc: { subject: 'sub', email: 'email', email_verified: 'email_verified', name: 'name', groups: 'groups' },
  oauth2: { subject: 'id', email: 'email', email_verified: null, name: 'name', groups: null },
};

export const DEFAULT_SCOPES: Record<UpstreamProviderKind, string[]> = {
  oidc: ['openid', 'email', 'profile'],
  oauth2: [],
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
// RFC 6749 §3.3 scope-token.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
// A claim name, or a dotted path into nested claims (`realm_access.roles`).
const CLAIM_PATH = /^[A-Za-z0-9_:$@-]+(\.[A-Za-z0-9_:$@-]+)*$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
// C0/C1 controls and line separators would let a label forge lines in pages and logs.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/**
 * Why `value` cannot be an upstream's URL, or null. https always; http only on loopback and outside
 * production, as for redirect URIs: the upstream's tokens and the user's identity travel over it.
 */
export function upstreamUrlProblem(value: string, production: boolean): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.hash || value.includes('#')) return 'must not contain a fragment';
  if (url.username || url.password) return 'must not contain credentials';
  if (url.protocol === 'https:') return null;
  if (url.protocol !== 'http:') return 'must be an https URL';
  if (production) return 'must be https in production';
  return LOOPBACK_HOSTS.has(url.hostname) ? null : 'http is allowed only on loopback';
}

/** `~` and `/` escaped, so any key can stand in a path (RFC 6901). */
const pointerToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

type Add = (path: string, message: string) => void;

const ENDPOINTS = [
  ['authorizationEndpoint', 'authorization_endpoint'],
  ['tokenEndpoint', 'token_endpoint'],
  ['userinfoEndpoint', 'userinfo_endpoint'],
] as const;

function checkLocation(provider: NewUpstreamProvider, production: boolean, add: Add): void {
  const url = (path: string, value: string | null) => {
    const problem = value === null ? 'is required' : upstreamUrlProblem(value, production);
    if (problem) add(path, problem);
  };
  if (provider.kind === 'oidc') {
    url('/issuer', provider.issuer);
    if (provider.issuer?.includes('?')) add('/issuer', 'must not contain a query');
    for (const [field, path] of ENDPOINTS)
      if (provider[field] !== null) add(`/${path}`, 'must be null for kind oidc (discovery gives it)');
    if (!provider.scopes.includes('openid')) add('/scopes', 'must include openid for kind oidc');
  } else {
    if (provider.issuer !== null) add('/issuer', 'must be null for kind oauth2');
    for (const [field, path] of ENDPOINTS) url(`/${path}`, provider[field]);
  }
}

function checkClaims(mapping: ClaimMapping, add: Add): void {
  for (const [claim, path] of Object.entries(mapping)) {
    if (path === null) {
      if (claim === 'subject') add('/claim_mapping/subject', 'is required');
    } else if (!CLAIM_PATH.test(path)) add(`/claim_mapping/${claim}`, 'must be a claim name or dotted path');
  }
}

function checkRoles(provider: NewUpstreamProvider, roleNames: ReadonlySet<string>, add: Add): void {
  for (const [group, role] of Object.entries(provider.groupRoles)) {
    const path = `/group_roles/${pointerToken(group)}`;
    if (group.trim() === '' || CONTROL.test(group)) add(path, 'the group name must be printable text');
    if (!roleNames.has(role)) add(path, `no role named ${JSON.stringify(role)}`);
  }
  provider.defaultRoles.forEach((role, i) => {
    if (!roleNames.has(role)) add(`/default_roles/${i}`, `no role named ${JSON.stringify(role)}`);
  });
}

function checkText(provider: NewUpstreamProvider, add: Add): void {
  if (!new RegExp(PROVIDER_ID_PATTERN).test(provider.id))
    add('/id', 'must be 1 to 40 lowercase letters, digits or hyphens, starting with a letter or digit');
  if (provider.displayName.trim() === '' || CONTROL.test(provider.displayName))
    add('/display_name', 'must be printable text');
  if (provider.clientId.trim() === '' || CONTROL.test(provider.clientId))
    add('/client_id', 'must be printable text');
  provider.scopes.forEach((scope, i) => {
    if (!SCOPE_TOKEN.test(scope)) add(`/scopes/${i}`, 'must be a scope token (no spaces or quotes)');
  });
  provider.allowedEmailDomains.forEach((domain, i) => {
    if (!DOMAIN.test(domain)) add(`/allowed_email_domains/${i}`, 'must be a domain name, e.g. example.com');
  });
  for (const key of ['amr', 'acr'] as const)
    provider.mfaSatisfiedBy[key].forEach((value, i) => {
      if (value.trim() === '' || CONTROL.test(value))
        add(`/mfa_satisfied_by/${key}/${i}`, 'must be printable text');
    });
}

export interface ProviderRuleContext {
  /** NODE_ENV=production: only https upstreams. */
  production: boolean;
  /** The local roles that exist, by name. */
  roleNames: ReadonlySet<string>;
}

/** Checks a whole provider definition; throws one 400 problem listing every broken rule. */
export function assertValidProvider(provider: NewUpstreamProvider, context: ProviderRuleContext): void {
  const { add, assertNone } = bodyIssues();
  checkText(provider, add);
  checkLocation(provider, context.production, add);
  checkClaims(provider.claimMapping, add);
  checkRoles(provider, context.roleNames, add);
  assertNone();
}
