'use client';

import { ConsoleShell } from '@platform/ui/console-shell';
import type { ReactNode } from 'react';
import { NAVIGATION } from '../lib/sections.ts';

const GROUPS = [{ items: NAVIGATION }];

// The account console's frame: its sections in one unlabelled group.
export function Shell(props: { user: { username: string; name: string } | null; children: ReactNode }) {
  return (
    <ConsoleShell
      title="Your account"
      navigationLabel="Account navigation"
      signOutAction="/account/auth/logout"
      user={props.user}
      navigation={GROUPS}
    >
      {props.children}
    </ConsoleShell>
  );
}
