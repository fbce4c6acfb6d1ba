import type { Kysely } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { createIdentitiesRepository } from './identities.repository.ts';
import { createProvidersRepository } from './providers.repository.ts';

/** The federation module's repositories, made once by the service and shared by the admin API, the account API and the sign-in flow. */
export function createFederationRepositories(db: Kysely<OAuthSchema>, box: SecretBox) {
  return { providers: createProvidersRepository(db, box), identities: createIdentitiesRepository(db) };
}

export type FederationRepositories = ReturnType<typeof createFederationRepositories>;
