import { describe, expect, it } from 'vitest';
import { keptParams, pageLinks, pagingFrom, sortFrom, sortLink, TRAIL_LIMIT } from './list-params.ts';

const SORTS = ['username', 'email', 'created_at'] as const;
const DEFAULT = { sort: 'username', order: 'asc' } as const;

describe('list sort and paging in the address', () => {
  it('takes a known sort and order, and the default for anything else', () => {
    expect(sortFrom({ sort: 'email', order: 'desc' }, SORTS, DEFAULT)).toEqual({
      sort: 'email',
      order: 'desc',
    });
    expect(sortFrom({ sort: 'password_hash', order: 'sideways' }, SORTS, DEFAULT)).toEqual(DEFAULT);
    expect(sortFrom({ sort: ['email', 'username'] }, SORTS, DEFAULT)).toEqual(DEFAULT);
  });

  it('sorts by a new column in its first order, and flips the sorted one, from the first page', () => {
    const base = new URLSearchParams({ search: 'a b' });
    expect(sortLink(base, DEFAULT, 'email')).toBe('search=a+b&sort=email&order=asc');
    expect(sortLink(base, DEFAULT, 'username')).toBe('search=a+b&sort=username&order=desc');
    expect(sortLink(base, DEFAULT, 'created_at', 'desc')).toBe('search=a+b&sort=created_at&order=desc');
    expect(sortLink(base, { sort: 'created_at', order: 'desc' }, 'created_at', 'desc')).toContain(
      'order=asc',
    );
  });

  it('links the next page with the way back, and the previous page one step back', () => {
    const base = new URLSearchParams({ sort: 'username', order: 'desc' });
    const first = pagingFrom({});
    expect(pageLinks(base, first, 'c2')).toEqual({ next: 'sort=username&order=desc&cursor=c2&trail=' });

    const second = pagingFrom({ cursor: 'c2', trail: '' });
    expect(second).toEqual({ cursor: 'c2', trail: [''] });
    expect(pageLinks(base, second, 'c3')).toEqual({
      first: 'sort=username&order=desc',
      previous: 'sort=username&order=desc',
      next: 'sort=username&order=desc&cursor=c3&trail=.c2',
    });

    const third = pagingFrom({ cursor: 'c3', trail: '.c2' });
    expect(pageLinks(base, third, null)).toEqual({
      first: 'sort=username&order=desc',
      previous: 'sort=username&order=desc&cursor=c2&trail=',
    });
  });

  it('offers First but no Previous without a trail, and drops a malformed cursor or trail', () => {
    expect(pageLinks(new URLSearchParams(), pagingFrom({ cursor: '42' }), null)).toEqual({ first: '' });
    expect(pagingFrom({ cursor: 'not a cursor', trail: 'a.b c' })).toEqual({ cursor: undefined, trail: [] });
    expect(
      pagingFrom({
        trail: Array(TRAIL_LIMIT + 1)
          .fill('x')
          .join('.'),
      }).trail,
    ).toEqual([]);
  });

  it('keeps only the last pages in the trail', () => {
    const trail = Array.from({ length: TRAIL_LIMIT }, (_, i) => `c${i}`);
    const next = pageLinks(new URLSearchParams(), { cursor: 'now', trail }, 'later').next!;
    const kept = new URLSearchParams(next).get('trail')!.split('.');
    expect(kept).toHaveLength(TRAIL_LIMIT);
    expect(kept.at(-1)).toBe('now');
    expect(kept[0]).toBe('c1');
  });

  it('keeps the named filters that have a value', () => {
    expect(
      keptParams({ search: 'x', status: '', cursor: 'c', other: 'y' }, ['search', 'status']).toString(),
    ).toBe('search=x');
  });
});
