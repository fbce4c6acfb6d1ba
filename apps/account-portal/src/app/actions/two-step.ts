'use server';

import { z } from 'zod';
import type { RecoveryCodes, TotpEnrolment } from '../../lib/api/types.ts';
import { runAction } from '../../lib/forms/run-action.ts';
import type { FormState } from '../../lib/forms/state.ts';

// The two-step verification page's actions. The key, QR code and recovery codes travel back to the form
// that asked for them, once, in the action's answer; the page never renders them from the API again.

export interface TwoStepState extends FormState {
  enrolment?: TotpEnrolment;
  codes?: string[];
}

const noInput = z.object({});
const codeSchema = z.object({
  code: z
    .string()
    .trim()
    .min(1, 'Enter the code your app shows.')
    .max(64, 'Enter the 6-digit code your app shows.'),
});

export async function beginTotp(_: TwoStepState, form: FormData): Promise<TwoStepState> {
  let enrolment: TotpEnrolment | undefined;
  const state = await runAction({
    form,
    schema: noInput,
    revalidate: [],
    perform: async (api) => {
      enrolment = await api.beginTotp();
      return {};
    },
  });
  return enrolment ? { ...state, enrolment } : state;
}

/**
 * Not revalidated here: the page would re-render without the enrolment form, and the recovery codes it
 * shows with it; the codes' "Done" refreshes the page.
 */
export async function confirmTotp(_: TwoStepState, form: FormData): Promise<TwoStepState> {
  let codes: RecoveryCodes | undefined;
  const state = await runAction({
    form,
    schema: codeSchema,
    revalidate: [],
    perform: async (api, data) => {
      codes = await api.confirmTotp(data.code);
      return {};
    },
  });
  return codes ? { ...state, codes: codes.codes } : state;
}

export async function regenerateRecoveryCodes(_: TwoStepState, form: FormData): Promise<TwoStepState> {
  let codes: RecoveryCodes | undefined;
  const state = await runAction({
    form,
    schema: noInput,
    revalidate: ['/two-step'],
    perform: async (api) => {
      codes = await api.regenerateRecoveryCodes();
      return {};
    },
  });
  return codes ? { ...state, codes: codes.codes } : state;
}

export async function removeTotp(_: FormState, form: FormData): Promise<FormState> {
  return runAction({
    form,
    schema: noInput,
    revalidate: ['/two-step'],
    perform: async (api) => {
      await api.removeTotp();
      return { message: 'The authenticator app is removed.' };
    },
  });
}
