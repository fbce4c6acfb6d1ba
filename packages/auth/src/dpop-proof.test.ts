import { hash, randomBytes, randomUUID } from 'node:crypto';
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDpopVerifier, DpopProofError, type ProofRequest } from './dpop-proof.ts';

const PUBLIC_URL = 'https://platform.test';
const TARGET = '/notes/api/v1/items?cursor=abc';
const HTU = `${PUBLIC_URL}/notes/api/v1/items`;
const ACCESS_TOKEN = 'header.payload.signature';
const NOW_MS = 1_800_000_000_000;
const NOW = NOW_MS / 1000;

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let keys: KeyPair;
let publicJwk: JWK;
let jkt: string;
let otherKeys: KeyPair;

beforeAll(async () => {
  keys = await generateKeyPair('ES256', { extractable: true });
  otherKeys = await generateKeyPair('ES256', { extractable: true });
  publicJwk = await exportJWK(keys.publicKey);
  jkt = await calculateJwkThumbprint(publicJwk);
});

interface ProofOptions {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  signWith?: KeyPair;
}

/** A proof for GET HTU with ACCESS_TOKEN at NOW; options override any part. */
async function proof(options: ProofOptions = {}): Promise<string> {
  const payload = {
    htm: 'GET',
    htu: HTU,
    iat: NOW,
    jti: randomUUID(),
    ath: hash('sha256', ACCESS_TOKEN, 'base64url'),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined) delete payload[name as keyof typeof payload];
  }
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk, ...options.header };
  return new SignJWT(payload)
    .setProtectedHeader(header as { alg: string })
    .sign((options.signWith ?? keys).privateKey);
}

function newVerifier(nowMs = NOW_MS) {
  return createDpopVerifier({ publicUrl: `${PUBLIC_URL}/notes`, now: () => nowMs });
}

const request = (value: string, overrides: Partial<ProofRequest> = {}): ProofRequest => ({
  proof: value,
  method: 'GET',
  target: TARGET,
  accessToken: ACCESS_TOKEN,
  boundJkt: jkt,
  ...overrides,
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DpopProofError);
  return (error as Error).message;
}

describe('createDpopVerifier: acceptance', () => {
  it("accepts a proof for this request and token, signed by the token's key, and returns its thumbprint", async () => {
    expect(await newVerifier().verify(request(await proof()))).toBe(jkt);
  });

  it('accepts a proof for a token bound to no key', async () => {
    expect(await newVerifier().verify(request(await proof(), { boundJkt: null }))).toBe(jkt);
  });

  it('ignores the query in htu and normalises case and the default port', async () => {
    const htu = 'HTTPS://Platform.TEST:443/notes/api/v1/items?other=1#frag';
    expect(await newVerifier().verify(request(await proof({ claims: { htu } })))).toBe(jkt);
  });

  it('accepts an iat within the window and skew', async () => {
    const verifier = newVerifier();
    await verifier.verify(request(await proof({ claims: { iat: NOW - 60 } })));
    await verifier.verify(request(await proof({ claims: { iat: NOW + 4 } })));
  });

  it('accepts an EdDSA proof', async () => {
    const ed = await generateKeyPair('EdDSA', { extractable: true });
    const jwk = await exportJWK(ed.publicKey);
    const value = await proof({ header: { alg: 'EdDSA', jwk }, signWith: ed });
    expect(await newVerifier().verify(request(value, { boundJkt: null }))).toBe(
      await calculateJwkThumbprint(jwk),
    );
  });
});

describe('createDpopVerifier: refusals', () => {
  it('refuses another method (htm)', async () => {
    expect(await refusal(newVerifier().verify(request(await proof(), { method: 'POST' })))).toMatch(/"htm"/);
  });

  it.each([
    ['another path', `${PUBLIC_URL}/notes/api/v1/other`],
    ['another host', 'https://evil.test/notes/api/v1/items'],
    ['another scheme', 'http://platform.test/notes/api/v1/items'],
    ['a relative URL', '/notes/api/v1/items'],
  ])('refuses htu on %s', async (_case, htu) => {
    expect(await refusal(newVerifier().verify(request(await proof({ claims: { htu } }))))).toMatch(/"htu"/);
  });

  it('compares htu with the configured URL, whatever path trick the target holds', async () => {
    const htu = 'https://evil.test/notes/api/v1/items';
    const target = '//evil.test/notes/api/v1/items';
    expect(
      await refusal(newVerifier().verify(request(await proof({ claims: { htu } }), { target }))),
    ).toMatch(/"htu"/);
  });

  it('refuses a proof older than the window', async () => {
    const stale = await proof({ claims: { iat: NOW - 66 } });
    expect(await refusal(newVerifier().verify(request(stale)))).toMatch(/too old/);
  });

  it('refuses a proof from the future beyond the skew', async () => {
    const early = await proof({ claims: { iat: NOW + 30 } });
    expect(await refusal(newVerifier().verify(request(early)))).toMatch(/future/);
  });

  it('forgets a jti once a proof carrying it would be refused as too old anyway', async () => {
    let nowMs = NOW_MS;
    const verifier = createDpopVerifier({ publicUrl: PUBLIC_URL, now: () => nowMs });
    const jti = randomUUID();
    await verifier.verify(request(await proof({ claims: { jti } })));
    nowMs += 66_000;
    const later = await proof({ claims: { jti, iat: nowMs / 1000 } });
    expect(await verifier.verify(request(later))).toBe(jkt);
  });

  it('refuses a jti seen before from the same key', async () => {
    const value = await proof();
    const verifier = newVerifier();
    await verifier.verify(request(value));
    expect(await refusal(verifier.verify(request(value)))).toMatch(/used before/);
    const jti = randomUUID();
    await verifier.verify(request(await proof({ claims: { jti } })));
    expect(await refusal(verifier.verify(request(await proof({ claims: { jti } }))))).toMatch(/used before/);
  });

  it('does not let one proof through twice when both arrive at once', async () => {
    const value = await proof();
    const verifier = newVerifier();
    const results = await Promise.allSettled([
      verifier.verify(request(value)),
      verifier.verify(request(value)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('does not spend a jti on a proof refused for another reason', async () => {
    const jti = randomUUID();
    const verifier = newVerifier();
    await refusal(verifier.verify(request(await proof({ claims: { jti } }), { method: 'POST' })));
    expect(await verifier.verify(request(await proof({ claims: { jti } })))).toBe(jkt);
  });

  it('refuses a proof for another access token (ath), or without ath', async () => {
    expect(
      await refusal(newVerifier().verify(request(await proof(), { accessToken: 'other.token.x' }))),
    ).toMatch(/"ath"/);
    const noAth = await proof({ claims: { ath: undefined } });
    expect(await refusal(newVerifier().verify(request(noAth)))).toMatch(/"ath"/);
  });

  it("refuses a valid proof from a key other than the token's", async () => {
    const jwk = await exportJWK(otherKeys.publicKey);
    const value = await proof({ header: { jwk }, signWith: otherKeys });
    expect(await refusal(newVerifier().verify(request(value)))).toMatch(/not signed by the key/);
  });

  it('refuses a proof whose signature is not by its embedded key', async () => {
    expect(await refusal(newVerifier().verify(request(await proof({ signWith: otherKeys }))))).toMatch(
      /signature/,
    );
  });

  it.each([
    ['JWT', /"typ"/],
    ['at+jwt', /"typ"/],
    [undefined, /"typ"/],
  ])('refuses typ %j', async (typ, message) => {
    expect(await refusal(newVerifier().verify(request(await proof({ header: { typ } }))))).toMatch(message);
  });

  it('refuses alg none', async () => {
    const header = base64url.encode(JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: publicJwk }));
    const body = base64url.encode(
      JSON.stringify({
        htm: 'GET',
        htu: HTU,
        iat: NOW,
        jti: randomUUID(),
        ath: hash('sha256', ACCESS_TOKEN, 'base64url'),
      }),
    );
    expect(await refusal(newVerifier().verify(request(`${header}.${body}.`)))).toMatch(
      /algorithm|not a valid/,
    );
  });

  it('refuses a symmetric alg (HS256) even with a key that would verify it', async () => {
    const secret = randomBytes(32);
    const jwk = { kty: 'oct', k: base64url.encode(secret) };
    const value = await new SignJWT({ htm: 'GET', htu: HTU, iat: NOW, jti: randomUUID() })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk } as { alg: string })
      .sign(secret);
    expect(await refusal(newVerifier().verify(request(value)))).toMatch(/algorithm/);
  });

  it('refuses a jwk header holding the private key', async () => {
    const privateJwk = await exportJWK(keys.privateKey);
    expect(
      await refusal(newVerifier().verify(request(await proof({ header: { jwk: privateJwk } })))),
    ).toMatch(/private/);
  });

  it('refuses a proof without jwk', async () => {
    expect(await refusal(newVerifier().verify(request(await proof({ header: { jwk: undefined } }))))).toMatch(
      /"jwk"/,
    );
  });

  it.each(['jti', 'htm', 'htu', 'iat'])('refuses a proof without %s', async (claim) => {
    expect(
      await refusal(newVerifier().verify(request(await proof({ claims: { [claim]: undefined } })))),
    ).toMatch(new RegExp(`"${claim}"`));
  });

  it('refuses what is not a JWT, and an oversized header', async () => {
    expect(await refusal(newVerifier().verify(request('not-a-jwt')))).toMatch(/not a valid/);
    expect(await refusal(newVerifier().verify(request('')))).toMatch(/not a proof/);
    expect(await refusal(newVerifier().verify(request('a'.repeat(10_000))))).toMatch(/not a proof/);
  });
});

describe('createDpopVerifier: options', () => {
  it.each([
    [{ publicUrl: 'not a url' }, /publicUrl/],
    [{ publicUrl: PUBLIC_URL, algorithms: ['HS256'] }, /HS256/],
    [{ publicUrl: PUBLIC_URL, algorithms: ['none'] }, /none/],
    [{ publicUrl: PUBLIC_URL, algorithms: [] }, /empty/],
    [{ publicUrl: PUBLIC_URL, maxAgeSec: 3600 }, /maxAgeSec/],
    [{ publicUrl: PUBLIC_URL, replayCacheMaxEntries: 0 }, /replayCacheMaxEntries/],
  ])('refuses %j at startup', (options, message) => {
    expect(() => createDpopVerifier(options)).toThrow(message);
  });

  it('honours a shorter window', async () => {
    const verifier = createDpopVerifier({
      publicUrl: PUBLIC_URL,
      maxAgeSec: 10,
      clockToleranceSec: 0,
      now: () => NOW_MS,
    });
    expect(await refusal(verifier.verify(request(await proof({ claims: { iat: NOW - 11 } }))))).toMatch(
      /too old/,
    );
  });
});
