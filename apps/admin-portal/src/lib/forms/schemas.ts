import {
  backchannelLogoutUriProblem,
  CONFIDENTIAL_AUTH_METHODS,
  redirectUriProblem,
  SUPPORTED_GRANT_TYPES,
} from '@platform/auth/client-registration';
import { z } from 'zod';

// Client registration rules are oauth-service's own (shared through @platform/auth/client-registration).
export { CONFIDENTIAL_AUTH_METHODS, redirectUriProblem, SUPPORTED_GRANT_TYPES };

// Every console form's rules, used twice: in the browser before submitting (instant, field by field) and in
// the server action before calling the admin API. They mirror oauth-service's own rules, which stay the
// authority: whatever it still refuses comes back as a readable error under the field it names.

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;
// RFC 6749 §3.3 scope tokens; oauth-service uses the same rule for role and permission names.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** A checkbox: present ("on") when ticked, absent otherwise. */
const checkbox = z.preprocess((value) => value === 'on' || value === 'true' || value === true, z.boolean());
const trimmed = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
const token = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'is required')
    .max(max, `must be at most ${max} characters`)
    .regex(SCOPE_TOKEN, 'must be printable ASCII without spaces, quotes or backslashes');
/** One value per line (textareas); blank lines dropped. */
const lines = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter(Boolean)
      : value,
  z.array(z.string()).max(50, 'at most 50 entries'),
);
const password = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(128, 'must be at most 128 characters');
const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'));

const userProfileFields = z.object({
  username: z
    .string()
    .trim()
    .regex(USERNAME, 'must be 3 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  email,
  display_name: trimmed(200),
});

/** A new user: an initial password, or an invitation by mail (then the password field is ignored). */
export const userCreateSchema = userProfileFields
  .extend({ password: z.string().optional(), must_change_password: checkbox, invite: checkbox })
  .superRefine((value, ctx) => {
    if (value.invite) return;
    const checked = password.safeParse(value.password ?? '');
    for (const issue of checked.success ? [] : checked.error.issues)
      ctx.addIssue({ code: 'custom', path: ['password'], message: issue.message });
  });

export const userUpdateSchema = userProfileFields;

export const passwordResetSchema = z
  .object({ password, confirm: z.string(), must_change_password: checkbox })
  .refine((value) => value.password === value.confirm, {
    path: ['confirm'],
    message: 'does not match the password',
  });

export const roleSchema = z.object({ name: token(64), description: trimmed(500), mfa_required: checkbox });
export const permissionSchema = z.object({ name: token(128), description: trimmed(500) });

const clientFields = {
  name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  grant_types: z
    .array(z.enum(SUPPORTED_GRANT_TYPES, 'is not a supported grant type'))
    .min(1, 'choose at least one grant type'),
  token_endpoint_auth_method: z.enum(['none', ...CONFIDENTIAL_AUTH_METHODS]),
  redirect_uris: lines,
  post_logout_redirect_uris: lines,
  /** Empty: none (sent as null, which removes it). */
  backchannel_logout_uri: z
    .string()
    .trim()
    .max(2048, 'must be at most 2048 characters')
    .optional()
    .transform((value) => value || null),
  scope: z.array(token(128)).max(100),
  require_dpop: checkbox,
  first_party: checkbox,
  require_mfa: checkbox,
  application_type: z.enum(['web', 'native']),
  exchange_audiences: z.array(z.string().trim().max(512)).max(50).default([]),
  exchange_scopes: z.array(token(128)).max(100).default([]),
  exchange_delegation: checkbox,
  exchange_impersonation: checkbox,
};

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

type ExchangeFields = {
  type: 'confidential' | 'public';
  grant_types: string[];
  exchange_audiences: string[];
  exchange_scopes: string[];
  exchange_delegation: boolean;
  exchange_impersonation: boolean;
};

/** The token exchange policy needs the grant type, a confidential client, an audience, a scope and a mode. */
function exchangeRules(value: ExchangeFields, ctx: z.RefinementCtx) {
  if (!value.grant_types.includes(TOKEN_EXCHANGE)) return;
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (value.type === 'public') issue('grant_types', 'token exchange needs a confidential client');
  if (value.exchange_audiences.length === 0) issue('exchange_audiences', 'choose at least one audience');
  if (value.exchange_scopes.length === 0) issue('exchange_scopes', 'choose at least one scope');
  if (!value.exchange_delegation && !value.exchange_impersonation)
    issue('exchange_delegation', 'allow delegation, impersonation or both');
}

/** The form's policy fields as the admin API's `token_exchange`: null unless the grant type is ticked. */
function withExchangePolicy<T extends ExchangeFields>(value: T) {
  const { exchange_audiences, exchange_scopes, exchange_delegation, exchange_impersonation, ...rest } = value;
  return {
    ...rest,
    token_exchange: value.grant_types.includes(TOKEN_EXCHANGE)
      ? {
          audiences: exchange_audiences,
          scopes: exchange_scopes,
          delegation: exchange_delegation,
          impersonation: exchange_impersonation,
        }
      : null,
  };
}

type ClientFields = {
  type: 'confidential' | 'public';
  first_party: boolean;
  grant_types: string[];
  token_endpoint_auth_method: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string | null;
};

function clientRules(value: ClientFields, ctx: z.RefinementCtx) {
  const grants = value.grant_types;
  const method = value.token_endpoint_auth_method;
  if (value.type === 'public' && grants.includes('client_credentials'))
    ctx.addIssue({
      code: 'custom',
      path: ['grant_types'],
      message: 'client_credentials needs a confidential client',
    });
  if (
    grants.includes('refresh_token') &&
    !grants.some((g) => g === 'authorization_code' || g.endsWith('device_code') || g === TOKEN_EXCHANGE)
  )
    ctx.addIssue({
      code: 'custom',
      path: ['grant_types'],
      message: 'refresh_token needs authorization_code, device_code or token exchange',
    });
  if (value.type === 'public' && method !== 'none')
    ctx.addIssue({
      code: 'custom',
      path: ['token_endpoint_auth_method'],
      message: 'must be none for a public client',
    });
  if (value.type === 'confidential' && method === 'none')
    ctx.addIssue({
      code: 'custom',
      path: ['token_endpoint_auth_method'],
      message: 'a confidential client authenticates: choose a secret or private_key_jwt',
    });
  if (value.type === 'public' && value.first_party)
    ctx.addIssue({
      code: 'custom',
      path: ['first_party'],
      message: 'needs a confidential client: a public client cannot prove who it is',
    });
  if (grants.includes('authorization_code') && value.redirect_uris.length === 0)
    ctx.addIssue({
      code: 'custom',
      path: ['redirect_uris'],
      message: 'authorization_code needs at least one',
    });
  const backchannel = value.backchannel_logout_uri;
  const backchannelProblem = backchannel ? backchannelLogoutUriProblem(backchannel) : null;
  if (backchannelProblem)
    ctx.addIssue({
      code: 'custom',
      path: ['backchannel_logout_uri'],
      message: `${backchannel} ${backchannelProblem}`,
    });
  for (const field of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
    for (const uri of value[field]) {
      const problem = redirectUriProblem(uri);
      if (problem) ctx.addIssue({ code: 'custom', path: [field], message: `${uri} ${problem}` });
    }
  }
}

export const clientCreateSchema = z
  .object({ ...clientFields, type: z.enum(['confidential', 'public']) })
  // A public client has no secret, so it authenticates with `none` whatever the form's select says.
  .transform((value) =>
    value.type === 'public' ? { ...value, token_endpoint_auth_method: 'none' as const } : value,
  )
  .superRefine(clientRules)
  .superRefine(exchangeRules)
  .transform(withExchangePolicy);

/** Editing keeps the client's type (it decides whether a secret exists); the form sends it read-only. */
export const clientUpdateSchema = clientCreateSchema;

export const resourceServerSchema = z.object({
  name: token(64),
  identifier: z
    .string()
    .trim()
    .max(512, 'must be at most 512 characters')
    .refine((value) => {
      try {
        const url = new URL(value);
        return (
          (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash && !url.username
        );
      } catch {
        return false;
      }
    }, 'must be an absolute http(s) URL without query, fragment or credentials'),
  description: trimmed(500),
  access_token_ttl: z.preprocess(
    (value) => (value === '' || value === undefined || value === null ? null : Number(value)),
    z
      .number('must be a number of seconds')
      .int('must be whole seconds')
      .min(30, 'must be at least 30 seconds')
      .max(86_400, 'must be at most 86400 seconds (a day)')
      .nullable(),
  ),
});

export const scopeSchema = z.object({ name: token(128), description: trimmed(500) });

export const keyRotationSchema = z.object({
  activation_delay_seconds: z.coerce
    .number('must be a number of seconds')
    .int('must be whole seconds')
    .min(0, 'must be 0 or more')
    .max(3600, 'must be at most 3600 seconds'),
});

/** `<input type="datetime-local">` gives local wall time without zone; the browser sends the ISO instant. */
const instant = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (!value) return undefined;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be a date and time' });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .optional()
    .transform((value) => value || undefined);

/**
 * The audit API's action filter: an action (`user.create`), a prefix (`user.*`), or a plain word, which the
 * form reads as a prefix. Case is ignored: actions are lowercase.
 */
const AUDIT_ACTION_FILTER = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/;

export const auditFilterSchema = z
  .object({
    actor: optionalText(255),
    action: optionalText(66)
      .transform((value) => value?.toLowerCase())
      .refine(
        (value) => value === undefined || AUDIT_ACTION_FILTER.test(value),
        'must be an action such as user.create, or a prefix such as user.* (or just user)',
      )
      // A plain word is the family of actions it starts: `user` lists user.create, user.disable, …
      .transform((value) => (value && !value.includes('.') ? `${value}.*` : value)),
    client_id: optionalText(255),
    outcome: z
      .enum(['success', 'failure'])
      .optional()
      .or(z.literal('').transform(() => undefined)),
    from: instant,
    to: instant,
    cursor: optionalText(256),
  })
  .refine((value) => !value.from || !value.to || value.from < value.to, {
    path: ['to'],
    message: 'must be after "from"',
  });

export const userSearchSchema = z.object({
  search: optionalText(254),
  status: z
    .enum(['active', 'disabled'])
    .optional()
    .or(z.literal('').transform(() => undefined)),
  cursor: optionalText(1024),
});

/** Field → first message, the shape the forms display. */
export type FieldErrors = Record<string, string>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return errors;
}

/** Fields sent as several values (checkbox groups, multi-selects). */
const MULTI = new Set([
  'grant_types',
  'scope',
  'permissions',
  'exchange_audiences',
  'exchange_scopes',
  'default_roles',
]);

/** FormData as a plain object: repeated fields as arrays, single ones as strings. */
export function formObject(form: FormData): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith('$ACTION')) continue;
    const values = form.getAll(key).filter((v): v is string => typeof v === 'string');
    object[key] = MULTI.has(key) ? values : values[0];
  }
  for (const key of MULTI) object[key] ??= [];
  return object;
}
