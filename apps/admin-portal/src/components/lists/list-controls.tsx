import { Button, Group, TableTh } from '@mantine/core';
import type { ReactNode } from 'react';
import { type ListSort, type PageLinks, type SortOrder, sortLink } from '../../lib/lists/list-params.ts';
import { AnchorLink, ButtonLink } from '../links.tsx';

// Controls the console's lists share: sortable column headers, paging links and a CSV download. All are
// plain links, so the lists work without JavaScript and a sorted, filtered page can be shared.

// The console's basePath (next.config.ts): a download is a plain link, outside Next.js's routing.
const BASE_PATH = '/admin';

const href = (path: string, query: string) => (query ? `${path}?${query}` : path);

/** A column header that sorts the list by `column`; the sorted one says so to assistive technology. */
export function SortableTh<S extends string>(props: {
  path: string;
  base: URLSearchParams;
  current: ListSort<S>;
  column: S;
  firstOrder?: SortOrder;
  children: ReactNode;
}) {
  const { path, base, current, column } = props;
  const sorted = current.sort === column;
  const label = sorted ? (current.order === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <TableTh aria-sort={label ?? 'none'}>
      <AnchorLink href={href(path, sortLink(base, current, column, props.firstOrder))}>
        {props.children}
        {sorted ? <span aria-hidden="true">{current.order === 'asc' ? ' ▲' : ' ▼'}</span> : null}
      </AnchorLink>
    </TableTh>
  );
}

/** First, Previous and Next page links, whichever exist. */
export function Pager(props: { path: string; links: PageLinks; label: string }) {
  const { path, links } = props;
  if (links.first === undefined && links.previous === undefined && links.next === undefined) return null;
  return (
    <nav aria-label={props.label}>
      <Group mt="md">
        {links.first !== undefined ? (
          <ButtonLink href={href(path, links.first)} variant="default">
            First page
          </ButtonLink>
        ) : null}
        {links.previous !== undefined ? (
          <ButtonLink href={href(path, links.previous)} variant="default">
            Previous page
          </ButtonLink>
        ) : null}
        {links.next !== undefined ? (
          <ButtonLink href={href(path, links.next)} variant="default">
            Next page
          </ButtonLink>
        ) : null}
      </Group>
    </nav>
  );
}

/** A link that downloads the list as CSV through the console's export route (`path`, inside the basePath). */
export function ExportLink(props: { path: string; query: URLSearchParams; children: ReactNode }) {
  return (
    <Button
      component="a"
      href={href(`${BASE_PATH}${props.path}`, props.query.toString())}
      download
      variant="default"
    >
      {props.children}
    </Button>
  );
}
