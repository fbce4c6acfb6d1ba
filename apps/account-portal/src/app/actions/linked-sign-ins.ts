'use server';

import { runAction } from '../../lib/forms/run-action.ts';
import { idSchema } from '../../lib/forms/schemas.ts';
import type { FormState } from '../../lib/forms/state.ts';

// The linked sign-ins page's one action: unlinking a provider. Linking is a browser flow at oauth-service.

export async function unlinkSignIn(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    schema: idSchema,
    revalidate: ['/linked-sign-ins', '/events'],
    perform: async (api, data) => {
      await api.unlinkIdentity(data.id);
      return { message: 'The sign-in is unlinked. It no longer signs you in.' };
    },
  });
}
