'use server';

import { ApiError } from '@platform/web-session/problem';
import { accountApi } from '../../lib/api/client.ts';
import type { PasskeyRegistration } from '../../lib/api/types.ts';
import { passkeyRegistrationSchema, passkeyRenameSchema } from '../../lib/forms/passkey-schemas.ts';
import { problemState } from '../../lib/forms/problem-state.ts';
import { runAction } from '../../lib/forms/run-action.ts';
import { idSchema } from '../../lib/forms/schemas.ts';
import type { FormState } from '../../lib/forms/state.ts';
import { currentSession } from '../../lib/session/current.ts';

// The passkeys page's server actions. Registration is two calls around the browser's WebAuthn ceremony:
// the options from the account API (its challenge stays there), then the authenticator's answer relayed
// back. The user's token stays on this server; the browser only sees the options and its own answer.

export type RegistrationStart = FormState & { options?: Record<string, unknown> };

export async function startPasskeyRegistration(): Promise<RegistrationStart> {
  const session = await currentSession();
  if (!session) return { error: 'Your session has ended. Sign in again to continue.' };
  try {
    return { ok: true, options: await accountApi(session).passkeyRegistrationOptions() };
  } catch (error) {
    if (error instanceof ApiError) return problemState(error);
    console.error('account-portal: passkey options failed:', (error as Error).message);
    return { error: 'The account service did not answer. Try again.' };
  }
}

export async function finishPasskeyRegistration(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    schema: passkeyRegistrationSchema,
    revalidate: ['/passkeys', '/events'],
    perform: async (api, data) => {
      const passkey = await api.registerPasskey({
        name: data.name,
        response: data.response as PasskeyRegistration['response'],
      });
      return { message: `The passkey “${passkey.name}” is added. You can sign in with it.` };
    },
  });
}

export async function renamePasskey(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    schema: passkeyRenameSchema,
    revalidate: ['/passkeys'],
    perform: async (api, data) => {
      const passkey = await api.renamePasskey(data.id, data.name);
      return { message: `Renamed to “${passkey.name}”.` };
    },
  });
}

export async function removePasskey(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    schema: idSchema,
    revalidate: ['/passkeys', '/events'],
    perform: async (api, data) => {
      await api.removePasskey(data.id);
      return { message: 'The passkey is removed. It no longer signs in.' };
    },
  });
}
