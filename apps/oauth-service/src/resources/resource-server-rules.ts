import * as fields from '../accounts/fields.ts';
import { OIDC_SCOPES } from '../clients/client-rules.ts';
import type { ResourceServerRow } from './resource-servers.repository.ts';

// The rules a resource server and its scopes follow, reporting every broken field at once (as the accounts
// module does) under the domain's field names.

export interface ResourceServerInput {
  name: string;
  identifier: string;
  description?: string;
  accessTokenTtl?: number | null;
  scopes?: Array<{ name: string; description?: string }>;
}

const NAME_MAX = 64;
const IDENTIFIER_MAX = 512;
const SCOPE_MAX = 128;
const DESCRIPTION_MAX = 500;
export const ACCESS_TOKEN_TTL_RANGE = { min: 30, max: 86_400 } as const;
const OIDC: ReadonlySet<string> = new Set(OIDC_SCOPES);

/** RFC 8707 §2: an absolute URI without a fragment; a query is refused too (RFC 9728 derives paths from it). */
function identifierRule(issues: fields.Issues, value: unknown): string {
  if (typeof value !== 'string') {
    issues.add('identifier', 'must be a string');
    return '';
  }
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || value.length > IDENTIFIER_MAX) {
    issues.add('identifier', `must be an absolute http(s) URL of at most ${IDENTIFIER_MAX} characters`);
  } else if (value.includes('#') || value.includes('?') || url.username || url.password) {
    issues.add('identifier', 'must not contain a query, a fragment or credentials');
  }
  return value;
}

function ttlRule(issues: fields.Issues, value: unknown): number | null {
  if (value === null) return null;
  const { min, max } = ACCESS_TOKEN_TTL_RANGE;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  issues.add('accessTokenTtl', `must be null or whole seconds from ${min} to ${max}`);
  return null;
}

function scopeNameRule(issues: fields.Issues, field: string, value: unknown): string {
  const name = fields.token(issues, field, value, SCOPE_MAX);
  if (OIDC.has(name)) issues.add(field, `${name} is an OpenID Connect scope, not a resource scope`);
  return name;
}

const descriptionRule = (issues: fields.Issues, field: string, value: string | undefined) =>
  value === undefined ? '' : fields.text(issues, field, value, { min: 0, max: DESCRIPTION_MAX });

/** A scope as `input` describes it, its field names prefixed by `at` (`scopes.0.`). */
function scopeRule(issues: fields.Issues, at: string, input: { name: string; description?: string }) {
  return {
    name: scopeNameRule(issues, `${at}name`, input.name),
    description: descriptionRule(issues, `${at}description`, input.description),
  };
}

/** A new server and its scopes; throws a ValidationError naming every broken field. */
export function validNewServer(input: ResourceServerInput) {
  const issues = new fields.Issues();
  const server: ResourceServerRow = {
    name: fields.token(issues, 'name', input.name, NAME_MAX),
    identifier: identifierRule(issues, input.identifier),
    description: descriptionRule(issues, 'description', input.description),
    accessTokenTtl: input.accessTokenTtl === undefined ? null : ttlRule(issues, input.accessTokenTtl),
  };
  const scopes = (input.scopes ?? []).map((scope, i) => scopeRule(issues, `scopes.${i}.`, scope));
  const names = scopes.map((s) => s.name);
  names.forEach((scope, i) => {
    if (names.indexOf(scope) !== i) issues.add(`scopes.${i}.name`, `${scope} is listed twice`);
  });
  issues.throwIfAny();
  return { server, scopes };
}

/** The fields `input` changes, validated; throws a ValidationError naming every broken field. */
export function validServerChanges(
  input: Partial<Omit<ResourceServerInput, 'scopes'>>,
): Partial<ResourceServerRow> {
  const issues = new fields.Issues();
  const changes: Partial<ResourceServerRow> = {};
  if (input.name !== undefined) changes.name = fields.token(issues, 'name', input.name, NAME_MAX);
  if (input.identifier !== undefined) changes.identifier = identifierRule(issues, input.identifier);
  if (input.description !== undefined)
    changes.description = descriptionRule(issues, 'description', input.description);
  if (input.accessTokenTtl !== undefined) changes.accessTokenTtl = ttlRule(issues, input.accessTokenTtl);
  issues.throwIfAny();
  return changes;
}

/** A new scope of an existing server; throws a ValidationError naming every broken field. */
export function validNewScope(input: { name: string; description?: string }) {
  const issues = new fields.Issues();
  const scope = scopeRule(issues, '', input);
  issues.throwIfAny();
  return scope;
}
