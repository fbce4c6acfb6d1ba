'use client';

import { ErrorNotice } from '@platform/ui/status-pages';

// Unexpected failures (oauth-service unreachable, an API error a page did not expect).
export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <ErrorNotice digest={error.digest} reset={reset}>
      A service the console depends on did not answer as expected. Try again; if it persists, check the System
      page and the service logs
    </ErrorNotice>
  );
}
