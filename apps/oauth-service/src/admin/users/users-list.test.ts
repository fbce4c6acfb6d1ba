import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, bearer, failedFields, PASSWORD, startAdminHarness } from '../test-support.ts';

describeEachDialect('admin API: users list sorting, paging and CSV export', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;
  const ids = new Map<string, string>();

  // Usernames and emails disagree on the order, so each sort is seen to apply.
  const people = [
    { username: 'sort-carol', email: 'a-carol@example.test' },
    { username: 'sort-alice', email: 'c-alice@example.test' },
    { username: 'Sort-Bob', email: 'b-bob@example.test' },
    { username: 'sort-dave', email: 'd-dave@example.test' },
  ];

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
    for (const person of people) {
      const response = await get('POST', '/api/admin/users', { ...person, password: PASSWORD });
      ids.set(person.username, response.json().id);
    }
    // Alice signed in last, Carol first; Bob and Dave never (they tie, and sort as the oldest).
    await h.users.recordLogin(ids.get('sort-carol')!, Date.UTC(2026, 0, 1));
    await h.users.recordLogin(ids.get('sort-alice')!, Date.UTC(2026, 0, 2));
  });
  afterAll(() => h?.close());

  function get(method: 'GET' | 'POST', url: string, payload?: object) {
    return h.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  }

  /** Every page of the list at `limit` per page, as usernames, following next_cursor. */
  async function walk(query: string, limit: number): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor = '';
    do {
      const response = await get(
        'GET',
        `/api/admin/users?search=sort-&limit=${limit}&${query}&cursor=${cursor}`,
      );
      expect(response.statusCode).toBe(200);
      const body = response.json() as { items: Array<{ username: string }>; next_cursor: string | null };
      pages.push(body.items.map((user) => user.username));
      cursor = body.next_cursor ?? '';
    } while (cursor);
    return pages;
  }

  it('sorts by username both ways, case-insensitively, and pages without a gap or repeat', async () => {
    expect(await walk('sort=username&order=asc', 3)).toEqual([
      ['sort-alice', 'Sort-Bob', 'sort-carol'],
      ['sort-dave'],
    ]);
    expect(await walk('sort=username&order=desc', 2)).toEqual([
      ['sort-dave', 'sort-carol'],
      ['Sort-Bob', 'sort-alice'],
    ]);
    // Exactly one page's worth: no empty trailing page.
    expect(await walk('sort=username&order=desc', 4)).toEqual([
      ['sort-dave', 'sort-carol', 'Sort-Bob', 'sort-alice'],
    ]);
  });

  it('sorts by email', async () => {
    expect((await walk('sort=email', 10)).flat()).toEqual([
      'sort-carol',
      'Sort-Bob',
      'sort-alice',
      'sort-dave',
    ]);
    expect((await walk('sort=email&order=desc', 1)).flat()).toEqual([
      'sort-dave',
      'sort-alice',
      'Sort-Bob',
      'sort-carol',
    ]);
  });

  it('sorts by last sign-in, ties broken by id across page edges', async () => {
    const neverSignedIn = ['Sort-Bob', 'sort-dave'].sort((a, b) => (ids.get(a)! < ids.get(b)! ? -1 : 1));
    for (const limit of [1, 2, 3]) {
      expect((await walk('sort=last_login_at&order=asc', limit)).flat()).toEqual([
        ...neverSignedIn,
        'sort-carol',
        'sort-alice',
      ]);
      expect((await walk('sort=last_login_at&order=desc', limit)).flat()).toEqual([
        'sort-alice',
        'sort-carol',
        ...[...neverSignedIn].reverse(),
      ]);
    }
  });

  it('sorts by creation, every user once in both orders', async () => {
    const ascending = (await walk('sort=created_at', 1)).flat();
    const descending = (await walk('sort=created_at&order=desc', 3)).flat();
    expect([...ascending].sort()).toEqual(people.map((p) => p.username).sort());
    expect(descending).toEqual([...ascending].reverse());
  });

  it('refuses an unknown sort or order as a problem naming it', async () => {
    const sort = await get('GET', '/api/admin/users?sort=password_hash');
    expect(sort.statusCode).toBe(400);
    expect(sort.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(failedFields(sort)).toEqual(['querystring:/sort']);
    expect(failedFields(await get('GET', '/api/admin/users?order=up'))).toEqual(['querystring:/order']);
  });

  it('exports every matching user as CSV, sorted, without password hashes', async () => {
    const response = await get('GET', '/api/admin/users.csv?search=sort-&sort=username&order=desc');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename=users.csv');
    const lines = response.body.split('\r\n');
    expect(lines[0]).toBe(
      'id,username,email,display_name,status,must_change_password,failed_login_count,locked_until,last_login_at,created_at,updated_at',
    );
    expect(lines.slice(1, -1).map((line) => line.split(',')[1])).toEqual([
      'sort-dave',
      'sort-carol',
      'Sort-Bob',
      'sort-alice',
    ]);
    expect(lines.at(-1)).toBe('');
    expect(response.body).not.toMatch(/argon2/);
  });

  it('exports a user whose name looks like a formula as text', async () => {
    await get('POST', '/api/admin/users', {
      username: 'formula',
      email: 'formula@example.test',
      display_name: '=HYPERLINK("http://evil.test")',
      password: PASSWORD,
    });
    const response = await get('GET', '/api/admin/users.csv?search=formula');
    expect(response.body.split('\r\n')[1]).toContain(',"\'=HYPERLINK(""http://evil.test"")",');
  });

  it('refuses a bad export search before any CSV, and needs admin:read', async () => {
    const bad = await get('GET', '/api/admin/users.csv?sort=nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    const anonymous = await h.app.inject({ method: 'GET', url: '/api/admin/users.csv' });
    expect(anonymous.statusCode).toBe(401);
    // Its own path: no user route's methods are advertised for it.
    const options = await h.app.inject({ method: 'OPTIONS', url: '/api/admin/users.csv', headers: auth });
    expect(options.statusCode).toBe(405);
    expect(options.headers.allow).toBe('GET, HEAD');
  });
});
