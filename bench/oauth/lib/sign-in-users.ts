// The users the sign-in benchmark signs in besides the password-only BENCH_USER, prepared straight in the
// service's database before their runs: users with a confirmed TOTP (codes from @platform/testing's own
// RFC 6238 implementation, as an authenticator app computes them) and users with a passkey held by the tests'
// software authenticator (real P-256 keys and ECDSA assertions, checked by @simplewebauthn/server).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { currentStep, totpAtStep } from '@platform/testing';
import { SoftwareAuthenticator } from '../../../apps/oauth-service/src/passkeys/test-support.ts';
import { createUserWithPasskey, createUserWithTotp } from '../../../apps/oauth-service/src/testing.ts';
import type { SignInAs } from './flows.ts';
import { type Account, BENCH_USER, type OurServer } from './servers.ts';

interface TotpUser {
  account: Account;
  secret: string;
}

/** `count` users with a confirmed TOTP (the enrolment used the previous step's code). */
export async function createTotpUsers(server: OurServer, count: number): Promise<TotpUser[]> {
  const users: TotpUser[] = [];
  for (let i = 0; i < count; i += 1) {
    const login = `bench-totp-${i}`;
    const { secret } = await createUserWithTotp(
      server.env,
      { username: login, email: `${login}@example.test`, password: BENCH_USER.password },
      (base32) => totpAtStep(base32, currentStep() - 1),
    );
    users.push({ account: { login, password: BENCH_USER.password }, secret });
  }
  return users;
}

/**
 * Who worker `worker` signs in as next: each worker has its own TOTP users, each signing in twice, with the
 * code of the current step and then of the step after. The service takes each step once per user and only
 * after the last one used (a code is never reused), within ±1 step, so a user's sign-ins run one after the
 * other and about 2 users are needed per flow/s and 30 s.
 */
export function totpSignIns(users: TotpUser[], workers: number) {
  const uses = new Array<number>(workers).fill(0);
  return (worker: number): SignInAs => {
    const use = uses[worker]!;
    uses[worker] = use + 1;
    const user = users[worker + workers * Math.floor(use / 2)];
    if (!user) throw new Error('the TOTP users ran out');
    return { account: user.account, totpCode: () => totpAtStep(user.secret, currentStep() + (use % 2)) };
  };
}

/**
 * One passkey user per worker, each with its own authenticator: a worker's assertions reach the service in
 * counter order (concurrent assertions of one passkey could arrive out of order and look like a clone).
 */
export async function createPasskeySignIns(server: OurServer, workers: number): Promise<SignInAs[]> {
  const issuer = new URL(server.issuer);
  const authenticator = new SoftwareAuthenticator({ id: issuer.hostname, origin: issuer.origin });
  const signIns: SignInAs[] = [];
  for (let i = 0; i < workers; i += 1) {
    const login = `bench-passkey-${i}`;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(32);
    const { userId } = await createUserWithPasskey(server.env, {
      username: login,
      email: `${login}@example.test`,
      password: BENCH_USER.password,
      passkey: {
        credentialId: id.toString('base64url'),
        publicKey: publicKey.export({ format: 'jwk' }),
        name: 'Bench key',
      },
    });
    const credential = { id, privateKey, userHandle: Buffer.from(userId).toString('base64url'), counter: 0 };
    signIns.push({ passkey: (options) => authenticator.authenticate(options, {}, credential) });
  }
  return signIns;
}
