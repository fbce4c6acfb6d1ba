'use client';

import { AppShell, Burger, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { ColorSchemeToggle } from '@platform/ui/color-scheme-toggle';
import { SkipLink } from '@platform/ui/skip-link';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { NAVIGATION, sectionForPath } from '../lib/sections.ts';

// The account console's frame: the product name, the user and sign-out in the header, the sections in a
// navigation that collapses behind a burger on narrow screens. Signed out, only the header shows.

export function Shell(props: { user: { username: string; name: string } | null; children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const pathname = usePathname();
  const current = sectionForPath(pathname);
  const signedIn = props.user !== null;
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={signedIn ? { width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } } : undefined}
      padding="md"
    >
      <AppShell.Header>
        <SkipLink target="main" />
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            {signedIn ? (
              <Burger
                opened={opened}
                onClick={toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label="Toggle navigation"
              />
            ) : null}
            <Title order={1} size="h4">
              <Link href="/" style={{ color: 'inherit', textDecoration: 'none' }}>
                Your account
              </Link>
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {props.user ? (
              <Text size="sm" visibleFrom="xs" data-testid="signed-in-user">
                {props.user.name || props.user.username} ({props.user.username})
              </Text>
            ) : null}
            <ColorSchemeToggle />
            {props.user ? (
              <form method="post" action="/account/auth/logout">
                <Button type="submit" variant="default" size="xs">
                  Sign out
                </Button>
              </form>
            ) : null}
          </Group>
        </Group>
      </AppShell.Header>
      {signedIn ? (
        <AppShell.Navbar p="xs" aria-label="Account navigation">
          <Stack gap={0}>
            {NAVIGATION.map((section) => (
              <NavLink
                key={section.href}
                component={Link}
                href={section.href}
                label={section.label}
                active={section.href === current?.href}
                aria-current={section.href === current?.href ? 'page' : undefined}
                onClick={close}
              />
            ))}
          </Stack>
        </AppShell.Navbar>
      ) : null}
      {/* Focusable, so the skip link moves keyboard focus past the header and navigation. */}
      <AppShell.Main id="main" tabIndex={-1}>
        {props.children}
      </AppShell.Main>
    </AppShell>
  );
}
