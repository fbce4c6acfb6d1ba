import type { Database } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OAuthSchema } from '../db/schema.ts';
import { ConflictError, NotFoundError, ValidationError } from './errors.ts';
import { createRolesRepository, type RolesRepository } from './roles.repository.ts';
import { openAccountsDatabase } from './test-support.ts';
import { createUsersRepository, type User, type UsersRepository } from './users.repository.ts';

const PASSWORD = 'violet-harbor-lantern-9';

describeEachDialect('roles repository', (temp) => {
  let database: Database<OAuthSchema>;
  let roles: RolesRepository;
  let users: UsersRepository;
  let alice: User;

  beforeAll(async () => {
    database = await openAccountsDatabase(temp().url);
    roles = createRolesRepository(database.db, { now: () => 42 });
    users = createUsersRepository(database.db);
    alice = await users.create({ username: 'alice', email: 'alice@example.com', password: PASSWORD });
  });
  afterAll(() => database.close());

  it('creates, reads, lists, updates and deletes roles', async () => {
    const editor = await roles.createRole({ name: 'editor', description: 'Edits things' });
    expect(editor).toEqual({
      id: expect.any(String),
      name: 'editor',
      description: 'Edits things',
      createdAt: 42,
    });
    await roles.createRole({ name: 'admin' });
    expect(await roles.getRole(editor.id)).toEqual(editor);
    expect(await roles.findRoleByName('editor')).toEqual(editor);
    expect(await roles.findRoleByName('nope')).toBeUndefined();
    expect((await roles.listRoles()).map((role) => role.name)).toEqual(['admin', 'editor']);

    const renamed = await roles.updateRole(editor.id, { name: 'writer', description: '' });
    expect(renamed).toMatchObject({ name: 'writer', description: '' });
    const temporary = await roles.createRole({ name: 'temporary' });
    await roles.deleteRole(temporary.id);
    await expect(roles.getRole(temporary.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(roles.deleteRole(temporary.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(roles.updateRole(temporary.id, { description: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses duplicate and malformed role names', async () => {
    const duplicate = await roles.createRole({ name: 'admin' }).catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(ConflictError);
    expect((duplicate as ConflictError).field).toBe('name');
    const writer = (await roles.findRoleByName('writer'))!;
    await expect(roles.updateRole(writer.id, { name: 'admin' })).rejects.toBeInstanceOf(ConflictError);
    await expect(roles.updateRole(writer.id, { name: 'writer' })).resolves.toMatchObject({ name: 'writer' });
    for (const name of ['', 'has space', 'quote"', 'x'.repeat(65), 42]) {
      await expect(roles.createRole({ name } as { name: string })).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(roles.createRole({ name: 'ok', description: 'x'.repeat(501) })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('manages permissions named like OAuth scopes', async () => {
    const read = await roles.createPermission({ name: 'test:read', description: 'Read test items' });
    await roles.createPermission({ name: 'test:write' });
    await roles.createPermission({ name: 'admin:write' });
    expect((await roles.listPermissions()).map((permission) => permission.name)).toEqual([
      'admin:write',
      'test:read',
      'test:write',
    ]);
    expect(await roles.getPermission(read.id)).toEqual(read);
    expect(await roles.findPermissionByName('test:read')).toEqual(read);
    await expect(roles.createPermission({ name: 'test:read' })).rejects.toBeInstanceOf(ConflictError);
    await expect(roles.createPermission({ name: 'two scopes' })).rejects.toBeInstanceOf(ValidationError);
    expect(await roles.updatePermission(read.id, { description: 'Reads' })).toMatchObject({
      description: 'Reads',
    });
    const extra = await roles.createPermission({ name: 'extra:scope' });
    await roles.deletePermission(extra.id);
    await expect(roles.getPermission(extra.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('grants and revokes permissions to roles, idempotently', async () => {
    const writer = (await roles.findRoleByName('writer'))!;
    const read = (await roles.findPermissionByName('test:read'))!;
    const write = (await roles.findPermissionByName('test:write'))!;
    await roles.grantPermission(writer.id, read.id);
    await roles.grantPermission(writer.id, read.id);
    await roles.grantPermission(writer.id, write.id);
    expect((await roles.permissionsOfRole(writer.id)).map((p) => p.name)).toEqual([
      'test:read',
      'test:write',
    ]);
    await roles.revokePermission(writer.id, write.id);
    await roles.revokePermission(writer.id, write.id);
    expect((await roles.permissionsOfRole(writer.id)).map((p) => p.name)).toEqual(['test:read']);
    await expect(roles.grantPermission(writer.id, 'missing')).rejects.toBeInstanceOf(NotFoundError);
    await expect(roles.grantPermission('missing', read.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(roles.permissionsOfRole('missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('assigns roles to users and unions their permissions', async () => {
    const writer = (await roles.findRoleByName('writer'))!;
    const admin = (await roles.findRoleByName('admin'))!;
    const read = (await roles.findPermissionByName('test:read'))!;
    const adminWrite = (await roles.findPermissionByName('admin:write'))!;
    await roles.grantPermission(admin.id, adminWrite.id);
    await roles.grantPermission(admin.id, read.id);

    expect(await roles.permissionsOf(alice.id)).toEqual(new Set());
    await roles.assignRole(alice.id, writer.id);
    await roles.assignRole(alice.id, writer.id);
    expect(await roles.permissionsOf(alice.id)).toEqual(new Set(['test:read']));
    await roles.assignRole(alice.id, admin.id);
    expect((await roles.rolesOf(alice.id)).map((role) => role.name)).toEqual(['admin', 'writer']);
    // test:read comes through both roles and is listed once.
    expect(await roles.permissionsOf(alice.id)).toEqual(new Set(['admin:write', 'test:read']));

    await roles.unassignRole(alice.id, admin.id);
    expect(await roles.permissionsOf(alice.id)).toEqual(new Set(['test:read']));
    await expect(roles.assignRole('missing', writer.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(roles.assignRole(alice.id, 'missing')).rejects.toBeInstanceOf(NotFoundError);
    await expect(roles.rolesOf('missing')).rejects.toBeInstanceOf(NotFoundError);
    expect(await roles.permissionsOf('missing')).toEqual(new Set());
  });

  it('gives a disabled user no permissions, and restores them on enable', async () => {
    await users.disable(alice.id);
    expect(await roles.permissionsOf(alice.id)).toEqual(new Set());
    expect((await roles.rolesOf(alice.id)).map((role) => role.name)).toEqual(['writer']);
    await users.enable(alice.id);
    expect(await roles.permissionsOf(alice.id)).toEqual(new Set(['test:read']));
  });

  it('drops grants and assignments with the role or permission deleted', async () => {
    const writer = (await roles.findRoleByName('writer'))!;
    const read = (await roles.findPermissionByName('test:read'))!;
    await roles.deletePermission(read.id);
    expect(await roles.permissionsOf(alice.id)).toEqual(new Set());
    await roles.deleteRole(writer.id);
    expect(await roles.rolesOf(alice.id)).toEqual([]);
  });
});
