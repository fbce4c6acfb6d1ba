/** A navigation entry: where it leads and what it reads. */
export interface NavEntry {
  href: string;
  label: string;
}

/**
 * The entry a console path belongs to: the one with the longest href the path equals or lies under
 * (`/workflows/approvals/7` is Approvals, not Workflows), or undefined. `/` matches only itself, so the home
 * entry is not marked on every page.
 */
export function entryForPath<Entry extends NavEntry>(
  pathname: string,
  entries: readonly Entry[],
): Entry | undefined {
  let best: Entry | undefined;
  for (const entry of entries) {
    const matches = pathname === entry.href || (entry.href !== '/' && pathname.startsWith(`${entry.href}/`));
    if (matches && entry.href.length > (best?.href.length ?? 0)) best = entry;
  }
  return best;
}
