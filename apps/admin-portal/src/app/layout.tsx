import '@mantine/core/styles.css';
import { ConsoleDocument } from '@platform/ui/console-document';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Shell } from '../components/shell.tsx';
import { visibleNavigation } from '../lib/access/permissions.ts';
import { currentSession } from '../lib/session/current.ts';
import { approvalsWaiting } from '../lib/workflows/approvals-waiting.ts';

export const metadata: Metadata = {
  title: { default: 'Platform console', template: '%s · Platform console' },
};
// Every page depends on who asks: nothing is prerendered or cached.
export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await currentSession();
  const waiting = await approvalsWaiting(session);
  return (
    <ConsoleDocument>
      <Shell
        basePath="/admin"
        user={session ? { username: session.user.username, name: session.user.name } : null}
        navigation={session ? visibleNavigation(session.permissions) : []}
        counts={waiting ? { '/workflows/approvals': waiting } : {}}
      >
        {children}
      </Shell>
    </ConsoleDocument>
  );
}
