import { USER_CURSOR_PATTERN, USER_SORTS, type User } from '../../accounts/users.repository.ts';
import { roleSchema } from '../roles/roles.schemas.ts';
import {
  csvResponse,
  iso,
  isoOrNull,
  listOf,
  noContent,
  nullableTime,
  pageOf,
  params,
  routeSchema,
  time,
} from '../schemas.ts';

const TAG = 'users';

export const userSchema = {
  type: 'object',
  required: ['id', 'username', 'email', 'display_name', 'status', 'must_change_password', 'created_at'],
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    email: { type: 'string' },
    display_name: { type: 'string' },
    status: { type: 'string', enum: ['active', 'disabled'] },
    must_change_password: { type: 'boolean' },
    failed_login_count: { type: 'integer' },
    locked_until: nullableTime,
    last_login_at: nullableTime,
    email_verified: {
      type: 'boolean',
      description: 'The holder followed a verification or invitation link mailed to the address.',
    },
    invitation_pending: {
      type: 'boolean',
      description: 'Invited and without a password yet: password sign-in is refused until they set one.',
    },
    created_at: time,
    updated_at: time,
  },
} as const;

export const userView = (user: User) => ({
  id: user.id,
  username: user.username,
  email: user.email,
  display_name: user.displayName,
  status: user.status,
  must_change_password: user.mustChangePassword,
  failed_login_count: user.failedLoginCount,
  locked_until: isoOrNull(user.lockedUntil),
  last_login_at: isoOrNull(user.lastLoginAt),
  email_verified: user.emailVerified,
  invitation_pending: user.invitationPending,
  created_at: iso(user.createdAt),
  updated_at: iso(user.updatedAt),
});

// Bounds only; the accounts module applies the real rules (username format, email, password policy) and
// reports every broken one.
const username = { type: 'string', maxLength: 64 } as const;
const email = { type: 'string', maxLength: 254 } as const;
const displayName = { type: 'string', maxLength: 200 } as const;
const password = { type: 'string', maxLength: 1024 } as const;
const status = { type: 'string', enum: ['active', 'disabled'] } as const;

const userFilters = {
  search: {
    type: 'string',
    maxLength: 254,
    description: 'Case-insensitive part of the username, email or display name.',
  },
  status,
} as const;

const sortOrder = {
  sort: {
    type: 'string',
    enum: USER_SORTS,
    default: 'username',
    description:
      'The column to order by; text compares case-insensitively, a user never signed in is the oldest sign-in.',
  },
  order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
} as const;

export const listUsersSchema = routeSchema(
  'admin:read',
  TAG,
  'List users, sorted (ties by id), with search, status filter and cursor paging',
  {
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...userFilters,
        ...sortOrder,
        limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
        cursor: {
          type: 'string',
          pattern: USER_CURSOR_PATTERN,
          description: '`next_cursor` of the previous page, asked with the same sort and order.',
        },
      },
    },
    response: { 200: pageOf(userSchema) },
  },
  [400],
);

export const exportUsersSchema = routeSchema(
  'admin:read',
  TAG,
  'Every user matching the search, as CSV (RFC 4180; no password hashes)',
  {
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: { ...userFilters, ...sortOrder },
    },
    produces: ['text/csv'],
    response: { 200: csvResponse('users.csv') },
  },
  [400],
);

export const createUserSchema = routeSchema(
  'admin:write',
  TAG,
  'Create a user with an initial password, or invite them by mail to set their own; with mail configured, a verification mail goes to a user created with a password; refused (409) for an invitation when mail is not configured',
  {
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['username', 'email'],
      properties: {
        username,
        email,
        display_name: displayName,
        password: { ...password, description: 'Required unless `invite` is true, and absent then.' },
        invite: {
          type: 'boolean',
          description:
            'Send an invitation instead of setting a password: the user gets a single-use link (72 h) to set theirs, and cannot sign in before (default false). Needs SMTP_URL.',
        },
        must_change_password: {
          type: 'boolean',
          description: 'Ask for a new password at the first sign-in (default false).',
        },
        status,
      },
    },
    response: { 201: userSchema },
  },
  [400, 409],
);

export const getUserSchema = routeSchema(
  'admin:read',
  TAG,
  'Get a user',
  { params: params('id'), response: { 200: userSchema } },
  [404],
);

export const updateUserSchema = routeSchema(
  'admin:write',
  TAG,
  'Update a user profile (username, email, display name)',
  {
    params: params('id'),
    body: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { username, email, display_name: displayName },
    },
    response: { 200: userSchema },
  },
  [400, 404, 409],
);

export const enableUserSchema = routeSchema(
  'admin:write',
  TAG,
  'Enable a user',
  { params: params('id'), response: { 200: userSchema } },
  [404],
);

export const disableUserSchema = routeSchema(
  'admin:write',
  TAG,
  'Disable a user: sign-in is refused, their refresh tokens and sessions are revoked; refused (409) for the last active holder of admin:write',
  { params: params('id'), response: { 200: userSchema } },
  [404, 409],
);

export const resetPasswordSchema = routeSchema(
  'admin:write',
  TAG,
  "Reset a user's password (also clears a sign-in lock and ends the user's sessions and grants)",
  {
    params: params('id'),
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['password'],
      properties: {
        password,
        must_change_password: {
          type: 'boolean',
          description: 'Ask for a new password at the next sign-in (default false).',
        },
      },
    },
    response: noContent,
  },
  [400, 404],
);

export const deleteUserSchema = routeSchema(
  'admin:write',
  TAG,
  'Delete a user, with their roles, consents, grants and sessions; refused (409) for the last active holder of admin:write',
  { params: params('id'), response: noContent },
  [404, 409],
);

export const listUserRolesSchema = routeSchema(
  'admin:read',
  TAG,
  "List a user's roles",
  { params: params('id'), response: { 200: listOf(roleSchema) } },
  [404],
);

export const assignRoleSchema = routeSchema(
  'admin:write',
  TAG,
  'Assign a role to a user (idempotent)',
  { params: params('id', 'roleId'), response: noContent },
  [404],
);

export const unassignRoleSchema = routeSchema(
  'admin:write',
  TAG,
  "Take a role from a user (idempotent); revokes the user's grants that held a scope they lose; refused (409) when it would remove the last active holder of admin:write",
  { params: params('id', 'roleId'), response: noContent },
  [404, 409],
);
