import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { generateAuthenticationOptions } from '@simplewebauthn/server';
import type { FactorLimits } from '../accounts/sign-in.ts';
import { type PasskeyAssertionDeps, verifyAssertion } from './passkey-assertion.ts';
import {
  type AuditContext,
  cleanName,
  type PasskeyUser,
  type RegistrationContext,
  type RegistrationResult,
  registrationOptions,
  toSummary,
  verifyRegistration,
} from './passkey-registration.ts';
import type { PasskeysRepository } from './passkeys.repository.ts';

// Passkeys (WebAuthn) for the account console, the admin API and the sign-in page: registration and
// authentication ceremonies with @simplewebauthn/server, their challenges kept server-side and used once.
// The relying party is PUBLIC_URL: its host name is the RP ID and its origin the only accepted origin,
// whatever Host a request carries.

export type {
  AuditContext,
  PasskeySummary,
  PasskeyUser,
  RegistrationResult,
} from './passkey-registration.ts';

/** The relying party's name authenticators show beside the passkey. */
export const RP_NAME = 'OAuth 2.1 platform';
const CHALLENGE_TTL_MS = 5 * 60_000;

export interface PasskeyServiceDeps extends Omit<PasskeyAssertionDeps, 'relyingParty'> {
  repository: PasskeysRepository;
  publicUrl: string;
  audit: RegistrationContext['audit'];
  limits: FactorLimits;
  /** Called once a passkey is registered: a second factor now exists (the MFA module clears "enrol at next sign-in"). */
  onRegistered?: (userId: string) => Promise<void>;
  now?: () => number;
}

/** RP ID and origin from PUBLIC_URL (config), never from a request. */
export function relyingPartyOf(publicUrl: string) {
  const url = new URL(publicUrl);
  return { id: url.hostname, origin: url.origin, name: RP_NAME };
}

type Person = { id: string; username: string };

/** Removes one passkey of `owner`'s, or all of them (undefined), by the owner or an administrator. */
async function removePasskeys(
  ctx: RegistrationContext,
  who: { owner: Person; actor: Person; context: AuditContext },
  passkeyId: string | undefined,
): Promise<number> {
  const { owner, actor } = who;
  const removed =
    passkeyId === undefined
      ? await ctx.repository.removeAllOf(owner.id)
      : await ctx.repository.remove(owner.id, passkeyId);
  const count = typeof removed === 'number' ? removed : removed ? 1 : 0;
  if (count === 0) return 0;
  await ctx.audit.record({
    ...who.context,
    actorType: 'user',
    actorId: actor.id,
    actorName: actor.username,
    action: passkeyId === undefined ? 'passkey.reset' : 'passkey.remove',
    outcome: 'success',
    targetType: 'user',
    targetId: owner.id,
    details:
      typeof removed === 'object' && removed
        ? { passkeyId: removed.id, name: removed.name }
        : { removed: count },
  });
  return count;
}

export function createPasskeyService(deps: PasskeyServiceDeps) {
  const { repository } = deps;
  const now = deps.now ?? Date.now;
  const relyingParty = relyingPartyOf(deps.publicUrl);
  const ctx: RegistrationContext = { repository, audit: deps.audit, relyingParty, now };
  const signInSubject = (uid: string) => `signin:${uid}`;

  /**
   * Options for signing in within interaction `uid`; the challenge lives until `expiresAt` at most. With
   * `userId` (a second factor), the options list that user's passkeys, so the browser offers only those.
   */
  async function authenticationOptions(
    uid: string,
    expiresAt = now() + CHALLENGE_TTL_MS,
    userId?: string,
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    // No allowCredentials for a first factor: the user picks any of their discoverable passkeys, which
    // names the account.
    const allowCredentials =
      userId === undefined
        ? undefined
        : (await repository.listByUser(userId)).map((passkey) => ({
            id: passkey.credentialId,
            transports: passkey.transports,
          }));
    // After a password, the passkey is the possession factor: no PIN or biometrics prompt is needed.
    const options = await generateAuthenticationOptions({
      rpID: relyingParty.id,
      userVerification: allowCredentials ? 'discouraged' : 'preferred',
      ...(allowCredentials ? { allowCredentials } : {}),
    });
    const until = Math.min(expiresAt, now() + CHALLENGE_TTL_MS);
    await repository.putChallenge(signInSubject(uid), options.challenge, until);
    return options;
  }

  return {
    relyingParty,
    registrationOptions: (user: PasskeyUser): Promise<PublicKeyCredentialCreationOptionsJSON> =>
      registrationOptions(ctx, user),
    async verifyRegistration(
      user: PasskeyUser,
      response: RegistrationResponseJSON,
      name: unknown,
      context: AuditContext = {},
    ): Promise<RegistrationResult> {
      const result = await verifyRegistration(ctx, { user, response, name, context });
      if (result.ok) await deps.onRegistered?.(user.id);
      return result;
    },
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
    /** Removes one of `owner`'s passkeys; `actor` is an administrator when not the owner. */
    remove: async (owner: Person, passkeyId: string, actor: Person = owner, context: AuditContext = {}) =>
      (await removePasskeys(ctx, { owner, actor, context }, passkeyId)) === 1,
    /** Removes all of `owner`'s passkeys (an administrator's reset of a lost factor); returns how many. */
    removeAll: (owner: Person, actor: Person, context: AuditContext = {}) =>
      removePasskeys(ctx, { owner, actor, context }, undefined),
  };
}

export type PasskeyService = ReturnType<typeof createPasskeyService>;
