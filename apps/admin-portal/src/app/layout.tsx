import '@mantine/core/styles.css';
import { ColorSchemeScript, mantineHtmlProps } from '@mantine/core';
import { ThemeProvider } from '@platform/ui/theme-provider';
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
    <html lang="en" {...mantineHtmlProps}>
      <head>
        {/* Sets the chosen (or the system's) colour scheme before the first paint: no flash of the other one. */}
        <ColorSchemeScript defaultColorScheme="auto" />
      </head>
      <body>
        {/* Mantine's default theme uses the system font stack: nothing is fetched at build or run time. */}
        <ThemeProvider>
          <Shell
            basePath="/admin"
            user={session ? { username: session.user.username, name: session.user.name } : null}
            navigation={session ? visibleNavigation(session.permissions) : []}
            counts={waiting ? { '/workflows/approvals': waiting } : {}}
          >
            {children}
          </Shell>
        </ThemeProvider>
      </body>
    </html>
  );
}
