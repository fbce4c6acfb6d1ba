import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { FactorLimits } from '../accounts/sign-in.ts';
import type { AuditEventInput } from '../audit/audit-log.ts';
import { type PasskeyAssertionDeps, verifyAssertion } from './passkey-assertion.ts';
import type { NewPasskey, PasskeysRepository, StoredPasskey } from './passkeys.repository.ts';

// Passkeys (WebAuthn) for the account console and the sign-in page: registration and authentication
// ceremonies with @simplewebauthn/server, their challenges kept server-side and used once. The relying party
// is PUBLIC_URL: its host name is the RP ID and its origin the only accepted origin, whatever Host says.

/** The relying party's name authenticators show beside the passkey. */
export const RP_NAME = 'OAuth 2.1 platform';
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

export interface PasskeyServiceDeps extends Omit<PasskeyAssertionDeps, 'relyingParty'> {
  repository: PasskeysRepository;
  publicUrl: string;
  audit: { record(event: AuditEventInput): Promise<void> | void };
  limits: FactorLimits;
  now?: () => number;
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

/** RP ID and origin from PUBLIC_URL (config), never from a request. */
export function relyingPartyOf(publicUrl: string) {
  const url = new URL(publicUrl);
  return { id: url.hostname, origin: url.origin, name: RP_NAME };
}

const cleanName = (name: unknown): string | undefined => {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  return trimmed !== '' && trimmed.length <= MAX_NAME_LENGTH && !/\p{Cc}/u.test(trimmed)
    ? trimmed
    : undefined;
};

/** The new credential of a verified registration, as stored. */
function newPasskeyOf(
  userId: string,
  name: string,
  info: Extract<
    Awaited<ReturnType<typeof verifyRegistrationResponse>>,
    { verified: true }
  >['registrationInfo'],
): NewPasskey {
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

export function createPasskeyService(deps: PasskeyServiceDeps) {
  const { repository, audit } = deps;
  const now = deps.now ?? Date.now;
  const relyingParty = relyingPartyOf(deps.publicUrl);
  const registerSubject = (userId: string) => `register:${userId}`;
  const signInSubject = (uid: string) => `signin:${uid}`;

  /** Options for registering a new passkey; its challenge replaces any earlier one of the user's. */
  async function registrationOptions(user: PasskeyUser): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await repository.listByUser(user.id);
    const options = await generateRegistrationOptions({
      rpName: relyingParty.name,
      rpID: relyingParty.id,
      userName: user.username,
      userDisplayName: user.displayName,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      // Discoverable (resident) credentials: the passkey alone names the account at sign-in.
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports as never })),
    });
    await repository.putChallenge(registerSubject(user.id), options.challenge, now() + CHALLENGE_TTL_MS);
    return options;
  }

  /** Verifies the authenticator's answer to registrationOptions and stores the passkey under `name`. */
  async function verifyRegistration(
    user: PasskeyUser,
    response: RegistrationResponseJSON,
    name: unknown,
    context: AuditContext = {},
  ): Promise<RegistrationResult> {
    const passkeyName = cleanName(name);
    if (!passkeyName) return { ok: false, reason: 'invalid_name' };
    const challenge = await repository.takeChallenge(registerSubject(user.id));
    if (!challenge) return { ok: false, reason: 'expired' };
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: relyingParty.origin,
        expectedRPID: relyingParty.id,
        requireUserVerification: false,
      });
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (!verified.verified) return { ok: false, reason: 'invalid' };
    const info = verified.registrationInfo;
    if (await repository.findByCredentialId(info.credential.id)) return { ok: false, reason: 'duplicate' };
    const passkey = await repository.create(newPasskeyOf(user.id, passkeyName, info));
    await audit.record({
      ...context,
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

  /** Options for signing in within interaction `uid`; the challenge lives until `expiresAt` at most. */
  async function authenticationOptions(
    uid: string,
    expiresAt = now() + CHALLENGE_TTL_MS,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    // No allowCredentials: the user picks any of their discoverable passkeys, which names the account.
    const options = await generateAuthenticationOptions({
      rpID: relyingParty.id,
      userVerification: 'preferred',
    });
    const until = Math.min(expiresAt, now() + CHALLENGE_TTL_MS);
    await repository.putChallenge(signInSubject(uid), options.challenge, until);
    return options;
  }

  /** Removes one of the user's passkeys (by its owner, or an administrator: `actor`). */
  async function remove(
    owner: { id: string; username: string },
    passkeyId: string,
    actor: { id: string; username: string } = owner,
    context: AuditContext = {},
  ): Promise<boolean> {
    const removed = await repository.remove(owner.id, passkeyId);
    if (!removed) return false;
    await audit.record({
      ...context,
      actorType: 'user',
      actorId: actor.id,
      actorName: actor.username,
      action: 'passkey.remove',
      outcome: 'success',
      targetType: 'user',
      targetId: owner.id,
      details: { passkeyId: removed.id, name: removed.name },
    });
    return true;
  }

  return {
    relyingParty,
    registrationOptions,
    verifyRegistration,
    authenticationOptions,
    /** Verifies a sign-in assertion for interaction `uid` (see passkey-assertion.ts). */
    verifyAuthentication: (
      uid: string,
      response: AuthenticationResponseJSON,
      options: { ip: string; requireUserVerification?: boolean; expectedUserId?: string },
    ) =>
      verifyAssertion(
        { ...deps, relyingParty },
        { challenge: () => repository.takeChallenge(signInSubject(uid)), response, ...options },
      ),
    list: async (userId: string) => (await repository.listByUser(userId)).map(toSummary),
    rename: async (userId: string, passkeyId: string, name: unknown) => {
      const clean = cleanName(name);
      return clean !== undefined && (await repository.rename(userId, passkeyId, clean));
    },
    remove,
  };
}

export type PasskeyService = ReturnType<typeof createPasskeyService>;
