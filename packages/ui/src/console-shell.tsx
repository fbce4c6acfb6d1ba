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
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { ColorSchemeToggle } from './color-scheme-toggle.tsx';
import { entryForPath, type NavEntry } from './navigation.ts';
import { SkipLink } from './skip-link.tsx';

/** A run of navigation entries, under a heading when it has a label. */
export interface NavGroup {
  label?: string;
  items: readonly NavEntry[];
}

export interface ConsoleUser {
  username: string;
  name: string;
}

export interface ConsoleShellProps {
  /** The product name in the header, a link to the console's home page. */
  title: string;
  /** The accessible name of the navigation landmark. */
  navigationLabel: string;
  /** Where the sign-out form posts (the full path, base path included). */
  signOutAction: string;
  user: ConsoleUser | null;
  navigation: readonly NavGroup[];
  /** A figure beside a navigation entry (by href), such as the approvals waiting. */
  counts?: Readonly<Record<string, number>> | undefined;
  /** Read by screen readers after a figure (" waiting"). */
  countLabel?: string | undefined;
  children: ReactNode;
}

/** One navigation entry, marked as the current page (`aria-current`) when it or a page under it is open. */
function ConsoleLink(props: {
  entry: NavEntry;
  active: boolean;
  count?: number | undefined;
  countLabel?: string | undefined;
  onNavigate: () => void;
}) {
  return (
    <NavLink
      component={Link}
      href={props.entry.href}
      label={props.entry.label}
      rightSection={
        props.count ? (
          <Badge size="sm" color="blue.9">
            {props.count}
            {props.countLabel ? <VisuallyHidden>{props.countLabel}</VisuallyHidden> : null}
          </Badge>
        ) : undefined
      }
      active={props.active}
      aria-current={props.active ? 'page' : undefined}
      onClick={props.onNavigate}
    />
  );
}

/** Each group with its entries; the entry the open page belongs to is marked. */
function ConsoleNavigation(props: {
  navigation: readonly NavGroup[];
  counts: Readonly<Record<string, number>>;
  countLabel?: string | undefined;
  pathname: string;
  onNavigate: () => void;
}) {
  const current = entryForPath(
    props.pathname,
    props.navigation.flatMap((group) => group.items),
  );
  return (
    <ScrollArea>
      <Stack gap="md">
        {props.navigation.map((group, index) => (
          <div key={group.label ?? index}>
            {group.label ? (
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mb={4}>
                {group.label}
              </Text>
            ) : null}
            {group.items.map((entry) => (
              <ConsoleLink
                key={entry.href}
                entry={entry}
                active={entry.href === current?.href}
                count={props.counts[entry.href]}
                countLabel={props.countLabel}
                onNavigate={props.onNavigate}
              />
            ))}
          </div>
        ))}
      </Stack>
    </ScrollArea>
  );
}

/** The header: burger (narrow screens), title, the signed-in user, theme and sign-out. */
function ConsoleHeader(props: {
  title: string;
  user: ConsoleUser | null;
  signOutAction: string;
  navigationOpened: boolean;
  onToggleNavigation: () => void;
}) {
  const { user } = props;
  return (
    <Group h="100%" px="md" justify="space-between" wrap="nowrap">
      <Group gap="sm" wrap="nowrap">
        {user ? (
          <Burger
            opened={props.navigationOpened}
            onClick={props.onToggleNavigation}
            hiddenFrom="sm"
            size="sm"
            aria-label="Toggle navigation"
          />
        ) : null}
        <Title order={1} size="h4">
          <Link href="/" style={{ color: 'inherit', textDecoration: 'none' }}>
            {props.title}
          </Link>
        </Title>
      </Group>
      <Group gap="sm" wrap="nowrap">
        {user ? (
          <Text size="sm" visibleFrom="xs" data-testid="signed-in-user">
            {user.name || user.username} ({user.username})
          </Text>
        ) : null}
        <ColorSchemeToggle />
        {user ? (
          <form method="post" action={props.signOutAction}>
            <Button type="submit" variant="default" size="xs">
              Sign out
            </Button>
          </form>
        ) : null}
      </Group>
    </Group>
  );
}

/**
 * A console's frame: the header, and the navigation the app hands in, collapsing behind a burger on narrow
 * screens. Signed out, only the header shows.
 */
export function ConsoleShell(props: ConsoleShellProps) {
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
        <ConsoleHeader
          title={props.title}
          user={props.user}
          signOutAction={props.signOutAction}
          navigationOpened={opened}
          onToggleNavigation={toggle}
        />
      </AppShell.Header>
      {signedIn ? (
        <AppShell.Navbar p="xs" aria-label={props.navigationLabel}>
          <ConsoleNavigation
            navigation={props.navigation}
            counts={props.counts ?? {}}
            countLabel={props.countLabel}
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
