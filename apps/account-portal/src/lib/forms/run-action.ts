import { ApiError } from '@platform/web-session/problem';
import { revalidatePath } from 'next/cache';
import type { z } from 'zod';
import { type AccountApi, accountApi } from '../api/client.ts';
import { currentSession } from '../session/current.ts';
import type { StoredSession } from '../session/store.ts';
import { problemState } from './problem-state.ts';
import { fieldErrors, formObject } from './schemas.ts';
import type { FormState } from './state.ts';

// Every server action goes through here: the session checked on the server, the input validated with the
// form's zod schema, the account API called with the user's own token, and a refusal turned into a readable
// message with field errors (the API's problem `errors`, by JSON pointer).

export async function runAction<S extends z.ZodType>(options: {
  form: FormData;
  schema: S;
  perform(api: AccountApi, data: z.infer<S>, session: StoredSession): Promise<FormState | undefined>;
  revalidate: string[];
}): Promise<FormState> {
  const session = await currentSession();
  if (!session) return { error: 'Your session has ended. Sign in again to continue.' };
  const parsed = options.schema.safeParse(formObject(options.form));
  if (!parsed.success)
    return { error: 'Some fields need attention.', fieldErrors: fieldErrors(parsed.error) };
  let outcome: FormState;
  try {
    outcome = (await options.perform(accountApi(session), parsed.data, session)) ?? {};
  } catch (error) {
    if (error instanceof ApiError) return problemState(error);
    console.error('account-portal: action failed:', (error as Error).message);
    return { error: 'The request could not be completed: the account service did not answer. Try again.' };
  }
  if (outcome.error) return outcome;
  for (const path of options.revalidate) revalidatePath(path);
  return { ok: true, ...outcome };
}
