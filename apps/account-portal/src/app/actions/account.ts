'use server';

import { runAction } from '../../lib/forms/run-action.ts';
import { idSchema, passwordSchema, profileSchema } from '../../lib/forms/schemas.ts';
import type { FormState } from '../../lib/forms/state.ts';
import { rememberUser } from '../../lib/session/current.ts';

// The console's server actions, one per form. Each checks the session and its input on the server and
// calls the account API with the user's own token (lib/forms/run-action.ts).

export async function updateProfile(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    schema: profileSchema,
    revalidate: ['/', '/sessions'],
    perform: async (api, data, session) => {
      const profile = await api.updateProfile(data.name);
      await rememberUser(session, { name: profile.name ?? data.name });
      return { message: 'Your display name is saved.' };
    },
  });
}

export async function changePassword(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    schema: passwordSchema,
    revalidate: ['/sessions'],
    perform: async (api, data) => {
      await api.changePassword(data.currentPassword, data.newPassword);
      return { message: 'Your password is changed. Your other sessions were signed out.' };
    },
  });
}

export async function endSession(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    schema: idSchema,
    revalidate: ['/sessions'],
    perform: async (api, data) => {
      await api.endSession(data.id);
      return { message: 'The session is ended.' };
    },
  });
}

export async function endOtherSessions(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    schema: idSchema.partial(),
    revalidate: ['/sessions'],
    perform: async (api) => {
      // The API keeps the session this console's token was issued in (or the `sid` the console names).
      await api.endOtherSessions();
      return { message: 'Every other session is ended.' };
    },
  });
}

export async function revokeApplication(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    schema: idSchema,
    revalidate: ['/applications', '/sessions'],
    perform: async (api, data) => {
      await api.revokeApplication(data.id);
      return { message: 'The application’s access is revoked.' };
    },
  });
}
