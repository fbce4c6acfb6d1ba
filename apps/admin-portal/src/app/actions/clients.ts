'use server';

import type { CreatedClient, RotatedClient } from '../../lib/admin-api/types.ts';
import { field, path, runAction } from '../../lib/forms/run-action.ts';
import { clientCreateSchema, clientUpdateSchema } from '../../lib/forms/schemas.ts';
import type { FormState } from '../../lib/forms/state.ts';

export async function createClient(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: clientCreateSchema,
    async perform(api, data) {
      const client = await api.send<CreatedClient>('POST', '/clients', {
        ...data,
        require_pkce: true,
        // A public client has no secret to send; the API wants `none`.
        token_endpoint_auth_method: data.type === 'public' ? 'none' : data.token_endpoint_auth_method,
      });
      return {
        message: `Client ${client.name} created.`,
        created: { name: client.name, href: `/clients/${path(client.client_id)}` },
        ...(client.client_secret
          ? { secret: { clientId: client.client_id, clientName: client.name, value: client.client_secret } }
          : {}),
      };
    },
    revalidate: ['/clients'],
  });
}

export async function updateClient(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: clientUpdateSchema,
    async perform(api, { type: _type, ...data }, raw) {
      await api.send('PATCH', `/clients/${path(field(raw, 'id'))}`, data);
      return { message: 'Client saved.' };
    },
    revalidate: ['/clients'],
  });
}

export async function rotateClientSecret(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      const client = await api.send<RotatedClient>('POST', `/clients/${path(field(raw, 'id'))}/secret`);
      return {
        message: 'The secret was rotated; the old one no longer works.',
        ...(client.client_secret
          ? {
              secret: {
                clientId: client.client_id,
                clientName: String(raw.get('name') ?? client.client_id),
                value: client.client_secret,
              },
            }
          : {}),
      };
    },
  });
}

export async function setClientEnabled(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      const verb = field(raw, 'verb') === 'enable' ? 'enable' : 'disable';
      await api.send('POST', `/clients/${path(field(raw, 'id'))}/${verb}`);
      return { message: verb === 'enable' ? 'The client is enabled.' : 'The client is disabled.' };
    },
    revalidate: ['/clients'],
  });
}

export async function deleteClient(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      await api.send('DELETE', `/clients/${path(field(raw, 'id'))}`);
      return { redirectTo: '/clients' };
    },
    revalidate: ['/clients'],
  });
}
