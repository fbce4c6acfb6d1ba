import type { SecretBox } from '../crypto/secret-box.ts';
import type { MfaRepository } from './mfa.repository.ts';
import {
  looksLikeRecoveryCode,
  newRecoveryCode,
  RECOVERY_CODE_COUNT,
  type RecoveryCodeHasher,
} from './recovery-codes.ts';
import { matchTotpStep, newTotpSecret, totpQrSvg, totpUri } from './totp.ts';

// The second factors of one user: TOTP enrolment (begin, confirm with a first code, remove), recovery codes
// (regenerate, use once) and the code check at sign-in. Secrets never leave this module except once, at
// enrolment; the factor list carries no secret.

/** Which factor a code was checked against, as the metric and the audit log name it. */
export type CodeFactor = 'totp' | 'recovery_code';

export interface TotpEnrolment {
  /** Base32 secret, for typing into an app that cannot scan. */
  secret: string;
  /** otpauth:// URI the QR code holds. */
  uri: string;
  /** The QR code, an inline <svg> element. */
  qrSvg: string;
}

export interface FactorSummary {
  totp: {
    confirmed: boolean;
    createdAt: number;
    confirmedAt: number | null;
    lastUsedAt: number | null;
  } | null;
  recoveryCodes: { left: number; createdAt: number | null };
}

export interface MfaServiceOptions {
  repository: MfaRepository;
  box: SecretBox;
  hashRecoveryCode: RecoveryCodeHasher;
  /** The issuer authenticator apps show beside the account (PUBLIC_URL's host). */
  issuer: string;
  now?: () => number;
}

const purpose = (userId: string) => `totp_secret:${userId}`;

type ServiceContext = Omit<MfaServiceOptions, 'now'> & { now: () => number };

async function listFactors({ repository }: ServiceContext, userId: string): Promise<FactorSummary> {
  const totp = await repository.totpOf(userId);
  return {
    totp: totp
      ? {
          confirmed: Number(totp.confirmed) === 1,
          createdAt: Number(totp.created_at),
          confirmedAt: totp.confirmed_at === null ? null : Number(totp.confirmed_at),
          lastUsedAt: totp.last_used_at === null ? null : Number(totp.last_used_at),
        }
      : null,
    recoveryCodes: {
      left: await repository.recoveryCodesLeft(userId),
      createdAt: await repository.recoveryCodesCreatedAt(userId),
    },
  };
}

async function verifyCode(
  { repository, box, hashRecoveryCode, now }: ServiceContext,
  userId: string,
  code: string,
): Promise<{ ok: boolean; factor: CodeFactor }> {
  const at = now();
  if (looksLikeRecoveryCode(code)) {
    const ok = await repository.useRecoveryCode(userId, hashRecoveryCode(userId, code), at);
    return { ok, factor: 'recovery_code' };
  }
  const totp = await repository.totpOf(userId);
  if (!totp || Number(totp.confirmed) !== 1) return { ok: false, factor: 'totp' };
  const step = matchTotpStep(box.open(totp.secret, purpose(userId)), code, at);
  const ok = step !== undefined && (await repository.useTotpStep(userId, step, at));
  return { ok, factor: 'totp' };
}

export function createMfaService(options: MfaServiceOptions) {
  const { repository, box, hashRecoveryCode, issuer } = options;
  const now = options.now ?? Date.now;
  const context: ServiceContext = { ...options, now };

  const enrolmentOf = async (secret: string, account: string): Promise<TotpEnrolment> => {
    const uri = totpUri(secret, { issuer, account });
    return { secret, uri, qrSvg: await totpQrSvg(uri) };
  };

  async function newRecoveryCodes(userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await repository.replaceRecoveryCodes(
      userId,
      codes.map((code) => hashRecoveryCode(userId, code)),
      now(),
    );
    return codes;
  }

  return {
    /**
     * The enrolment in progress: the unconfirmed secret (until it is confirmed it may be shown again, since
     * nothing is protected by it yet), or a new one. Undefined when a confirmed TOTP exists: remove it first.
     */
    async beginTotpEnrolment(user: { id: string; username: string }): Promise<TotpEnrolment | undefined> {
      const existing = await repository.totpOf(user.id);
      if (existing && Number(existing.confirmed) === 1) return undefined;
      if (existing) return enrolmentOf(box.open(existing.secret, purpose(user.id)), user.username);
      const secret = newTotpSecret();
      if (!(await repository.saveUnconfirmedTotp(user.id, box.seal(secret, purpose(user.id)), now())))
        return undefined;
      return enrolmentOf(secret, user.username);
    },

    /**
     * Confirms the enrolment with a first code; the ten recovery codes it returns are shown once. Clears the
     * administrator's "enrol at next sign-in". Undefined for a wrong code or no enrolment in progress.
     */
    async confirmTotpEnrolment(userId: string, code: string): Promise<string[] | undefined> {
      const pending = await repository.totpOf(userId);
      if (!pending || Number(pending.confirmed) === 1) return undefined;
      const at = now();
      const step = matchTotpStep(box.open(pending.secret, purpose(userId)), code, at);
      if (step === undefined || !(await repository.confirmTotp(userId, step, at))) return undefined;
      await repository.setEnrolmentRequired(userId, false);
      return newRecoveryCodes(userId);
    },

    async removeTotp(userId: string): Promise<boolean> {
      return repository.deleteTotp(userId);
    },

    /** Ten new codes replace every earlier one, used or not; shown once. */
    regenerateRecoveryCodes: newRecoveryCodes,

    async hasConfirmedTotp(userId: string): Promise<boolean> {
      return Number((await repository.totpOf(userId))?.confirmed ?? 0) === 1;
    },

    listFactors: (userId: string) => listFactors(context, userId),

    /** Every factor gone (an administrator's reset of a lost device): TOTP and recovery codes. */
    async resetFactors(userId: string): Promise<void> {
      await repository.deleteTotp(userId);
      await repository.deleteRecoveryCodes(userId);
    },

    /**
     * Checks a code typed at sign-in: a recovery code by its shape, otherwise a TOTP code of the confirmed
     * factor. A TOTP code of an already used step, and a used recovery code, are refused.
     */
    verifyCode: (userId: string, code: string) => verifyCode(context, userId, code),
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
