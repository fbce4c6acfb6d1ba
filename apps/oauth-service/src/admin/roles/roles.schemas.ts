import type { Permission, Role } from '../../accounts/roles.repository.ts';
import { iso, listOf, noContent, params, routeSchema, time } from '../schemas.ts';

// Roles and permissions (RBAC) share every shape: a named entity with a description.

export const ROLES = 'roles';
export const PERMISSIONS = 'permissions';

const namedSchema = (what: string) =>
  ({
    type: 'object',
    required: ['id', 'name', 'description', 'created_at'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string', description: what },
      description: { type: 'string' },
      created_at: time,
    },
  }) as const;

const mfaRequired = {
  type: 'boolean',
  description: 'Its holders sign in with a second factor (TOTP or a passkey); one without enrols at sign-in.',
} as const;

const roleNamed = namedSchema('Role name, a single token such as `operator`.');
export const roleSchema = {
  ...roleNamed,
  required: [...roleNamed.required, 'mfa_required'],
  properties: { ...roleNamed.properties, mfa_required: mfaRequired },
} as const;
export const permissionSchema = namedSchema('The OAuth scope this permission lets a user be granted.');

/** A role with its MFA flag (which the MFA module keeps), or a permission. */
export type Named = (Role & { mfaRequired: boolean }) | Permission;

export const namedView = (item: Named) => ({
  id: item.id,
  name: item.name,
  description: item.description,
  created_at: iso(item.createdAt),
  ...('mfaRequired' in item ? { mfa_required: item.mfaRequired } : {}),
});
export const roleView = (role: Role, requiringMfa: ReadonlySet<string>) =>
  namedView({ ...role, mfaRequired: requiringMfa.has(role.id) });

// Bounds only; the roles repository applies the token rule and reports it per field.
const nameField = { type: 'string', maxLength: 128 } as const;
const descriptionField = { type: 'string', maxLength: 500 } as const;

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: nameField, description: descriptionField },
} as const;

const updateBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name: nameField, description: descriptionField },
} as const;

const withMfaFlag = <const B extends { properties: object }>(body: B) =>
  ({ ...body, properties: { ...body.properties, mfa_required: mfaRequired } }) as const;

export type NamedEntity = 'role' | 'permission';

/** The CRUD route schemas of a role or a permission. */
function namedSchemas(entity: NamedEntity) {
  const tag = entity === 'role' ? ROLES : PERMISSIONS;
  const schema = entity === 'role' ? roleSchema : permissionSchema;
  return {
    list: routeSchema('admin:read', tag, `List ${tag} by name`, { response: { 200: listOf(schema) } }),
    create: routeSchema(
      'admin:write',
      tag,
      `Create a ${entity}`,
      { body: entity === 'role' ? withMfaFlag(createBody) : createBody, response: { 201: schema } },
      [400, 409],
    ),
    get: routeSchema(
      'admin:read',
      tag,
      `Get a ${entity}`,
      { params: params('id'), response: { 200: schema } },
      [404],
    ),
    update: routeSchema(
      'admin:write',
      tag,
      entity === 'role'
        ? 'Rename or describe a role, or set whether its holders must sign in with a second factor'
        : 'Rename or describe a permission; renaming revokes the grants holding the old scope name, and is refused (409) for admin:write while it makes the last administrator',
      {
        params: params('id'),
        body: entity === 'role' ? withMfaFlag(updateBody) : updateBody,
        response: { 200: schema },
      },
      [400, 404, 409],
    ),
    remove: routeSchema(
      'admin:write',
      tag,
      `${entity === 'role' ? 'Delete a role (its users lose it)' : 'Delete a permission (every role loses it)'}; grants holding a scope this takes away are revoked; refused (409) when it would remove the last active holder of admin:write`,
      { params: params('id'), response: noContent },
      [404, 409],
    ),
  };
}

export type NamedSchemas = ReturnType<typeof namedSchemas>;
export const roleSchemas = namedSchemas('role');
export const permissionSchemas = namedSchemas('permission');

export const listRolePermissionsSchema = routeSchema(
  'admin:read',
  ROLES,
  "List a role's permissions",
  { params: params('id'), response: { 200: listOf(permissionSchema) } },
  [404],
);

export const grantPermissionSchema = routeSchema(
  'admin:write',
  ROLES,
  'Grant a permission to a role (idempotent)',
  { params: params('id', 'permissionId'), response: noContent },
  [404],
);

export const revokePermissionSchema = routeSchema(
  'admin:write',
  ROLES,
  "Revoke a permission from a role (idempotent); revokes its holders' grants of that scope; refused (409) when it would remove the last active holder of admin:write",
  { params: params('id', 'permissionId'), response: noContent },
  [404, 409],
);
