'use client';

import { MantineProvider } from '@mantine/core';
import type { ReactNode } from 'react';
import { cssVariablesResolver, theme } from './theme.ts';

// On the client side of the server/client boundary: the CSS variables resolver is a function, which a server
// component cannot pass to MantineProvider as a prop.
export function ThemeProvider(props: { children: ReactNode }) {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto">
      {props.children}
    </MantineProvider>
  );
}
