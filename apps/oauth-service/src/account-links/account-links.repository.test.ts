import type { Database } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openAccountsDatabase } from '../accounts/test-support.ts';
import { createUsersRepository } from '../accounts/users.repository.ts';
import type { OAuthSchema } from '../db/schema.ts';
import { createAccountLinksRepository, RESET_LINK_TTL_MS } from './account-links.repository.ts';

describeEachDialect('account links', (temp) => {
  let database: Database<OAuthSchema>;
  let holder: { userId: string; email: string };
  let clock = 1_000_000;
  const links = () => createAccountLinksRepository(database.db, { now: () => clock });

  beforeAll(async () => {
    database = await openAccountsDatabase(temp().url);
    const users = createUsersRepository(database.db);
    const user = await users.create({ username: 'linda', email: 'linda@example.com', invited: true });
    holder = { userId: user.id, email: user.email };
  });
  afterAll(() => database.close());

  it('stores only the hash of the token', async () => {
    const token = await links().issue(holder, 'verify');
    const rows = await database.db.selectFrom('account_links').selectAll().execute();
    expect(rows.some((row) => row.token_hash === token || row.token_hash.includes(token))).toBe(false);
    expect(await links().find(token, 'verify')).toEqual(holder);
  });

  it('is used once: a second use fails, even when both run at once', async () => {
    const token = await links().issue(holder, 'invite');
    const results = await Promise.all([links().consume(token, 'invite'), links().consume(token, 'invite')]);
    expect(results.filter((result) => result?.userId === holder.userId)).toHaveLength(1);
    expect(await links().consume(token, 'invite')).toBeUndefined();
  });

  it('expires after its lifetime and opens nothing for another purpose', async () => {
    const token = await links().issue(holder, 'reset');
    expect(await links().find(token, 'verify')).toBeUndefined();
    clock += RESET_LINK_TTL_MS;
    expect(await links().consume(token, 'reset')).toBeUndefined();
  });

  it('stops older unused links of the same purpose when a new one is issued', async () => {
    const first = await links().issue(holder, 'reset');
    const second = await links().issue(holder, 'reset');
    expect(await links().consume(first, 'reset')).toBeUndefined();
    expect(await links().consume(second, 'reset')).toEqual(holder);
  });

  it('refuses malformed tokens without a query', async () => {
    expect(await links().consume("' or 1=1 --", 'reset')).toBeUndefined();
  });
});
