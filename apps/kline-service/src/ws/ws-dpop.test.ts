import { createDpopTestKey, type DpopTestKey, mintDpopBoundToken } from '@platform/auth/testing';
import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AUDIENCE, type Harness, startHarness } from '../test/harness.ts';

// The public URL of the upgrade request, as a client of the gateway signs it: http(s), not ws(s).
const HTU = `${AUDIENCE}/ws`;

describe('WebSocket /kline/ws with DPoP-bound tokens', () => {
  let db: TempDatabase;
  let h: Harness;
  let url: string;
  let key: DpopTestKey;
  let token: string;

  beforeAll(async () => {
    db = await createTempDatabase('sqlite');
    h = await startHarness(db.url);
    url = `${(await h.app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws')}/kline/ws`;
    ({ key, token } = await mintDpopBoundToken(h.issuer, {
      aud: AUDIENCE,
      client_id: 'c',
      scope: 'kline:read',
    }));
  });
  afterAll(async () => {
    await h?.close();
    await db?.drop();
  });

  const proof = (signer: DpopTestKey, htu = HTU) => signer.proof({ htm: 'GET', htu, accessToken: token });

  /** 101 when the socket opened, else the status of the refusal and its challenge. */
  function upgrade(options: { protocols?: string[]; headers?: Record<string, string> }) {
    const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
    return new Promise<{ status: number; challenge?: string }>((resolve, reject) => {
      socket.once('open', () => {
        socket.close();
        resolve({ status: 101 });
      });
      socket.once('unexpected-response', (_request, response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, challenge: response.headers['www-authenticate'] });
      });
      socket.once('error', reject);
    });
  }

  const withProof = (dpop: string) => ({ headers: { authorization: `DPoP ${token}`, dpop } });

  it('opens for a server client sending Authorization: DPoP with a proof of the upgrade request', async () => {
    expect((await upgrade(withProof(await proof(key)))).status).toBe(101);
  });

  it("refuses another key's proof, a replayed proof and a proof for the ws: URL", async () => {
    const other = await createDpopTestKey();
    expect((await upgrade(withProof(await proof(other)))).status).toBe(401);
    const once = await proof(key);
    expect((await upgrade(withProof(once))).status).toBe(101);
    expect((await upgrade(withProof(once))).status).toBe(401);
    expect((await upgrade(withProof(await proof(key, HTU.replace('http', 'ws'))))).status).toBe(401);
  });

  it('refuses a bound token as a bearer subprotocol: a browser cannot send a proof with it', async () => {
    const refused = await upgrade({ protocols: ['kline.v1', `bearer.${token}`] });
    expect(refused.status).toBe(401);
    expect(refused.challenge).toMatch(/^DPoP realm="kline-service", error="invalid_token"/);
  });

  it('refuses a bound token as Bearer in the header', async () => {
    expect((await upgrade({ headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});
