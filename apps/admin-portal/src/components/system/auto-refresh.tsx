'use client';

import { Text } from '@mantine/core';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/**
 * Re-renders the page's server components every `intervalMs` (router.refresh: new data, no navigation, the
 * scroll position and any open menu kept), and says when the shown readings were taken. A hidden tab skips
 * its refreshes; it catches up as soon as it is shown again.
 */
export function AutoRefresh({ updatedAt, intervalMs }: { updatedAt: string; intervalMs: number }) {
  const router = useRouter();
  useEffect(() => {
    const refresh = () => {
      if (document.visibilityState === 'visible') router.refresh();
    };
    const timer = setInterval(refresh, intervalMs);
    document.addEventListener('visibilitychange', refresh);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', refresh);
    };
  }, [router, intervalMs]);
  return (
    <Text size="sm">
      Updated at{' '}
      <time dateTime={updatedAt} data-testid="updated-at">
        {updatedAt.slice(11, 19)} UTC
      </time>
      {` · refreshes every ${Math.round(intervalMs / 1000)} s`}
    </Text>
  );
}
