import { type AuthenticationResponseJSON, verifyAuthenticationResponse } from '@simplewebauthn/server';
import type { FactorLimits, SignInOutcome } from '../accounts/sign-in.ts';
import { ACR_MFA, ACR_PASSWORD } from '../mfa/policy.ts';
import type { PasskeysRepository, StoredPasskey } from './passkeys.repository.ts';

// One passkey sign-in (a WebAuthn assertion) checked against the stored credential, under the same limits
// as a password: the per-address allowance, the account lock and its failure count.

export type AssertionFailure =
  | 'rate_limited'
  | 'expired'
  | 'invalid_credentials'
  | 'locked'
  | 'disabled'
  | 'cloned'
  | 'user_verification_required';

type Account = { id: string; username: string };

export type AssertionResult =
  | { ok: true; user: Account; passkeyId: string; userVerified: boolean; amr: string[]; acr: string }
  | { ok: false; reason: AssertionFailure; account?: Account; passkeyId?: string };

export interface PasskeyAssertionDeps {
  repository: PasskeysRepository;
  users: {
    findById(
      id: string,
    ): Promise<{ id: string; username: string; status: string; lockedUntil: number | null } | undefined>;
  };
  limits: FactorLimits;
  relyingParty: { id: string; origin: string };
  now?: () => number;
}

export interface AssertionInput {
  /** Takes the interaction's challenge away: a second use of it finds none. */
  challenge: () => Promise<string | undefined>;
  response: AuthenticationResponseJSON;
  ip: string;
  /** The sign-in needs user verification (PIN or biometrics), e.g. as the client asked for MFA. */
  requireUserVerification?: boolean;
  /** As a second factor: the passkey must be this user's. */
  expectedUserId?: string;
}

const MAX_CREDENTIAL_ID_LENGTH = 1400;

/** Signature, challenge, origin, RP ID hash and user presence; the counter is checked by the caller. */
async function checkSignature(
  deps: PasskeyAssertionDeps,
  passkey: StoredPasskey,
  input: AssertionInput,
  challenge: string,
) {
  try {
    const { verified, authenticationInfo } = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: challenge,
      expectedOrigin: deps.relyingParty.origin,
      expectedRPID: deps.relyingParty.id,
      // Counter 0 here: the library would compare counters before the signature; this module compares them
      // after it, so only a correctly signed assertion can report a cloned authenticator.
      credential: {
        id: passkey.credentialId,
        publicKey: Buffer.from(passkey.publicKey, 'base64url'),
        counter: 0,
        transports: passkey.transports as never,
      },
      requireUserVerification: false,
    });
    const userHandle = input.response.response.userHandle;
    const ownHandle = Buffer.from(passkey.userId).toString('base64url');
    return verified && (!userHandle || userHandle === ownHandle) ? authenticationInfo : undefined;
  } catch {
    return undefined;
  }
}

const counterWentBack = (stored: number, received: number) =>
  (stored > 0 || received > 0) && received <= stored;

// The metric's outcomes: a refusal particular to passkeys counts as the wrong credential it amounts to.
const METRIC_OUTCOMES: Record<AssertionFailure, SignInOutcome> = {
  rate_limited: 'rate_limited',
  expired: 'invalid_credentials',
  invalid_credentials: 'invalid_credentials',
  locked: 'locked',
  disabled: 'disabled',
  cloned: 'invalid_credentials',
  user_verification_required: 'invalid_credentials',
};

/** Checks an assertion and counts its outcome in oauth_login_attempts_total (factor `passkey`). */
export async function verifyAssertion(
  deps: PasskeyAssertionDeps,
  input: AssertionInput,
): Promise<AssertionResult> {
  const result = await checkAssertion(deps, input);
  deps.limits.count(result.ok ? 'success' : METRIC_OUTCOMES[result.reason], 'passkey');
  return result;
}

/** Checks an assertion of interaction's challenge; a failure of a known account counts towards its lock. */
async function checkAssertion(deps: PasskeyAssertionDeps, input: AssertionInput): Promise<AssertionResult> {
  const now = deps.now ?? Date.now;
  if (!deps.limits.takeAddress(input.ip)) return { ok: false, reason: 'rate_limited' };
  const challenge = await input.challenge();
  if (!challenge) return { ok: false, reason: 'expired' };
  const credentialId = input.response?.id;
  if (typeof credentialId !== 'string' || credentialId.length > MAX_CREDENTIAL_ID_LENGTH)
    return { ok: false, reason: 'invalid_credentials' };
  const passkey = await deps.repository.findByCredentialId(credentialId);
  const owner = passkey && (await deps.users.findById(passkey.userId));
  // As a second factor the account is the one signing in, whoever's passkey is presented: every refusal
  // counts towards its lock, as a wrong code does.
  const user = input.expectedUserId === undefined ? owner : await deps.users.findById(input.expectedUserId);
  if (!user) return { ok: false, reason: 'invalid_credentials' };
  const account = { id: user.id, username: user.username };
  const ownPasskey = passkey && owner?.id === user.id ? passkey : undefined;
  // A refused assertion of a known account counts like a wrong password; once locked, it says so (a
  // suspected clone keeps its own reason, which the audit log needs).
  const refused = async (reason: AssertionFailure): Promise<AssertionResult> => {
    const locked = await deps.limits.recordFailure(user.id);
    const shown = locked && reason !== 'cloned' ? 'locked' : reason;
    return { ok: false, reason: shown, account, ...(ownPasskey ? { passkeyId: ownPasskey.id } : {}) };
  };
  if (user.lockedUntil !== null && user.lockedUntil > now()) return { ok: false, reason: 'locked', account };
  if (!ownPasskey) return refused('invalid_credentials');

  const info = await checkSignature(deps, ownPasskey, input, challenge);
  if (!info) return refused('invalid_credentials');
  if (counterWentBack(ownPasskey.signCount, info.newCounter)) return refused('cloned');
  if (user.status !== 'active') return { ok: false, reason: 'disabled', account };
  if (input.requireUserVerification && !info.userVerified)
    return { ok: false, reason: 'user_verification_required', account, passkeyId: ownPasskey.id };
  // Guarded by the counter just checked: of two assertions racing with one counter value, one wins.
  const use = { signCount: info.newCounter, backupState: info.credentialBackedUp };
  if (!(await deps.repository.recordUse(ownPasskey, use))) return refused('invalid_credentials');
  await deps.limits.recordSuccess(user.id);
  // A synced (backup-eligible) passkey is a software key; a device-bound one a hardware key. With user
  // verification the authenticator checked something the user knows or is: two factors in one.
  const key = ownPasskey.backupEligible ? 'swk' : 'hwk';
  return {
    ok: true,
    user: account,
    passkeyId: ownPasskey.id,
    userVerified: info.userVerified,
    amr: info.userVerified ? [key, 'mfa'] : [key],
    acr: info.userVerified ? ACR_MFA : ACR_PASSWORD,
  };
}
