import type { Kysely } from 'kysely';
import type { OAuthServiceConfig } from '../config.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { createMfaRepository } from './mfa.repository.ts';
import { createMfaService } from './mfa.service.ts';
import { createMfaPolicy } from './policy.ts';
import { createRecoveryCodeHasher } from './recovery-codes.ts';

export interface MfaModuleOptions {
  /** Further factors that can be asked second (a passkey): each answers whether the user has one. */
  otherFactors?: Array<(userId: string) => Promise<boolean>>;
}

/** The second-factor module: its repository, the factor service and the sign-in policy over them. */
export function createMfaModule(
  db: Kysely<OAuthSchema>,
  config: Pick<OAuthServiceConfig, 'ENCRYPTION_KEY' | 'PUBLIC_URL'>,
  box: SecretBox,
  options: MfaModuleOptions = {},
) {
  const repository = createMfaRepository(db);
  const service = createMfaService({
    repository,
    box,
    hashRecoveryCode: createRecoveryCodeHasher(config.ENCRYPTION_KEY),
    issuer: new URL(config.PUBLIC_URL).host,
  });
  const otherFactors = options.otherFactors ?? [];
  const policy = createMfaPolicy({
    rolesRequireMfa: (userId) => repository.rolesRequireMfa(userId),
    clientRequiresMfa: (clientId) => repository.clientRequiresMfa(clientId),
    enrolmentRequired: (userId) => repository.enrolmentRequired(userId),
    async hasSecondFactor(userId) {
      if (await service.hasConfirmedTotp(userId)) return true;
      for (const has of otherFactors) if (await has(userId)) return true;
      return false;
    },
  });
  return { repository, service, policy };
}

export type MfaModule = ReturnType<typeof createMfaModule>;
