import { describeEachDialect } from '@platform/db/testing';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN, type AdminHarness, startAdminHarness } from '../admin/test-support.ts';

// Resource servers show who acted by name: a user's access token carries the username beside `sub`.
describeEachDialect('access tokens name their user', (temp) => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
  });
  afterAll(() => h?.close());

  it("carries preferred_username in a user's access token, and after a refresh", async () => {
    const { tokens } = await h.userTokens(ADMIN);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ preferred_username: 'admin' });
    const refreshed = (await h.refresh(tokens.refresh_token!)).json();
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ preferred_username: 'admin' });
  });

  it("adds nothing to a client's own (client_credentials) token", async () => {
    expect(decodeJwt(await h.clientToken())).not.toHaveProperty('preferred_username');
  });
});
