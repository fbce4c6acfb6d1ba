'use client';

import { ConsoleShell } from '@platform/ui/console-shell';
import type { ReactNode } from 'react';
import type { NavSection } from '../lib/access/permissions.ts';

const OVERVIEW = { items: [{ href: '/', label: 'Overview' }] };

// The console frame: Overview, then the sections the user may open (computed on the server from their
// verified token).
export function Shell(props: {
  user: { username: string; name: string } | null;
  navigation: NavSection[];
  /** A figure beside a navigation entry (by href), such as the approvals waiting. */
  counts?: Readonly<Record<string, number>>;
  basePath: string;
  children: ReactNode;
}) {
  return (
    <ConsoleShell
      title="Platform console"
      navigationLabel="Console navigation"
      signOutAction={`${props.basePath}/auth/logout`}
      user={props.user}
      navigation={[OVERVIEW, ...props.navigation]}
      counts={props.counts}
      countLabel=" waiting"
    >
      {props.children}
    </ConsoleShell>
  );
}
