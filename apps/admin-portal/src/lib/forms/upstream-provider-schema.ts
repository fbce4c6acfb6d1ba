import { z } from 'zod';

// The sign-in provider form's rules, in the browser and in the server action, and the admin API body it
// makes. oauth-service's rules stay the authority (https, existing roles, claim paths); whatever it still
// refuses comes back under the field it names.

export const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** Group rows are submitted as `group_roles.<n>.group` and `group_roles.<n>.role`. */
const GROUP_ROW = /^group_roles\.(\d+)\.(group|role)$/;

const checkbox = z.preprocess((value) => value === 'on' || value === 'true' || value === true, z.boolean());
const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
const required = (max: number) => text(max).min(1, 'is required');
/** Space- or line-separated words (scopes, amr and acr values); empties dropped, duplicates once. */
const words = (max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? [...new Set(value.split(/\s+/).filter(Boolean))] : []),
    z.array(z.string().max(200, 'has a value over 200 characters')).max(max, `at most ${max} values`),
  );
const url = z
  .string()
  .trim()
  .max(500, 'must be at most 500 characters')
  .refine((value) => {
    try {
      const parsed = new URL(value);
      return (
        (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !parsed.hash && !parsed.username
      );
    } catch {
      return false;
    }
  }, 'must be an absolute https URL without fragment or credentials');
const optionalUrl = z.preprocess((value) => (value === '' ? undefined : value), url.optional());
/** A claim name or dotted path; empty maps nothing. */
const claim = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null),
  z.string().max(200, 'must be at most 200 characters').nullable(),
);
const groupRow = z.object({
  group: required(200),
  role: z.string().min(1, 'choose a role for every group'),
});

/** The group rows, gathered from their numbered fields; rows left empty are dropped. */
function gatherGroupRows(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const rows = new Map<number, { group: string; role: string }>();
  const rest: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    const match = GROUP_ROW.exec(key);
    if (!match) {
      rest[key] = entry;
      continue;
    }
    const row = rows.get(Number(match[1])) ?? { group: '', role: '' };
    row[match[2] as 'group' | 'role'] = typeof entry === 'string' ? entry : '';
    rows.set(Number(match[1]), row);
  }
  const groupRoles = [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, row]) => row)
    .filter((row) => row.group.trim() !== '' || row.role !== '');
  return { ...rest, group_roles: groupRoles };
}

const fields = z.object({
  id: z.string().trim().regex(PROVIDER_ID, '1 to 40 lowercase letters, digits or hyphens'),
  display_name: required(100),
  kind: z.enum(['oidc', 'oauth2'], 'choose OpenID Connect or OAuth 2.0'),
  issuer: optionalUrl,
  authorization_endpoint: optionalUrl,
  token_endpoint: optionalUrl,
  userinfo_endpoint: optionalUrl,
  client_id: required(255),
  client_secret: z.string().max(1000, 'must be at most 1000 characters').optional(),
  remove_secret: checkbox,
  scopes: words(50).pipe(
    z.array(z.string().regex(SCOPE_TOKEN, 'scopes are words without quotes or backslashes')),
  ),
  claim_subject: z.string().trim().min(1, 'name the claim that identifies the user').max(200),
  claim_email: claim,
  claim_email_verified: claim,
  claim_name: claim,
  claim_groups: claim,
  group_roles: z.array(groupRow).max(100, 'at most 100 group mappings'),
  jit_enabled: checkbox,
  default_roles: z.array(z.string()).max(50),
  allowed_email_domains: words(100).pipe(
    z.array(
      z
        .string()
        .toLowerCase()
        .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'domains such as example.com'),
    ),
  ),
  link_by_verified_email: checkbox,
  mfa_amr: words(20),
  mfa_acr: words(20),
  enabled: checkbox,
});

type Fields = z.infer<typeof fields>;

function kindRules(value: Fields, ctx: z.RefinementCtx) {
  const need = (field: keyof Fields, message: string) => {
    if (!value[field]) ctx.addIssue({ code: 'custom', path: [field], message });
  };
  if (value.kind === 'oidc') {
    need('issuer', 'is required: its discovery document names the endpoints');
    if (!value.scopes.includes('openid'))
      ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'must include openid' });
  } else {
    need('authorization_endpoint', 'is required for OAuth 2.0');
    need('token_endpoint', 'is required for OAuth 2.0');
    need('userinfo_endpoint', 'is required for OAuth 2.0');
  }
  const groups = value.group_roles.map((row) => row.group.trim());
  if (new Set(groups).size !== groups.length)
    ctx.addIssue({ code: 'custom', path: ['group_roles'], message: 'each group can map to one role' });
}

/** The admin API's body: the fields of the other kind null, the secret only when one is typed or removed. */
function toBody(value: Fields) {
  const oidc = value.kind === 'oidc';
  const secret = value.client_secret?.trim()
    ? { client_secret: value.client_secret.trim() }
    : value.remove_secret
      ? { client_secret: null }
      : {};
  return {
    id: value.id,
    display_name: value.display_name,
    kind: value.kind,
    issuer: oidc ? (value.issuer ?? null) : null,
    authorization_endpoint: oidc ? null : (value.authorization_endpoint ?? null),
    token_endpoint: oidc ? null : (value.token_endpoint ?? null),
    userinfo_endpoint: oidc ? null : (value.userinfo_endpoint ?? null),
    client_id: value.client_id,
    ...secret,
    scopes: value.scopes,
    claim_mapping: {
      subject: value.claim_subject,
      email: value.claim_email,
      email_verified: value.claim_email_verified,
      name: value.claim_name,
      groups: value.claim_groups,
    },
    group_roles: Object.fromEntries(value.group_roles.map((row) => [row.group.trim(), row.role])),
    jit_enabled: value.jit_enabled,
    default_roles: value.default_roles,
    allowed_email_domains: value.allowed_email_domains,
    link_by_verified_email: value.link_by_verified_email,
    mfa_satisfied_by: { amr: value.mfa_amr, acr: value.mfa_acr },
    enabled: value.enabled,
  };
}

export const upstreamProviderSchema = z.preprocess(
  gatherGroupRows,
  fields.superRefine(kindRules).transform(toBody),
);

export type UpstreamProviderBody = z.infer<typeof upstreamProviderSchema>;
