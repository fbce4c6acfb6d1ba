import { createTestIssuer, type TestIssuer } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from './token-error.ts';
import { createTokenVerifier } from './token-verifier.ts';

const AUDIENCE = 'https://api.example.test/notes';
const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer();
});
afterAll(() => issuer.close());

/** Verifies a token for `alice` carrying `claims` (cnf, act). */
const verify = async (claims: Record<string, unknown>) => {
  const verifier = createTokenVerifier({
    issuer: issuer.issuer,
    jwksUri: issuer.jwksUri,
    audience: AUDIENCE,
  });
  return verifier.verify(await issuer.mint({ client_id: 'c', sub: 'alice', aud: AUDIENCE, claims }));
};

/** Expects `verify` to refuse the token for a malformed claim. */
async function expectInvalidClaim(claims: Record<string, unknown>) {
  const error = await verify(claims).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TokenError);
  expect((error as TokenError).reason).toBe('invalid_claim');
}

describe('createTokenVerifier: key binding (cnf)', () => {
  it('reads cnf.jkt as the bound key, and null without cnf', async () => {
    expect((await verify({ cnf: { jkt: JKT } })).jkt).toBe(JKT);
    expect((await verify({})).jkt).toBeNull();
  });

  it.each([
    ['a certificate binding it cannot check', { 'x5t#S256': JKT }],
    ['a jkt that is not a SHA-256 thumbprint', { jkt: 'short' }],
    ['a cnf that is not an object', 'jkt'],
  ])('refuses %s rather than read the token as a bearer token', async (_case, cnf) => {
    await expectInvalidClaim({ cnf });
  });
});

describe('createTokenVerifier: the acting party (RFC 8693 act)', () => {
  it('reads act as the party acting for sub, with its chain, and null without act', async () => {
    const delegated = await verify({ act: { sub: 'flow-service' } });
    expect(delegated.sub).toBe('alice');
    expect(delegated.act).toEqual({ sub: 'flow-service' });
    const chained = await verify({ act: { sub: 'b', iss: 'x', act: { sub: 'a' } } });
    expect(chained.act).toEqual({ sub: 'b', act: { sub: 'a' } });
    expect((await verify({})).act).toBeNull();
  });

  it.each([
    ['an act without sub', { client_id: 'x' }],
    ['an act that is not an object', 'flow-service'],
    ['an empty sub', { sub: '' }],
    ['a nested act without sub', { sub: 'b', act: {} }],
  ])('refuses %s: its actor is unknown', async (_case, act) => {
    await expectInvalidClaim({ act });
  });
});
