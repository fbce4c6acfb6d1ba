import '@mantine/core/styles.css';
import { ConsoleDocument } from '@platform/ui/console-document';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Shell } from '../components/shell.tsx';
import { currentSession } from '../lib/session/current.ts';

export const metadata: Metadata = {
  title: { default: 'Your account', template: '%s · Your account' },
};

// Every page depends on who asks: nothing is prerendered or cached.
export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await currentSession();
  return (
    <ConsoleDocument>
      <Shell user={session ? { username: session.user.username, name: session.user.name } : null}>
        {children}
      </Shell>
    </ConsoleDocument>
  );
}
