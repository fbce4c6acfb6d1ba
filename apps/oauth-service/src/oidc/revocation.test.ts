import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type AdminHarness,
  basic,
  PASSWORD,
  PORTAL,
  PUBLIC_URL,
  startAdminHarness,
} from '../admin/test-support.ts';

describeEachDialect('revocation endpoint (RFC 7009) and the audit log', (temp) => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
  });
  afterAll(() => h?.close());

  const revoke = (token: string, client: { id: string; secret: string }) =>
    h.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: {
        authorization: basic(client.id, client.secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ token, token_type_hint: 'refresh_token' }).toString(),
    });
  const portal = { id: PORTAL.clientId, secret: PORTAL.secret };

  // Provider events are group-committed to the audit log (a few ms after the response): wait well past one
  // batch, then read — long enough for an unexpected extra record to show up too.
  async function revocationsOnceWritten(expected: number) {
    const deadline = Date.now() + 2_000;
    let events = await h.auditOf('token.revoke');
    while (events.length < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      events = await h.auditOf('token.revoke');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    return h.auditOf('token.revoke');
  }

  it('records each revoked token once, under the grant it belonged to, and nothing for a token already gone', async () => {
    await h.createUser('revoker', ['user']);
    const { tokens } = await h.userTokens(
      { login: 'revoker', password: PASSWORD },
      { scope: 'openid offline_access test:read', resource: `${PUBLIC_URL}/test` },
    );
    const before = (await h.auditOf('token.revoke')).length;

    const first = await revoke(tokens.refresh_token!, portal);
    expect(first.statusCode).toBe(200);
    const events = await revocationsOnceWritten(before + 1);
    expect(events).toHaveLength(before + 1);
    expect(events[0]).toMatchObject({
      actorType: 'client',
      actorId: 'admin-portal',
      targetType: 'grant',
      targetId: expect.any(String),
      outcome: 'success',
      details: { token_type: 'refresh_token' },
    });
    expect(JSON.stringify(events[0])).not.toContain(tokens.refresh_token!);

    // RFC 7009 §2.2: an invalid (here: already revoked) token still gets 200, but nothing was revoked.
    expect((await revoke(tokens.refresh_token!, portal)).statusCode).toBe(200);
    expect(await revocationsOnceWritten(before + 1)).toHaveLength(before + 1);
  });

  it("refuses a confidential client revoking another client's token, and records nothing", async () => {
    await h.createUser('victim', ['user']);
    const { tokens } = await h.userTokens(
      { login: 'victim', password: PASSWORD },
      { scope: 'openid offline_access test:read', resource: `${PUBLIC_URL}/test` },
    );
    const before = (await h.auditOf('token.revoke')).length;
    const response = await revoke(tokens.refresh_token!, {
      id: h.machine.clientId,
      secret: h.machine.secret,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request' });
    expect(await revocationsOnceWritten(before)).toHaveLength(before);
    // The token still works for its own client.
    expect((await h.refresh(tokens.refresh_token!)).statusCode).toBe(200);
  });
});
