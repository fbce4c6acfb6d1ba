import { createDatabase } from '@platform/db';
import type { ClientInput } from './clients/client-rules.ts';
import { createClientsRepository } from './clients/clients.repository.ts';
import { loadOAuthServiceConfig } from './config.ts';
import { createSecretBox } from './crypto/secret-box.ts';
import type { OAuthSchema } from './db/schema.ts';

// What tools outside the service (ops/, e2e/) may use to prepare its database, published as
// `@platform/oauth-service/testing` so they never reach into src/ and its types stay checked.

export type { ClientInput };

/** A registered client; the secret is the plaintext, shown only here. */
export interface RegisteredClient {
  clientId: string;
  secret: string | undefined;
}

/**
 * Registers a client straight in the database that `env` (oauth-service's environment) names, as the
 * admin API would; the database must be migrated.
 */
export async function registerClient(
  env: Record<string, string>,
  input: ClientInput,
): Promise<RegisteredClient> {
  const config = loadOAuthServiceConfig(env);
  const database = createDatabase<OAuthSchema>(config.DATABASE_URL, { poolMax: 1 });
  try {
    const clients = createClientsRepository(database.db, createSecretBox(config.ENCRYPTION_KEY));
    const { client, clientSecret } = await clients.create(input);
    return { clientId: client.client_id, secret: clientSecret };
  } finally {
    await database.close();
  }
}
