import { createHash, randomBytes } from 'node:crypto';
import {
  type AdminHarness,
  authorizeUrl,
  completeAuthorization,
  exchangeCode,
  InjectBrowser,
  PASSWORD,
  PUBLIC_URL,
} from '../admin/test-support.ts';
import { createClientsRepository } from '../clients/clients.repository.ts';
import { createSecretBox } from '../crypto/secret-box.ts';

// Tokens the admin harness does not hand out: an opaque access token, which the provider issues for an
// authorization without a resource indicator (only usable at userinfo), and a user's JWT for test-service.

export const TEST_RESOURCE = `${PUBLIC_URL}/test`;
export const FORM = 'application/x-www-form-urlencoded';

/** A new `user`-role account and its tokens for test-service: a JWT access token and a refresh token. */
export async function userJwt(h: AdminHarness, username: string) {
  const user = await h.createUser(username, ['user']);
  const { tokens } = await h.userTokens(
    { login: username, password: PASSWORD },
    { scope: 'openid offline_access test:read', resource: TEST_RESOURCE },
  );
  return { user, tokens };
}

/** A new confidential client_credentials client allowed `test:read`, created in the database. */
export async function createMachineClient(h: AdminHarness, name: string) {
  const clients = createClientsRepository(h.db, createSecretBox(h.config.ENCRYPTION_KEY));
  const { client, clientSecret } = await clients.create({
    name,
    type: 'confidential',
    grantTypes: ['client_credentials'],
    scope: ['test:read'],
  });
  return { clientId: client.client_id, secret: clientSecret! };
}

/** The portal's code flow for `scope` without `resource`: the token response, its access token opaque. */
export async function opaqueUserTokens(
  h: AdminHarness,
  credentials: { login: string; password: string },
  scope = 'openid',
): Promise<{ access_token: string; refresh_token?: string }> {
  const browser = new InjectBrowser(h.app);
  const verifier = randomBytes(32).toString('base64url');
  const authorize = authorizeUrl({
    scope,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
  });
  const code = await completeAuthorization(browser, credentials, await browser.follow('GET', authorize));
  const response = await exchangeCode(h.app, code, verifier);
  if (response.statusCode !== 200) throw new Error(`code exchange failed: ${response.payload}`);
  return response.json();
}
