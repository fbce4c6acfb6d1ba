import { Text } from '@mantine/core';
import { PageHeader } from '@platform/ui/page-header';
import type { Metadata } from 'next';
import { AuditFilters } from '../../components/audit/audit-filters.tsx';
import { AuditTable } from '../../components/audit/audit-table.tsx';
import { ExportLink, Pager, SortableTh } from '../../components/lists/list-controls.tsx';
import { adminApi } from '../../lib/admin-api/client.ts';
import type { AuditEvent, Page } from '../../lib/admin-api/types.ts';
import { load } from '../../lib/api/page.ts';
import { auditFilterSchema, fieldErrors } from '../../lib/forms/schemas.ts';
import { AUDIT_FILTER_NAMES, type AuditFilter, auditApiQuery } from '../../lib/lists/audit-query.ts';
import {
  keptParams,
  type ListSort,
  type Paging,
  pageLinks,
  pagingFrom,
  sortFrom,
} from '../../lib/lists/list-params.ts';
import { AUDIT_SORTS, type AuditSort, DEFAULT_AUDIT_SORT } from '../../lib/lists/sorts.ts';
import { requirePermission } from '../../lib/session/current.ts';

export const metadata: Metadata = { title: 'Audit log' };
const PAGE_SIZE = 50;

type Api = ReturnType<typeof adminApi>;

/** One page of events matching the filters, in the chosen order. */
async function eventsPage(
  api: Api,
  filters: AuditFilter,
  sort: ListSort<AuditSort>,
  paging: Paging,
): Promise<Page<AuditEvent>> {
  return load(
    api.get<Page<AuditEvent>>('/audit', {
      ...(await auditApiQuery(api, filters)),
      sort: sort.sort,
      order: sort.order,
      cursor: paging.cursor,
      limit: PAGE_SIZE,
    }),
  );
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string>> }) {
  const session = await requirePermission('admin:read');
  const raw = await searchParams;
  const parsed = auditFilterSchema.safeParse(raw);
  const filters: AuditFilter = parsed.success ? parsed.data : {};
  const errors = parsed.success ? {} : fieldErrors(parsed.error);
  const api = adminApi(session);
  const sort = sortFrom(raw, AUDIT_SORTS, DEFAULT_AUDIT_SORT);
  const paging = pagingFrom(raw);
  // A malformed filter lists nothing: its error is on the form, and unfiltered rows would pass for a result.
  const page: Page<AuditEvent> = parsed.success
    ? await eventsPage(api, filters, sort, paging)
    : { items: [], next_cursor: null };
  const kept = keptParams(raw, AUDIT_FILTER_NAMES);
  const sorted = new URLSearchParams(kept);
  sorted.set('sort', sort.sort);
  sorted.set('order', sort.order);
  const timeHeader = (
    <SortableTh path="/audit" base={kept} current={sort} column="time" firstOrder="desc">
      Time
    </SortableTh>
  );

  return (
    <>
      <PageHeader
        title="Audit log"
        description={`Every change and security event, ${sort.order === 'asc' ? 'oldest' : 'newest'} first. Times are UTC.`}
        actions={
          parsed.success ? (
            <ExportLink path="/audit/export" query={sorted}>
              Export CSV
            </ExportLink>
          ) : null
        }
      />
      <AuditFilters raw={raw} errors={errors} invalid={!parsed.success} sort={sort} />
      <AuditTable events={page.items} timeHeader={timeHeader} />
      {page.items.length === 0 ? (
        <Text mt="md">{parsed.success ? 'No events match.' : 'Fix the filter above to see events.'}</Text>
      ) : null}
      <Pager
        path="/audit"
        links={pageLinks(sorted, paging, page.next_cursor)}
        label="Pages of the audit log"
      />
    </>
  );
}
