'use server';

import type { Named } from '../../lib/admin-api/types.ts';
import { field, path, runAction } from '../../lib/forms/run-action.ts';
import { permissionSchema, roleSchema } from '../../lib/forms/schemas.ts';
import type { FormState } from '../../lib/forms/state.ts';

export async function createRole(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: roleSchema,
    async perform(api, data, raw) {
      const role = await api.send<Named>('POST', '/roles', data);
      // Permissions ticked on the creation form are granted right away.
      for (const permissionId of raw.getAll('permissions'))
        if (typeof permissionId === 'string' && permissionId)
          await api.send('PUT', `/roles/${path(role.id)}/permissions/${path(permissionId)}`);
      return { redirectTo: `/roles/${path(role.id)}` };
    },
    revalidate: ['/roles'],
  });
}

export async function updateRole(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: roleSchema,
    async perform(api, data, raw) {
      await api.send('PATCH', `/roles/${path(field(raw, 'id'))}`, data);
      return { message: 'Role saved.' };
    },
    revalidate: ['/roles'],
  });
}

/** Makes the role's permissions exactly the ticked ones (grants what is new, revokes what was unticked). */
export async function setRolePermissions(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      const id = field(raw, 'id');
      const wanted = new Set(raw.getAll('permissions').filter((v): v is string => typeof v === 'string'));
      const current = await api.get<{ items: Named[] }>(`/roles/${path(id)}/permissions`);
      const have = new Set(current.items.map((p) => p.id));
      for (const permissionId of wanted)
        if (!have.has(permissionId))
          await api.send('PUT', `/roles/${path(id)}/permissions/${path(permissionId)}`);
      for (const permissionId of have)
        if (!wanted.has(permissionId))
          await api.send('DELETE', `/roles/${path(id)}/permissions/${path(permissionId)}`);
      return { message: 'Permissions saved.' };
    },
    revalidate: ['/roles'],
  });
}

export async function deleteRole(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      await api.send('DELETE', `/roles/${path(field(raw, 'id'))}`);
      return { redirectTo: '/roles' };
    },
    revalidate: ['/roles'],
  });
}

export async function createPermission(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: permissionSchema,
    async perform(api, data) {
      await api.send('POST', '/permissions', data);
      return { message: `Permission ${data.name} created.` };
    },
    revalidate: ['/roles'],
  });
}

export async function deletePermission(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      await api.send('DELETE', `/permissions/${path(field(raw, 'id'))}`);
      return { message: 'Permission deleted.' };
    },
    revalidate: ['/roles'],
  });
}
