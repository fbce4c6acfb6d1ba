import { createDatabase } from '@platform/db';
import { createUsersRepository } from './accounts/users.repository.ts';
import type { ClientInput } from './clients/client-rules.ts';
import { createClientsRepository } from './clients/clients.repository.ts';
import { loadOAuthServiceConfig } from './config.ts';
import { createSecretBox } from './crypto/secret-box.ts';
import type { OAuthSchema } from './db/schema.ts';
import { createMfaModule } from './mfa/wiring.ts';
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

/** A user with a password and no role. */
export interface PasswordUserInput {
  username: string;
  email: string;
  password: string;
}

/** Creates a user with a password and no role (nothing requires a second factor of them). */
export async function createUser(
  env: Record<string, string>,
  input: PasswordUserInput,
): Promise<{ userId: string }> {
  const config = loadOAuthServiceConfig(env);
  const database = createDatabase<OAuthSchema>(config.DATABASE_URL, { poolMax: 1 });
  try {
    return { userId: (await createUsersRepository(database.db).create(input)).id };
  } finally {
    await database.close();
  }
}

/**
 * Creates a user and enrols a TOTP for them in the database `env` names, as the account console does: the
 * secret is sealed, and the first code confirms it. `codeFor` is the caller's authenticator app: it gets
 * the base32 secret and answers the code that confirms the enrolment (that time step is used up).
 */
export async function createUserWithTotp(
  env: Record<string, string>,
  input: PasswordUserInput,
  codeFor: (secret: string) => string,
): Promise<{ userId: string; secret: string }> {
  const config = loadOAuthServiceConfig(env);
  const database = createDatabase<OAuthSchema>(config.DATABASE_URL, { poolMax: 1 });
  try {
    const user = await createUsersRepository(database.db).create(input);
    const { service } = createMfaModule(database.db, config, createSecretBox(config.ENCRYPTION_KEY));
    const enrolment = await service.beginTotpEnrolment(user);
    if (!enrolment) throw new Error(`${input.username} already has a TOTP`);
    const codes = await service.confirmTotpEnrolment(user.id, codeFor(enrolment.secret));
    if (!codes) throw new Error(`the code for ${input.username}'s TOTP was refused`);
    return { userId: user.id, secret: enrolment.secret };
  } finally {
    await database.close();
  }
}

// A second, independent OpenID provider for federation tests (a bare oidc-provider on a loopback port).
export {
  type Forgery,
  startTestUpstream,
  type TestUpstream,
  type UpstreamAccount,
} from './federation/test-upstream.ts';
