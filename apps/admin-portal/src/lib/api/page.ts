import { forbidden, notFound, unauthorized } from 'next/navigation';
import { ApiError } from './problem.ts';

// Server components read through the API clients; a refusal is shown as the page that says so.

/** 401/403/404 from an API become the matching page; anything else propagates to error.tsx. */
function pageFailure(error: unknown): never {
  if (error instanceof ApiError) {
    if (error.status === 401) unauthorized();
    if (error.status === 403) forbidden();
    if (error.status === 404) notFound();
  }
  throw error;
}

/** Reads for a page, failing into the right page. */
export async function load<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    return pageFailure(error);
  }
}
