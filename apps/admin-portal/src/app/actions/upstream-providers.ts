'use server';

import type { UpstreamProvider } from '../../lib/admin-api/types.ts';
import { field, path, runAction } from '../../lib/forms/run-action.ts';
import type { FormState } from '../../lib/forms/state.ts';
import { upstreamProviderSchema } from '../../lib/forms/upstream-provider-schema.ts';

// Sign-in providers (upstream identity providers) through the admin API's /upstream-providers.

const LIST = '/sign-in-providers';

export async function createUpstreamProvider(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: upstreamProviderSchema,
    async perform(api, data) {
      const provider = await api.send<UpstreamProvider>('POST', '/upstream-providers', data);
      return { redirectTo: `${LIST}/${path(provider.id)}` };
    },
    revalidate: [LIST],
  });
}

export async function updateUpstreamProvider(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    schema: upstreamProviderSchema,
    async perform(api, data, raw) {
      const { id: _id, ...changes } = data;
      await api.send('PATCH', `/upstream-providers/${path(field(raw, 'id'))}`, changes);
      return { message: 'Sign-in provider saved.' };
    },
    revalidate: [LIST],
  });
}

export async function deleteUpstreamProvider(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    permission: 'admin:write',
    async perform(api, _data, raw) {
      await api.send('DELETE', `/upstream-providers/${path(field(raw, 'id'))}`);
      return { redirectTo: LIST };
    },
    revalidate: [LIST],
  });
}
