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

export const roleSchema = namedSchema('Role name, a single token such as `operator`.');
export const permissionSchema = namedSchema('The OAuth scope this permission lets a user be granted.');

export const namedView = (item: Role | Permission) => ({
  id: item.id,
  name: item.name,
  description: item.description,
  created_at: iso(item.createdAt),
});
export const roleView = namedView;
export const permissionView = namedView;

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
      { body: createBody, response: { 201: schema } },
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
        ? 'Rename or describe a role'
        : 'Rename or describe a permission; renaming revokes the grants holding the old scope name, and is refused (409) for admin:write while it makes the last administrator',
      { params: params('id'), body: updateBody, response: { 200: schema } },
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
