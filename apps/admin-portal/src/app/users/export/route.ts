import { userSearchSchema } from '../../../lib/forms/schemas.ts';
import { problemResponse } from '../../../lib/http/problem.ts';
import { relayCsv } from '../../../lib/lists/csv-relay.ts';
import { sortFrom } from '../../../lib/lists/list-params.ts';
import { DEFAULT_USER_SORT, USER_SORTS } from '../../../lib/lists/sorts.ts';

// Every user matching the users page's search, in its order, as CSV.

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const raw = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = userSearchSchema.safeParse(raw);
  if (!parsed.success) return problemResponse(400, 'Bad Request', 'The search was not understood.');
  const sort = sortFrom(raw, USER_SORTS, DEFAULT_USER_SORT);
  return relayCsv(request, '/users.csv', () => ({
    search: parsed.data.search,
    status: parsed.data.status,
    sort: sort.sort,
    order: sort.order,
  }));
}
