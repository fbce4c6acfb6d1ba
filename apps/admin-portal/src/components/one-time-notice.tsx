'use client';

import { Alert } from '@mantine/core';
import { type ReactNode, useEffect } from 'react';

/**
 * A success notice carried by the address (`?created=1` after a redirect). It drops the query once shown, so
 * the page's next action renders without it: the notice belongs to the action that led here, not to every
 * later one. Next.js keeps its router in step with `history.replaceState`, without a new request.
 */
export function OneTimeNotice({ children }: { children: ReactNode }) {
  useEffect(() => {
    window.history.replaceState(null, '', window.location.pathname);
  }, []);
  return (
    <Alert color="green" mb="md" role="status">
      {children}
    </Alert>
  );
}
