import { createDatabase } from '@platform/db';
import { createUsersRepository } from './accounts/users.repository.ts';
import type { ClientInput } from './clients/client-rules.ts';
import { createClientsRepository } from './clients/clients.repository.ts';
import { loadOAuthServiceConfig } from './config.ts';
import { createSecretBox } from './crypto/secret-box.ts';
import type { OAuthSchema } from './db/schema.ts';
import { coseP256PublicKey } from './passkeys/cose.ts';
import { createPasskeysRepository } from './passkeys/passkeys.repository.ts';

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

/** A user with one passkey, whose private key the caller holds (a browser's virtual authenticator). */
export interface PasskeyUserInput {
  username: string;
  email: string;
  password: string;
  passkey: {
    /** Credential id, base64url. */
    credentialId: string;
    /** The P-256 public key as a JWK (`x`, `y`). */
    publicKey: { x?: string | undefined; y?: string | undefined };
    name: string;
    /** A synced passkey (backup eligible); device-bound otherwise. */
    synced?: boolean;
  };
}

/**
 * Creates a user and stores a passkey for them straight in the database `env` names, as the passkey service
 * stores a verified registration; returns the user's id (the credential's user handle).
 */
export async function createUserWithPasskey(
  env: Record<string, string>,
  input: PasskeyUserInput,
): Promise<{ userId: string }> {
  const config = loadOAuthServiceConfig(env);
  const database = createDatabase<OAuthSchema>(config.DATABASE_URL, { poolMax: 1 });
  try {
    const { passkey, ...account } = input;
    const user = await createUsersRepository(database.db).create(account);
    await createPasskeysRepository(database.db).create({
      userId: user.id,
      credentialId: passkey.credentialId,
      publicKey: Buffer.from(coseP256PublicKey(passkey.publicKey)).toString('base64url'),
      signCount: 0,
      transports: ['internal'],
      backupEligible: passkey.synced === true,
      backupState: passkey.synced === true,
      deviceType: passkey.synced ? 'multiDevice' : 'singleDevice',
      aaguid: '00000000-0000-0000-0000-000000000000',
      name: passkey.name,
    });
    return { userId: user.id };
  } finally {
    await database.close();
  }
}
