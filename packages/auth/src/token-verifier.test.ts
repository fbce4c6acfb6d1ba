import { randomUUID } from 'node:crypto';
import { createTestIssuer, type MintOptions, type TestIssuer } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenError, type TokenErrorReason } from './token-error.ts';
import { createTokenVerifier, MAX_TOKEN_LENGTH, type TokenVerifier } from './token-verifier.ts';
import type { TokenVerifierOptions } from './verifier-options.ts';

const AUDIENCE = 'https://api.example.test/notes';
const nowSec = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectRefusal(verification: Promise<unknown>, reason: TokenErrorReason): Promise<void> {
  const error = await verification.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error, `expected a TokenError "${reason}"`).toBeInstanceOf(TokenError);
  expect((error as TokenError).reason).toBe(reason);
}

/** Each test gets its own issuer, so JWKS request counts are its own. */
async function setup(overrides: Partial<TokenVerifierOptions> = {}, alg?: 'ES256' | 'EdDSA') {
  const issuer = await createTestIssuer(alg ? { alg } : {});
  issuers.push(issuer);
  const verifier = createTokenVerifier({
    issuer: issuer.issuer,
    jwksUri: issuer.jwksUri,
    audience: AUDIENCE,
    ...overrides,
  });
  const mint = (options: Partial<MintOptions> = {}) =>
    issuer.mint({ client_id: 'app-1', aud: AUDIENCE, ...options });
  return { issuer, verifier, mint };
}

const issuers: TestIssuer[] = [];
afterAll(async () => {
  await Promise.all(issuers.map((issuer) => issuer.close()));
});

describe('createTokenVerifier: valid tokens', () => {
  it('returns the identity of a valid access token', async () => {
    const { verifier, mint, issuer } = await setup();
    const token = await mint({
      sub: 'alice',
      scope: 'notes:read notes:write',
      jti: 'jti-1',
      claims: { tenant: 't1' },
    });

    const verified = await verifier.verify(token);
    expect(verified.sub).toBe('alice');
    expect(verified.clientId).toBe('app-1');
    expect([...verified.scopes]).toEqual(['notes:read', 'notes:write']);
    expect(verified.jti).toBe('jti-1');
    expect(verified.exp - verified.iat).toBe(300);
    expect(verified.claims).toMatchObject({ iss: issuer.issuer, aud: AUDIENCE, tenant: 't1' });
    expect(issuer.jwksRequests()).toBe(1);
  });

  it('accepts EdDSA tokens, an audience list, a token without scope and the long typ form', async () => {
    const { verifier, mint } = await setup({}, 'EdDSA');
    const verified = await verifier.verify(
      await mint({ aud: ['https://other.test', AUDIENCE], typ: 'application/AT+JWT' }),
    );
    expect(verified.scopes.size).toBe(0);
  });

  it('allows clockToleranceSec of leeway on exp and nbf', async () => {
    const { verifier, mint } = await setup({ clockToleranceSec: 10 });
    await expect(verifier.verify(await mint({ expiresIn: -5 }))).resolves.toBeDefined();
    await expect(verifier.verify(await mint({ notBefore: nowSec() + 5 }))).resolves.toBeDefined();
  });

  it('hands out read-only results, since cached ones are shared between requests', async () => {
    const { verifier, mint } = await setup();
    const verified = await verifier.verify(await mint({ scope: 'notes:read' }));
    const scopes = verified.scopes as Set<string>;
    expect(() => scopes.add('admin')).toThrow(TypeError);
    expect(() => scopes.delete('notes:read')).toThrow(TypeError);
    expect(() => scopes.clear()).toThrow(TypeError);
    expect(Object.isFrozen(verified)).toBe(true);
    expect(Object.isFrozen(verified.claims)).toBe(true);
    expect(verified.scopes.has('admin')).toBe(false);
  });
});

describe('createTokenVerifier: refused tokens', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    ctx = await setup({ clockToleranceSec: 5 });
  });

  it.each<[string, Partial<MintOptions>, TokenErrorReason]>([
    ['expired', { expiresIn: -60 }, 'expired'],
    ['expired just beyond the tolerance', { expiresIn: -6 }, 'expired'],
    ['not yet valid', { notBefore: nowSec() + 60 }, 'not_yet_valid'],
    ['issued by someone else', { claims: { iss: 'https://evil.example.test' } }, 'invalid_issuer'],
    ['for another audience', { aud: 'https://other.example.test' }, 'invalid_audience'],
    ['typed JWT', { typ: 'JWT' }, 'invalid_type'],
    ['without typ', { typ: null }, 'invalid_type'],
    ['unsecured (alg none)', { alg: 'none' }, 'unsupported_algorithm'],
    ['HMAC-signed (HS256)', { alg: 'HS256' }, 'unsupported_algorithm'],
    ['signed with an algorithm outside the allow-list', { alg: 'ES384' }, 'unsupported_algorithm'],
    ['signed by a foreign key under a known kid', { foreignKey: true }, 'invalid_signature'],
    ['without client_id', { claims: { client_id: undefined } }, 'missing_claim'],
    ['without sub', { claims: { sub: undefined } }, 'missing_claim'],
    ['without jti', { claims: { jti: undefined } }, 'missing_claim'],
    ['without iat', { claims: { iat: undefined } }, 'missing_claim'],
    ['without exp', { claims: { exp: undefined } }, 'missing_claim'],
    ['with a numeric client_id', { claims: { client_id: 42 } }, 'invalid_claim'],
    ['with an empty sub', { sub: '' }, 'invalid_claim'],
    ['with scope as an array', { claims: { scope: ['a', 'b'] } }, 'invalid_claim'],
    ['with a string exp', { claims: { exp: 'tomorrow' } }, 'invalid_claim'],
  ])('refuses a token %s', async (_name, options, reason) => {
    await expectRefusal(ctx.verifier.verify(await ctx.mint(options)), reason);
  });

  it.each([
    ['an empty string', ''],
    ['a non-JWT', 'not-a-token'],
    ['garbage segments', 'a.b.c'],
    ['an oversized token', 'a'.repeat(MAX_TOKEN_LENGTH + 1)],
  ])('refuses %s as malformed', async (_name, token) => {
    await expectRefusal(ctx.verifier.verify(token), 'malformed');
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [header, , signature] = (await ctx.mint({ scope: 'notes:read' })).split('.');
    const forged = Buffer.from(
      JSON.stringify({ iss: ctx.issuer.issuer, aud: AUDIENCE, sub: 'x', client_id: 'c', scope: 'admin' }),
    ).toString('base64url');
    await expectRefusal(ctx.verifier.verify(`${header}.${forged}.${signature}`), 'invalid_signature');
  });

  it('rejects the algorithm and type before any key lookup, so those tokens cause no JWKS request', async () => {
    const { issuer, verifier, mint } = await setup({ jwksCooldownMs: 0 });
    await expectRefusal(verifier.verify(await mint({ alg: 'none', kid: 'k-none' })), 'unsupported_algorithm');
    await expectRefusal(verifier.verify(await mint({ alg: 'HS256', kid: 'k-hs' })), 'unsupported_algorithm');
    await expectRefusal(verifier.verify(await mint({ typ: 'JWT', kid: 'k-jwt' })), 'invalid_type');
    expect(issuer.jwksRequests()).toBe(0);
  });
});

describe('createTokenVerifier: JWKS refetching', () => {
  it('refetches the JWKS exactly once for a new kid after rotation, then verifies', async () => {
    const { issuer, verifier, mint } = await setup({ jwksCooldownMs: 100 });
    await verifier.verify(await mint());
    expect(issuer.jwksRequests()).toBe(1);

    await issuer.rotateKey();
    await sleep(150); // past the cooldown that follows the first fetch
    const verified = await verifier.verify(await mint({ sub: 'after-rotation' }));
    expect(verified.sub).toBe('after-rotation');
    expect(issuer.jwksRequests()).toBe(2);

    // The new key is now known: more tokens under it need no request, and the old key still works.
    await verifier.verify(await mint());
    await verifier.verify(await mint());
    expect(issuer.jwksRequests()).toBe(2);
  });

  it('does not refetch within the cooldown: a new kid right after a fetch is refused', async () => {
    const { issuer, verifier, mint } = await setup(); // default cooldown, 30 s
    await verifier.verify(await mint());
    await issuer.rotateKey();
    await expectRefusal(verifier.verify(await mint()), 'unknown_key');
    expect(issuer.jwksRequests()).toBe(1);
  });

  it('a burst of tokens with random unknown kids causes at most one refetch per cooldown', async () => {
    const { issuer, verifier, mint } = await setup({ jwksCooldownMs: 300 });
    await verifier.verify(await mint());
    await sleep(350); // the cooldown has passed: the first forged kid may trigger one refetch

    const forged = await Promise.all(Array.from({ length: 50 }, () => mint({ kid: randomUUID() })));
    const results = await Promise.allSettled(forged.map((token) => verifier.verify(token)));
    for (const token of forged.slice(0, 20)) await expectRefusal(verifier.verify(token), 'unknown_key');

    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(issuer.jwksRequests()).toBe(2);
  });

  it('reports an unreachable JWKS as jwks_unavailable and spaces failed attempts, then recovers', async () => {
    const { issuer, verifier, mint } = await setup({ jwksCooldownMs: 200 });
    issuer.setJwksAvailable(false);
    const token = await mint();

    await expectRefusal(verifier.verify(token), 'jwks_unavailable');
    await Promise.allSettled(Array.from({ length: 20 }, () => verifier.verify(token)));
    await expectRefusal(verifier.verify(token), 'jwks_unavailable');
    expect(issuer.jwksRequests()).toBe(1);

    issuer.setJwksAvailable(true);
    await sleep(250);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(issuer.jwksRequests()).toBe(2);
  });

  it('reports a JWKS server that is gone as jwks_unavailable', async () => {
    const { issuer, verifier, mint } = await setup();
    const token = await mint();
    await issuer.close();
    await expectRefusal(verifier.verify(token), 'jwks_unavailable');
  });
});

describe('createTokenVerifier: cache', () => {
  it('answers a repeated token from the cache, yet refuses it once expired', async () => {
    let clock = Date.now();
    const { verifier, mint } = await setup({ now: () => clock, clockToleranceSec: 5 });
    const token = await mint({ expiresIn: 60 });

    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    expect(second).toBe(first);
    expect(verifier.cacheStats()).toMatchObject({ hits: 1, misses: 1, size: 1 });

    clock = (first.exp + 4) * 1000; // inside the tolerance: still served from the cache
    await expect(verifier.verify(token)).resolves.toBe(first);
    clock = (first.exp + 5) * 1000;
    await expectRefusal(verifier.verify(token), 'expired');
    expect(verifier.cacheStats()).toMatchObject({ hits: 2, misses: 1, size: 0 });
  });

  it('verifies concurrent first uses of one token only once', async () => {
    const { verifier, mint } = await setup();
    const token = await mint();
    const results = await Promise.all(Array.from({ length: 10 }, () => verifier.verify(token)));
    expect(new Set(results).size).toBe(1);
    expect(verifier.cacheStats()).toMatchObject({ misses: 1, size: 1 });
  });

  it('re-verifies a long-lived token after ten minutes, so withdrawn keys stop being honoured', async () => {
    let clock = Date.now();
    const { verifier, mint } = await setup({ now: () => clock });
    const token = await mint({ expiresIn: 3600 });
    await verifier.verify(token);
    clock += 9 * 60_000;
    await verifier.verify(token);
    expect(verifier.cacheStats()).toMatchObject({ hits: 1, misses: 1 });
    clock += 2 * 60_000;
    await verifier.verify(token);
    expect(verifier.cacheStats()).toMatchObject({ hits: 1, misses: 2 });
  });

  it('is bounded by cacheMaxEntries, evicting the least recently used token', async () => {
    const { verifier, mint } = await setup({ cacheMaxEntries: 2 });
    const [a, b, c] = await Promise.all([mint(), mint(), mint()]);
    await verifier.verify(a!);
    await verifier.verify(b!);
    await verifier.verify(c!); // evicts a
    expect(verifier.cacheStats().size).toBe(2);
    await verifier.verify(c!);
    await verifier.verify(a!);
    expect(verifier.cacheStats()).toMatchObject({ hits: 1, misses: 4, size: 2 });
  });

  it('does not cache refusals (the outage test shows a refused token passing once the JWKS is back)', async () => {
    const { verifier, mint } = await setup();
    const token = await mint({ foreignKey: true });
    await expectRefusal(verifier.verify(token), 'invalid_signature');
    await expectRefusal(verifier.verify(token), 'invalid_signature');
    expect(verifier.cacheStats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
  });

  it('can be disabled', async () => {
    const { verifier, mint } = await setup({ cacheMaxEntries: 0 });
    const token = await mint();
    await verifier.verify(token);
    await verifier.verify(token);
    expect(verifier.cacheStats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
  });
});

describe('createTokenVerifier: in-process keys (keys option)', () => {
  /** A verifier fed the test issuer's key set by a loader, without any JWKS request. */
  async function setupLocal(overrides: Partial<TokenVerifierOptions> = {}) {
    const issuer = await createTestIssuer();
    issuers.push(issuer);
    let loads = 0;
    let answer: () => unknown = () => issuer.jwks();
    const verifier = createTokenVerifier({
      issuer: issuer.issuer,
      audience: AUDIENCE,
      keys: async () => {
        loads += 1;
        return answer() as ReturnType<TestIssuer['jwks']>;
      },
      ...overrides,
    });
    const mint = (options: Partial<MintOptions> = {}) =>
      issuer.mint({ client_id: 'app-1', aud: AUDIENCE, ...options });
    return {
      issuer,
      verifier,
      mint,
      loads: () => loads,
      answerWith: (next: () => unknown) => {
        answer = next;
      },
    };
  }

  it('verifies against the loaded key set, loading it once and never fetching the JWKS', async () => {
    const { issuer, verifier, mint, loads } = await setupLocal();
    const verified = await verifier.verify(await mint({ sub: 'alice', scope: 'notes:read' }));
    expect(verified.sub).toBe('alice');
    await verifier.verify(await mint());
    await verifier.verify(await mint());
    expect(loads()).toBe(1);
    expect(issuer.jwksRequests()).toBe(0);
  });

  it('accepts a loader that returns the key set synchronously', async () => {
    const issuer = await createTestIssuer();
    issuers.push(issuer);
    const verifier = createTokenVerifier({
      issuer: issuer.issuer,
      audience: AUDIENCE,
      keys: () => issuer.jwks(),
    });
    const token = await issuer.mint({ client_id: 'app-1', aud: AUDIENCE });
    await expect(verifier.verify(token)).resolves.toMatchObject({ clientId: 'app-1' });
  });

  it('reloads at once for a kid published after the last load when the cooldown is 0', async () => {
    const { issuer, verifier, mint, loads } = await setupLocal({ jwksCooldownMs: 0 });
    await verifier.verify(await mint());
    await issuer.rotateKey();
    await expect(verifier.verify(await mint({ sub: 'after-rotation' }))).resolves.toMatchObject({
      sub: 'after-rotation',
    });
    expect(loads()).toBe(2);
    await verifier.verify(await mint());
    expect(loads()).toBe(2);
  });

  it('reloads for an unknown kid at most once per cooldown', async () => {
    let clock = Date.now();
    const { issuer, verifier, mint, loads } = await setupLocal({ jwksCooldownMs: 1_000, now: () => clock });
    await verifier.verify(await mint());
    await issuer.rotateKey();
    await expectRefusal(verifier.verify(await mint()), 'unknown_key');
    expect(loads()).toBe(1);
    clock += 1_000;
    const forged = await Promise.all(Array.from({ length: 10 }, () => mint({ kid: randomUUID() })));
    await Promise.allSettled(forged.map((token) => verifier.verify(token)));
    expect(loads()).toBe(2);
    await expect(verifier.verify(await mint())).resolves.toBeDefined();
  });

  it.each<[string, () => unknown]>([
    [
      'a loader that fails',
      () => {
        throw new Error('database down');
      },
    ],
    ['a loader that returns something other than a key set', () => ({ keys: 'nope' })],
    ['a loader that returns nothing', () => undefined],
  ])('refuses as jwks_unavailable with %s, and recovers once it answers', async (_name, broken) => {
    const { verifier, mint, answerWith, issuer } = await setupLocal();
    answerWith(broken);
    const token = await mint();
    await expectRefusal(verifier.verify(token), 'jwks_unavailable');
    answerWith(() => issuer.jwks());
    await expect(verifier.verify(token)).resolves.toBeDefined();
  });

  it('still refuses tokens of a foreign key, another audience or an expired one', async () => {
    const { verifier, mint } = await setupLocal();
    await expectRefusal(verifier.verify(await mint({ foreignKey: true })), 'invalid_signature');
    await expectRefusal(verifier.verify(await mint({ aud: 'https://other.test' })), 'invalid_audience');
    await expectRefusal(verifier.verify(await mint({ expiresIn: -60 })), 'expired');
  });
});

describe('createTokenVerifier: options', () => {
  it('checks its options when built (see verifier-options.test.ts)', () => {
    expect(() =>
      createTokenVerifier({
        issuer: 'https://issuer.test',
        jwksUri: 'https://issuer.test/jwks',
        audience: AUDIENCE,
        algorithms: ['HS256'],
      }),
    ).toThrow(/createTokenVerifier: algorithm "HS256" is not allowed/);
  });

  it('builds with the defaults without contacting the token issuer', () => {
    const verifier: TokenVerifier = createTokenVerifier({
      issuer: 'https://issuer.test',
      jwksUri: 'https://issuer.test/jwks',
      audience: AUDIENCE,
    });
    expect(verifier.cacheStats()).toEqual({ hits: 0, misses: 0, size: 0, maxEntries: 10_000 });
  });
});
