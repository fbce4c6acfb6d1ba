// When a sign-in needs a second factor, and what it reaches. Pure over the reads it is given, so the
// password step, the passkey step and the provider's step-up check all decide the same way.

/** One factor (a password, or a passkey without user verification). */
export const ACR_PASSWORD = 'urn:platform:acr:pwd';
/** Two factors, or a passkey with user verification. */
export const ACR_MFA = 'urn:platform:acr:mfa';
export const ACR_VALUES_SUPPORTED = [ACR_PASSWORD, ACR_MFA];

/** RFC 8176 methods: `pwd` password, `otp` TOTP or recovery code, `mfa` more than one factor. */
export type AuthenticationMethod = 'pwd' | 'otp' | 'hwk' | 'swk' | 'mfa' | 'user';

/**
 * `none`: the first factor finishes the sign-in. `second_factor`: ask one of the user's factors.
 * `enrol`: a second factor is required and the user has none yet: enrol one, then finish.
 */
export type MfaRequirement = 'none' | 'second_factor' | 'enrol';

export interface MfaPolicyReads {
  rolesRequireMfa(userId: string): Promise<boolean>;
  clientRequiresMfa(clientId: string): Promise<boolean>;
  /** The administrator's "enrol a second factor at the next sign-in". */
  enrolmentRequired(userId: string): Promise<boolean>;
  /** A confirmed factor that can be asked as the second one (TOTP, a passkey). */
  hasSecondFactor(userId: string): Promise<boolean>;
}

export interface MfaQuestion {
  userId: string;
  clientId: string;
  /** The request's `acr_values` (space-separated, in order of preference), if any. */
  requestedAcr?: string | undefined;
}

/**
 * Whether `acr_values` insists on two factors: it names the mfa value and not the one-factor value (a client
 * that also accepts one factor gets what the policy gives).
 */
export function acrValuesAskMfa(acrValues: string | undefined): boolean {
  const values = (acrValues ?? '').split(' ').filter(Boolean);
  return values.includes(ACR_MFA) && !values.includes(ACR_PASSWORD);
}

/** The acr a sign-in with these methods reaches. */
export const acrFor = (amr: readonly string[]) => (amr.includes('mfa') ? ACR_MFA : ACR_PASSWORD);

/** The methods after a second factor on top of `first`: each once, and `mfa`. */
export function withSecondFactor(first: readonly string[], method: AuthenticationMethod): string[] {
  return [...new Set([...first.filter((m) => m !== 'mfa'), method, 'mfa'])];
}

export function createMfaPolicy(reads: MfaPolicyReads) {
  /** Whether the sign-in must end with two factors: roles, client, acr_values or the administrator. */
  async function requiresMfa({ userId, clientId, requestedAcr }: MfaQuestion): Promise<boolean> {
    if (acrValuesAskMfa(requestedAcr)) return true;
    const checks = await Promise.all([
      reads.rolesRequireMfa(userId),
      reads.clientRequiresMfa(clientId),
      reads.enrolmentRequired(userId),
    ]);
    return checks.some(Boolean);
  }

  /** Does this sign-in still need a second factor after the first, and can the user give one? */
  async function mfaRequirement(question: MfaQuestion): Promise<MfaRequirement> {
    if (!(await requiresMfa(question))) return 'none';
    return (await reads.hasSecondFactor(question.userId)) ? 'second_factor' : 'enrol';
  }

  return { requiresMfa, mfaRequirement, hasSecondFactor: (userId: string) => reads.hasSecondFactor(userId) };
}

export type MfaPolicy = ReturnType<typeof createMfaPolicy>;
