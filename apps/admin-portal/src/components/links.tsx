'use client';

import { Anchor, Button } from '@mantine/core';
import Link from 'next/link';
import type { ReactNode } from 'react';

// Mantine's Button and Anchor rendered as Next.js links (client-side navigation inside the basePath).
// Server Components cannot pass `component={Link}` across the client boundary, so they use these.

export function ButtonLink(props: {
  href: string;
  children: ReactNode;
  variant?: 'filled' | 'light' | 'default' | 'outline' | 'subtle';
  size?: 'xs' | 'sm' | 'md';
}) {
  return (
    <Button
      component={Link}
      href={props.href}
      variant={props.variant ?? 'filled'}
      size={props.size ?? 'sm'}
      w="fit-content"
    >
      {props.children}
    </Button>
  );
}

export function AnchorLink(props: { href: string; children: ReactNode }) {
  return (
    <Anchor component={Link} href={props.href}>
      {props.children}
    </Anchor>
  );
}
