import { ColorSchemeScript, mantineHtmlProps } from '@mantine/core';
import type { ReactNode } from 'react';
import { ThemeProvider } from './theme-provider.tsx';

/** A console's document, for its root layout: the colour scheme set before the first paint, and the theme. */
export function ConsoleDocument(props: { children: ReactNode }) {
  return (
    <html lang="en" {...mantineHtmlProps}>
      {/* biome-ignore lint/style/noHeadElement: an App Router root layout's document (next/head is for pages/). */}
      <head>
        {/* Sets the chosen (or the system's) colour scheme before the first paint: no flash of the other one. */}
        <ColorSchemeScript defaultColorScheme="auto" />
      </head>
      <body>
        {/* Mantine's default theme uses the system font stack: nothing is fetched at build or run time. */}
        <ThemeProvider>{props.children}</ThemeProvider>
      </body>
    </html>
  );
}
