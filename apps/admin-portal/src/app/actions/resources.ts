'use server';

import type { ResourceServer } from '../../lib/admin-api/types.ts';
import { field, path, runAction } from '../../lib/forms/run-action.ts';
import { keyRotationSchema, resourceServerSchema, scopeSchema } from '../../lib/forms/schemas.ts';
import type { FormState } from '../../lib/forms/state.ts';

export async function createResourceServer(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: resourceServerSchema,
    async perform(api, data) {
      const server = await api.send<ResourceServer>('POST', '/resource-servers', data);
      return { redirectTo: `/resource-servers/${path(server.id)}` };
    },
    revalidate: ['/resource-servers'],
  });
}

export async function updateResourceServer(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: resourceServerSchema,
    async perform(api, data, raw) {
      await api.send('PATCH', `/resource-servers/${path(field(raw, 'id'))}`, data);
      return { message: 'Resource server saved.' };
    },
    revalidate: ['/resource-servers'],
  });
}

export async function deleteResourceServer(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      await api.send('DELETE', `/resource-servers/${path(field(raw, 'id'))}`);
      return { redirectTo: '/resource-servers' };
    },
    revalidate: ['/resource-servers'],
  });
}

export async function addScope(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: scopeSchema,
    async perform(api, data, raw) {
      await api.send('POST', `/resource-servers/${path(field(raw, 'id'))}/scopes`, data);
      return { message: `Scope ${data.name} added.` };
    },
    revalidate: ['/resource-servers'],
  });
}

export async function deleteScope(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      await api.send(
        'DELETE',
        `/resource-servers/${path(field(raw, 'id'))}/scopes/${path(field(raw, 'scope'))}`,
      );
      return { message: 'Scope deleted.' };
    },
    revalidate: ['/resource-servers'],
  });
}

export async function rotateKeys(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: keyRotationSchema,
    async perform(api, data) {
      const result = await api.send<{ kid?: string }>('POST', '/keys/rotate', data);
      return {
        message: `A new signing key${result?.kid ? ` (${result.kid})` : ''} is published and signs after ${data.activation_delay_seconds} s.`,
      };
    },
    revalidate: ['/keys'],
  });
}
