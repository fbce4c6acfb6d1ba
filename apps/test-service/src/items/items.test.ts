import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from '../test/harness.ts';

describeEachDialect('items', (temp) => {
  let h: Harness;
  let read: Record<string, string>;
  let write: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness(temp().url);
    read = { authorization: `Bearer ${await h.token('test:read')}` };
    write = { authorization: `Bearer ${await h.token('test:read test:write', 'writer')}` };
  });
  afterAll(() => h.close());

  it('creates an item, stores it and serves it back', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/test/api/v1/items',
      headers: write,
      payload: { name: 'first', data: { n: 1, tags: ['a'] } },
    });
    expect(created.statusCode).toBe(201);
    const item = created.json();
    expect(item).toMatchObject({ name: 'first', data: { n: 1, tags: ['a'] }, created_by: 'writer' });
    expect(created.headers.location).toBe(`/test/api/v1/items/${item.id}`);
    const fetched = await h.app.inject({
      method: 'GET',
      url: `/test/api/v1/items/${item.id}`,
      headers: read,
    });
    expect(fetched.statusCode).toBe(200);
    expect(fetched.json()).toEqual(item);
  });

  it('pages newest first with a cursor, visiting every item once', async () => {
    for (let i = 0; i < 4; i += 1) {
      await h.app.inject({
        method: 'POST',
        url: '/test/api/v1/items',
        headers: write,
        payload: { name: `n${i}` },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await h.app.inject({ method: 'GET', url: `/test/api/v1/items${query}`, headers: read });
      expect(page.statusCode).toBe(200);
      const body = page.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((i: { name: string }) => i.name));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen.at(-1)).toBe('first');
  });

  it('refuses writes without test:write and changes nothing', async () => {
    const before = (
      await h.app.inject({ method: 'GET', url: '/test/api/v1/items?limit=100', headers: read })
    ).json();
    const res = await h.app.inject({
      method: 'POST',
      url: '/test/api/v1/items',
      headers: read,
      payload: { name: 'x' },
    });
    expect(res.statusCode).toBe(403);
    const after = (
      await h.app.inject({ method: 'GET', url: '/test/api/v1/items?limit=100', headers: read })
    ).json();
    expect(after.items).toHaveLength(before.items.length);
  });

  it('rejects invalid bodies, ids, limits and cursors with 400 problem+json', async () => {
    const bad = [
      await h.app.inject({
        method: 'POST',
        url: '/test/api/v1/items',
        headers: write,
        payload: { name: '' },
      }),
      await h.app.inject({
        method: 'POST',
        url: '/test/api/v1/items',
        headers: write,
        payload: { name: 'a', extra: 1 },
      }),
      await h.app.inject({ method: 'GET', url: '/test/api/v1/items/not-a-uuid', headers: read }),
      await h.app.inject({ method: 'GET', url: '/test/api/v1/items?limit=0', headers: read }),
      await h.app.inject({ method: 'GET', url: '/test/api/v1/items?limit=Infinity', headers: read }),
      await h.app.inject({ method: 'GET', url: '/test/api/v1/items?cursor=garbage', headers: read }),
    ];
    for (const res of bad) {
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(bad[0]!.json().errors[0].path).toContain('name');
  });

  it('treats an empty cursor as the first page', async () => {
    const first = await h.app.inject({ method: 'GET', url: '/test/api/v1/items?limit=2', headers: read });
    const empty = await h.app.inject({
      method: 'GET',
      url: '/test/api/v1/items?limit=2&cursor=',
      headers: read,
    });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual(first.json());
  });

  it('accepts every cursor its schema allows: a well-formed one past the last item is an empty page', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/test/api/v1/items?cursor=0:00000000-0000-0000-0000-000000000000',
      headers: read,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [], next_cursor: null });
  });

  it('does not coerce body types: a boolean name is a 400, not the string "true"', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/test/api/v1/items',
      headers: write,
      payload: { name: true },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ in: 'body', path: '/name' });
  });

  it('deletes an item, then answers 404 for it', async () => {
    const created = (
      await h.app.inject({
        method: 'POST',
        url: '/test/api/v1/items',
        headers: write,
        payload: { name: 'gone' },
      })
    ).json();
    const url = `/test/api/v1/items/${created.id}`;
    expect((await h.app.inject({ method: 'DELETE', url, headers: write })).statusCode).toBe(204);
    const missing = await h.app.inject({ method: 'GET', url, headers: read });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('not_found');
    expect((await h.app.inject({ method: 'DELETE', url, headers: write })).statusCode).toBe(404);
  });
});
