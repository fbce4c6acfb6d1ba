// The console's lists keep their state in the address: the filters, the sort (`sort`, `order`) and the page
// (`cursor`, and `trail`, the cursors of the pages before it). Sorting and paging happen in the admin API;
// these build the links that ask for them. Keyset cursors only lead forward, so the trail is what makes a
// "Previous" link possible; it keeps the last few pages, past them "First page" remains.

export type SortOrder = 'asc' | 'desc';

export interface ListSort<S extends string> {
  sort: S;
  order: SortOrder;
}

export interface Paging {
  /** This page's cursor; undefined on the first page. */
  cursor: string | undefined;
  /** The cursors of the pages before this one, oldest first ('' is the first page). */
  trail: string[];
}

export const TRAIL_LIMIT = 20;
// Cursors of the admin API: base64url (users) or decimal (audit), at most 1024 characters.
const CURSOR = /^[A-Za-z0-9_-]{1,1024}$/;
const TRAIL_CURSOR = /^[A-Za-z0-9_-]{0,1024}$/;

type Raw = Record<string, string | string[] | undefined>;
const single = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

/** The sort the address asks for when the list knows it, else the list's default. */
export function sortFrom<S extends string>(
  raw: Raw,
  sorts: readonly S[],
  fallback: ListSort<S>,
): ListSort<S> {
  const sort = single(raw.sort);
  const order = single(raw.order);
  return {
    sort: sort !== undefined && (sorts as readonly string[]).includes(sort) ? (sort as S) : fallback.sort,
    order: order === 'asc' || order === 'desc' ? order : fallback.order,
  };
}

/** This page's position; a malformed cursor or trail is dropped (the first page, no way back). */
export function pagingFrom(raw: Raw): Paging {
  const cursor = single(raw.cursor);
  const trailText = single(raw.trail);
  const trail = trailText === undefined ? [] : trailText.split('.');
  const valid = trail.length <= TRAIL_LIMIT && trail.every((entry) => TRAIL_CURSOR.test(entry));
  return {
    cursor: cursor !== undefined && CURSOR.test(cursor) ? cursor : undefined,
    trail: valid ? trail : [],
  };
}

/** The query string of `base` with a page position. */
function at(base: URLSearchParams, cursor: string | undefined, trail: string[]): string {
  const params = new URLSearchParams(base);
  if (cursor) params.set('cursor', cursor);
  if (trail.length > 0) params.set('trail', trail.join('.'));
  return params.toString();
}

export interface PageLinks {
  first?: string;
  previous?: string;
  next?: string;
}

/**
 * Query strings of the First, Previous and Next pages, each keeping `base` (the filters and the sort).
 * Previous is absent when the trail does not reach back (a shared link); First is there on any later page.
 */
export function pageLinks(base: URLSearchParams, paging: Paging, nextCursor: string | null): PageLinks {
  const links: PageLinks = {};
  if (paging.cursor) {
    links.first = at(base, undefined, []);
    const previous = paging.trail.at(-1);
    if (previous !== undefined) links.previous = at(base, previous || undefined, paging.trail.slice(0, -1));
  }
  if (nextCursor && CURSOR.test(nextCursor)) {
    links.next = at(base, nextCursor, [...paging.trail, paging.cursor ?? ''].slice(-TRAIL_LIMIT));
  }
  return links;
}

/**
 * The query string that sorts by `column`: the other order when the list is sorted by it already, else
 * `firstOrder` (newest first suits times). The page starts again from the first.
 */
export function sortLink<S extends string>(
  base: URLSearchParams,
  current: ListSort<S>,
  column: S,
  firstOrder: SortOrder = 'asc',
): string {
  const params = new URLSearchParams(base);
  params.set('sort', column);
  const flipped = current.order === 'asc' ? 'desc' : 'asc';
  params.set('order', current.sort === column ? flipped : firstOrder);
  return params.toString();
}

/** The list's filters from the address, for links that change only the sort or the page. */
export function keptParams(raw: Raw, names: readonly string[]): URLSearchParams {
  const kept = new URLSearchParams();
  for (const name of names) {
    const value = single(raw[name]);
    if (value) kept.set(name, value);
  }
  return kept;
}
