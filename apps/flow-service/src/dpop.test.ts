import { createDpopTestKey, type DpopTestKey, mintDpopBoundToken } from '@platform/auth/testing';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, type Harness, startHarness } from './test/harness.ts';

const PATH = '/flow/api/v1/definitions';
// The public URL the client addressed: PUBLIC_URL's origin and the request path.
const HTU = `${new URL(AUDIENCE).origin}${PATH}`;

describe('flow-service with DPoP-bound tokens', () => {
  let db: TempDatabase;
  let h: Harness;
  let key: DpopTestKey;
  let token: string;

  beforeAll(async () => {
    db = await createTempDatabase('sqlite');
    h = await startHarness(db.url);
    ({ key, token } = await mintDpopBoundToken(h.issuer, {
      aud: AUDIENCE,
      client_id: 'cli',
      scope: 'flow:read',
    }));
  });
  afterAll(async () => {
    await h?.close();
    await db?.drop();
  });

  const list = (headers: Record<string, string>) => h.app.inject({ method: 'GET', url: PATH, headers });

  it('refuses a bound token as Bearer with a DPoP challenge', async () => {
    const response = await list({ authorization: `Bearer ${token}` });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^DPoP realm="flow-service", error="invalid_token"/);
  });

  it('accepts it with a proof of its key, and refuses the same proof again', async () => {
    const dpop = await key.proof({ htm: 'GET', htu: HTU, accessToken: token });
    expect((await list({ authorization: `DPoP ${token}`, dpop })).statusCode).toBe(200);
    const replay = await list({ authorization: `DPoP ${token}`, dpop });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('invalid_dpop_proof');
  });

  it("refuses another key's proof", async () => {
    const other = await createDpopTestKey();
    const dpop = await other.proof({ htm: 'GET', htu: HTU, accessToken: token });
    expect((await list({ authorization: `DPoP ${token}`, dpop })).statusCode).toBe(401);
  });
});
