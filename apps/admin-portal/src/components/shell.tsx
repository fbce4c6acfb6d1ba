'use client';

import { AppShell, Burger, Button, Group, NavLink, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import type { NavSection } from '../lib/access/permissions.ts';
import classes from './shell.module.css';

// The console frame: header with the user and sign-out, a navigation that holds only what the user may open
// (computed on the server from their verified token), collapsing behind a burger on narrow screens.
export function Shell(props: {
  user: { username: string; name: string } | null;
  navigation: NavSection[];
  basePath: string;
  children: ReactNode;
}) {
  const [opened, { toggle, close }] = useDisclosure();
  const pathname = usePathname();
  const signedIn = props.user !== null;
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={signedIn ? { width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } } : undefined}
      padding="md"
    >
      <AppShell.Header>
        {/* The first stop for keyboard users; hidden until it has focus. */}
        <a href="#main" className={classes.skipLink}>
          Skip to content
        </a>
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
                Platform console
              </Link>
            </Title>
          </Group>
          {props.user ? (
            <Group gap="sm" wrap="nowrap">
              <Text size="sm" visibleFrom="xs" data-testid="signed-in-user">
                {props.user.name || props.user.username} ({props.user.username})
              </Text>
              <form method="post" action={`${props.basePath}/auth/logout`}>
                <Button type="submit" variant="default" size="xs">
                  Sign out
                </Button>
              </form>
            </Group>
          ) : null}
        </Group>
      </AppShell.Header>
      {signedIn ? (
        <AppShell.Navbar p="xs" aria-label="Console navigation">
          <ScrollArea>
            <Stack gap="md">
              <NavLink
                component={Link}
                href="/"
                label="Overview"
                active={pathname === '/'}
                aria-current={pathname === '/' ? 'page' : undefined}
                onClick={close}
              />
              {props.navigation.map((section) => (
                <div key={section.label}>
                  <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mb={4}>
                    {section.label}
                  </Text>
                  {section.items.map((item) => {
                    const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
                    return (
                      <NavLink
                        key={item.href}
                        component={Link}
                        href={item.href}
                        label={item.label}
                        active={active}
                        aria-current={active ? 'page' : undefined}
                        onClick={close}
                      />
                    );
                  })}
                </div>
              ))}
            </Stack>
          </ScrollArea>
        </AppShell.Navbar>
      ) : null}
      {/* Focusable, so the skip link moves keyboard focus past the header and navigation. */}
      <AppShell.Main id="main" tabIndex={-1}>
        {props.children}
      </AppShell.Main>
    </AppShell>
  );
}
