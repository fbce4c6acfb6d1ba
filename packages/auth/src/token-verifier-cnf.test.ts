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

const verify = async (claims: Record<string, unknown>) => {
  const verifier = createTokenVerifier({
    issuer: issuer.issuer,
    jwksUri: issuer.jwksUri,
    audience: AUDIENCE,
  });
  return verifier.verify(await issuer.mint({ client_id: 'c', aud: AUDIENCE, claims }));
};

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
    const error = await verify({ cnf }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).reason).toBe('invalid_claim');
  });
});
