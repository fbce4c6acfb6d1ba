'use client';

import { ErrorNotice } from '@platform/ui/status-pages';

// Unexpected failures (oauth-service unreachable, an answer a page did not expect).
export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <ErrorNotice digest={error.digest} reset={reset}>
      The account service did not answer as expected. Try again in a moment
    </ErrorNotice>
  );
}
