import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { AuditEventInput } from '../audit/audit-log.ts';
import type { NewPasskey, PasskeysRepository, StoredPasskey } from './passkeys.repository.ts';

// Registering a passkey (the WebAuthn create ceremony) for the account console: options with a challenge the
// service keeps, then the authenticator's answer checked against it, PUBLIC_URL's origin and RP ID.

const CHALLENGE_TTL_MS = 5 * 60_000;
const MAX_NAME_LENGTH = 64;

/** What a passkey's owner and the admin console see of it: no key material. */
export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** `multiDevice`: a synced passkey; `singleDevice`: bound to one authenticator. */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  transports: string[];
  aaguid: string;
}

export interface PasskeyUser {
  id: string;
  username: string;
  displayName: string;
}

/** Who did it and from where, for the audit log (the account console's request). */
export type AuditContext = Pick<AuditEventInput, 'ip' | 'userAgent' | 'requestId' | 'clientId'>;

export type RegistrationResult =
  | { ok: true; passkey: PasskeySummary }
  | { ok: false; reason: 'expired' | 'invalid' | 'duplicate' | 'invalid_name' };

export interface RegistrationContext {
  repository: PasskeysRepository;
  audit: { record(event: AuditEventInput): Promise<void> | void };
  relyingParty: { id: string; origin: string; name: string };
  now: () => number;
}

export const toSummary = (passkey: StoredPasskey): PasskeySummary => ({
  id: passkey.id,
  name: passkey.name,
  createdAt: passkey.createdAt,
  lastUsedAt: passkey.lastUsedAt,
  deviceType: passkey.deviceType,
  backedUp: passkey.backupState,
  transports: passkey.transports,
  aaguid: passkey.aaguid,
});

/**
 * A name its owner gave: trimmed, 1–64 characters (code points, as the API schema's maxLength counts them),
 * no control characters; undefined otherwise.
 */
export const cleanName = (name: unknown): string | undefined => {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  return trimmed !== '' && [...trimmed].length <= MAX_NAME_LENGTH && !/\p{Cc}/u.test(trimmed)
    ? trimmed
    : undefined;
};

const subjectOf = (userId: string) => `register:${userId}`;

/** Options for registering a new passkey; its challenge replaces any earlier one of the user's. */
export async function registrationOptions(
  ctx: RegistrationContext,
  user: PasskeyUser,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await ctx.repository.listByUser(user.id);
  const options = await generateRegistrationOptions({
    rpName: ctx.relyingParty.name,
    rpID: ctx.relyingParty.id,
    userName: user.username,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    // Discoverable (resident) credentials: the passkey alone names the account at sign-in.
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
  });
  await ctx.repository.putChallenge(subjectOf(user.id), options.challenge, ctx.now() + CHALLENGE_TTL_MS);
  return options;
}

type Verified = Extract<Awaited<ReturnType<typeof verifyRegistrationResponse>>, { verified: true }>;

/** The new credential of a verified registration, as stored. */
function newPasskeyOf(userId: string, name: string, info: Verified['registrationInfo']): NewPasskey {
  return {
    userId,
    credentialId: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    signCount: info.credential.counter,
    transports: info.credential.transports ?? [],
    backupEligible: info.credentialDeviceType === 'multiDevice',
    backupState: info.credentialBackedUp,
    deviceType: info.credentialDeviceType,
    aaguid: info.aaguid,
    name,
  };
}

async function verifyAgainst(
  ctx: RegistrationContext,
  response: RegistrationResponseJSON,
  challenge: string,
) {
  try {
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: ctx.relyingParty.origin,
      expectedRPID: ctx.relyingParty.id,
      requireUserVerification: false,
    });
    return verified.verified ? verified.registrationInfo : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies the authenticator's answer to registrationOptions and stores the passkey under `name`. */
export async function verifyRegistration(
  ctx: RegistrationContext,
  input: { user: PasskeyUser; response: RegistrationResponseJSON; name: unknown; context: AuditContext },
): Promise<RegistrationResult> {
  const { user } = input;
  const name = cleanName(input.name);
  if (!name) return { ok: false, reason: 'invalid_name' };
  const challenge = await ctx.repository.takeChallenge(subjectOf(user.id));
  if (!challenge) return { ok: false, reason: 'expired' };
  const info = await verifyAgainst(ctx, input.response, challenge);
  if (!info) return { ok: false, reason: 'invalid' };
  if (await ctx.repository.findByCredentialId(info.credential.id)) return { ok: false, reason: 'duplicate' };
  const passkey = await ctx.repository.create(newPasskeyOf(user.id, name, info));
  await ctx.audit.record({
    ...input.context,
    actorType: 'user',
    actorId: user.id,
    actorName: user.username,
    action: 'passkey.register',
    outcome: 'success',
    targetType: 'user',
    targetId: user.id,
    details: { passkeyId: passkey.id, name: passkey.name, deviceType: passkey.deviceType },
  });
  return { ok: true, passkey: toSummary(passkey) };
}
