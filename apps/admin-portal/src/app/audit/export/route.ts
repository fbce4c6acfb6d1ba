import { auditFilterSchema } from '../../../lib/forms/schemas.ts';
import { problemResponse } from '../../../lib/http/problem.ts';
import { auditApiQuery } from '../../../lib/lists/audit-query.ts';
import { relayCsv } from '../../../lib/lists/csv-relay.ts';
import { sortFrom } from '../../../lib/lists/list-params.ts';
import { AUDIT_SORTS, DEFAULT_AUDIT_SORT } from '../../../lib/lists/sorts.ts';

// Every audit event matching the audit page's filters, in its order, as CSV.

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = auditFilterSchema.safeParse(raw);
  if (!parsed.success) return problemResponse(400, 'Bad Request', 'Some filters are invalid.');
  const sort = sortFrom(raw, AUDIT_SORTS, DEFAULT_AUDIT_SORT);
  return relayCsv(request, '/audit.csv', async (api) => ({
    ...(await auditApiQuery(api, parsed.data)),
    sort: sort.sort,
    order: sort.order,
  }));
}
