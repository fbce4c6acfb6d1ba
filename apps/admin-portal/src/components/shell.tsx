'use client';

import {
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { ColorSchemeToggle } from '@platform/ui/color-scheme-toggle';
import { SkipLink } from '@platform/ui/skip-link';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { type NavSection, navItemForPath } from '../lib/access/permissions.ts';

/** One navigation entry, marked as the current page (`aria-current`) when it or a page under it is open. */
function ConsoleLink(props: {
  href: string;
  label: string;
  active: boolean;
  count?: number | undefined;
  onNavigate: () => void;
}) {
  return (
    <NavLink
      component={Link}
      href={props.href}
      label={props.label}
      rightSection={
        props.count ? (
          <Badge size="sm" color="blue.9">
            {props.count}
            <VisuallyHidden> waiting</VisuallyHidden>
          </Badge>
        ) : undefined
      }
      active={props.active}
      aria-current={props.active ? 'page' : undefined}
      onClick={props.onNavigate}
    />
  );
}

/** Overview, then each section the user may open, with its entries. */
function ConsoleNavigation(props: {
  navigation: NavSection[];
  counts: Readonly<Record<string, number>>;
  pathname: string;
  onNavigate: () => void;
}) {
  const { pathname, onNavigate } = props;
  const current = navItemForPath(
    pathname,
    props.navigation.flatMap((section) => section.items),
  );
  return (
    <ScrollArea>
      <Stack gap="md">
        <ConsoleLink href="/" label="Overview" active={pathname === '/'} onNavigate={onNavigate} />
        {props.navigation.map((section) => (
          <div key={section.label}>
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mb={4}>
              {section.label}
            </Text>
            {section.items.map((item) => (
              <ConsoleLink
                key={item.href}
                href={item.href}
                label={item.label}
                active={item.href === current?.href}
                count={props.counts[item.href]}
                onNavigate={onNavigate}
              />
            ))}
          </div>
        ))}
      </Stack>
    </ScrollArea>
  );
}

// The console frame: header with the user and sign-out, a navigation that holds only what the user may open
// (computed on the server from their verified token), collapsing behind a burger on narrow screens.
export function Shell(props: {
  user: { username: string; name: string } | null;
  navigation: NavSection[];
  /** A figure beside a navigation entry (by href), such as the approvals waiting. */
  counts?: Readonly<Record<string, number>>;
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
                Platform console
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
              <form method="post" action={`${props.basePath}/auth/logout`}>
                <Button type="submit" variant="default" size="xs">
                  Sign out
                </Button>
              </form>
            ) : null}
          </Group>
        </Group>
      </AppShell.Header>
      {signedIn ? (
        <AppShell.Navbar p="xs" aria-label="Console navigation">
          <ConsoleNavigation
            navigation={props.navigation}
            counts={props.counts ?? {}}
            pathname={pathname}
            onNavigate={close}
          />
        </AppShell.Navbar>
      ) : null}
      {/* Focusable, so the skip link moves keyboard focus past the header and navigation. */}
      <AppShell.Main id="main" tabIndex={-1}>
        {props.children}
      </AppShell.Main>
    </AppShell>
  );
}
