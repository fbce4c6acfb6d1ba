import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { ACR_MFA, type MfaQuestion } from './policy.ts';

// oidc-provider's default prompts, with one more check in `login`: a browser session that signed in with
// fewer factors than this request needs (the client's acr_values, the client's or the user's roles' policy)
// is asked for its second factor again. Without it, a password session would satisfy any later request.

/** The login prompt's reason when only the second factor is missing (the session's account stays). */
export const STEP_UP_REASON = 'mfa_required';

export function interactionPolicyWithStepUp(requiresMfa: (question: MfaQuestion) => Promise<boolean>) {
  const { Check, base } = interactionPolicy;
  const policy = base();
  const stepUp = new Check(
    STEP_UP_REASON,
    'a second authentication factor is required',
    async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const accountId = oidc.session?.accountId;
      // No session: the login prompt's own no_session check asks for the first factor.
      if (!accountId || oidc.acr === ACR_MFA) return Check.NO_NEED_TO_PROMPT;
      const question = {
        userId: accountId,
        clientId: oidc.client?.clientId ?? '',
        requestedAcr: oidc.params?.acr_values as string | undefined,
      };
      return (await requiresMfa(question)) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    },
  );
  policy.get('login')?.checks.add(stepUp);
  return policy;
}
