import { describe, expect, it } from 'vitest';
import {
  ACR_MFA,
  ACR_PASSWORD,
  acrFor,
  acrValuesAskMfa,
  createMfaPolicy,
  type MfaPolicyReads,
  withSecondFactor,
} from './policy.ts';

// The decision itself, over fixed reads: which sign-ins need a second factor, and what they reach.

const reads = (over: Partial<Record<keyof MfaPolicyReads, boolean>> = {}): MfaPolicyReads => ({
  rolesRequireMfa: async () => over.rolesRequireMfa ?? false,
  clientRequiresMfa: async () => over.clientRequiresMfa ?? false,
  enrolmentRequired: async () => over.enrolmentRequired ?? false,
  hasSecondFactor: async () => over.hasSecondFactor ?? false,
});
const question = { userId: 'u', clientId: 'c' };

describe('MFA policy', () => {
  it('asks nothing when nothing requires a second factor, even of a user who has one', async () => {
    expect(await createMfaPolicy(reads()).mfaRequirement(question)).toBe('none');
    expect(await createMfaPolicy(reads({ hasSecondFactor: true })).mfaRequirement(question)).toBe('none');
  });

  it('requires it by role, client, administrator or acr_values: the factor, or enrolment without one', async () => {
    for (const cause of ['rolesRequireMfa', 'clientRequiresMfa', 'enrolmentRequired'] as const) {
      expect(await createMfaPolicy(reads({ [cause]: true })).mfaRequirement(question)).toBe('enrol');
      expect(
        await createMfaPolicy(reads({ [cause]: true, hasSecondFactor: true })).mfaRequirement(question),
      ).toBe('second_factor');
    }
    const byRequest = { ...question, requestedAcr: ACR_MFA };
    expect(await createMfaPolicy(reads({ hasSecondFactor: true })).mfaRequirement(byRequest)).toBe(
      'second_factor',
    );
  });

  it('reads acr_values as a list: mfa alone insists, mfa beside pwd accepts either, unknown values ask nothing', () => {
    expect(acrValuesAskMfa(ACR_MFA)).toBe(true);
    expect(acrValuesAskMfa(`urn:other ${ACR_MFA}`)).toBe(true);
    expect(acrValuesAskMfa(`${ACR_MFA} ${ACR_PASSWORD}`)).toBe(false);
    expect(acrValuesAskMfa('urn:other')).toBe(false);
    expect(acrValuesAskMfa(undefined)).toBe(false);
    expect(acrValuesAskMfa(`${ACR_MFA}x`)).toBe(false);
  });

  it('adds the second method and mfa once, and names the acr the methods reach', () => {
    expect(withSecondFactor(['pwd'], 'otp')).toEqual(['pwd', 'otp', 'mfa']);
    expect(withSecondFactor(['pwd', 'otp', 'mfa'], 'otp')).toEqual(['pwd', 'otp', 'mfa']);
    expect(acrFor(['pwd'])).toBe(ACR_PASSWORD);
    expect(acrFor(['pwd', 'otp', 'mfa'])).toBe(ACR_MFA);
  });
});
