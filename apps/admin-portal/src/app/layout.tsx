import '@mantine/core/styles.css';
import { ColorSchemeScript, MantineProvider, mantineHtmlProps } from '@mantine/core';
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Shell } from '../components/shell.tsx';
import { visibleNavigation } from '../lib/access/permissions.ts';
import { currentSession } from '../lib/session/current.ts';
import { approvalsWaiting } from '../lib/workflows/approvals-waiting.ts';
import { theme } from '../theme.ts';

export const metadata: Metadata = {
  title: { default: 'Platform console', template: '%s · Platform console' },
};
// Every page depends on who asks: nothing is prerendered or cached.
export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await currentSession();
  const waiting = await approvalsWaiting(session);
  return (
    <html lang="en" {...mantineHtmlProps}>
      <head>
        <ColorSchemeScript defaultColorScheme="light" />
      </head>
      <body>
        {/* Mantine's default theme uses the system font stack: nothing is fetched at build or run time. */}
        <MantineProvider defaultColorScheme="light" theme={theme}>
          <Shell
            basePath="/admin"
            user={session ? { username: session.user.username, name: session.user.name } : null}
            navigation={session ? visibleNavigation(session.permissions) : []}
            counts={waiting ? { '/workflows/approvals': waiting } : {}}
          >
            {children}
          </Shell>
        </MantineProvider>
      </body>
    </html>
  );
}
