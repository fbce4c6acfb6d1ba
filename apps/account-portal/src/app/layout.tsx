import '@mantine/core/styles.css';
import { ColorSchemeScript, mantineHtmlProps } from '@mantine/core';
import { ThemeProvider } from '@platform/ui/theme-provider';
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
    <html lang="en" {...mantineHtmlProps}>
      <head>
        {/* Sets the chosen (or the system's) colour scheme before the first paint: no flash of the other one. */}
        <ColorSchemeScript defaultColorScheme="auto" />
      </head>
      <body>
        <ThemeProvider>
          <Shell user={session ? { username: session.user.username, name: session.user.name } : null}>
            {children}
          </Shell>
        </ThemeProvider>
      </body>
    </html>
  );
}
