import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { z } from 'zod';
import { can, type Permission } from '../access/permissions.ts';
import { type AdminApi, adminApi } from '../admin-api/client.ts';
import { ApiError } from '../api/problem.ts';
import { currentSession } from '../session/current.ts';
import { fieldErrors, formObject } from './schemas.ts';
import type { FormState } from './state.ts';

// Every server action goes through here: session and permission checked on the server (a hidden button is
// no protection), input validated with the form's zod schema, the admin API called with the user's token,
// and any refusal turned into a readable message with field errors.

interface Outcome extends FormState {
  /** Where to go after success (a console path). */
  redirectTo?: string;
}

export async function runAction<S extends z.ZodType>(options: {
  form: FormData;
  permission: Permission;
  schema?: S;
  perform(api: AdminApi, data: z.infer<S>, form: FormData): Promise<Outcome | undefined>;
  revalidate?: string[];
}): Promise<FormState> {
  const session = await currentSession();
  if (!session) return { error: 'Your session has ended. Sign in again to continue.' };
  if (!can(session.permissions, options.permission)) {
    return { error: `You are not allowed to do this: it needs the ${options.permission} permission.` };
  }
  let data: z.infer<S> = undefined as z.infer<S>;
  if (options.schema) {
    const parsed = options.schema.safeParse(formObject(options.form));
    if (!parsed.success)
      return { error: 'Some fields need attention.', fieldErrors: fieldErrors(parsed.error) };
    data = parsed.data;
  }
  let outcome: Outcome;
  try {
    outcome = (await options.perform(adminApi(session), data, options.form)) ?? { ok: true };
  } catch (error) {
    if (error instanceof ApiError) return { error: error.message, fieldErrors: error.fieldErrors };
    console.error('admin-portal: action failed:', (error as Error).message);
    return {
      error: 'The request could not be completed: oauth-service did not answer. Try again in a moment.',
    };
  }
  for (const path of options.revalidate ?? []) revalidatePath(path);
  const { redirectTo, ...state } = outcome;
  if (redirectTo) redirect(redirectTo);
  return { ok: true, ...state };
}

/** A required plain field (ids carried in hidden inputs). */
export function field(form: FormData, name: string): string {
  const value = form.get(name);
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
    throw new ApiError(400, { detail: `The form is missing ${name}.` });
  }
  return value;
}

export { segment as path } from '../api/client.ts';
