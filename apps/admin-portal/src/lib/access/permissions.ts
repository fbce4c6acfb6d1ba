// What a signed-in user may do in the console. The portal's access token (an RFC 9068 JWT for the admin
// API, verified against the token issuer's JWKS) carries the scopes the user's roles allowed at sign-in
// (oauth-service grants a scope only through a role permission of the same name), so the token's `scope` is
// the user's permission set here. The admin API checks the database again on every call, so a role removed
// since sign-in is refused there at once and surfaces as a 403 page.

import { entryForPath } from '@platform/ui/navigation';

export type Permission = 'admin:read' | 'admin:write' | 'kline:read' | FlowPermission;
/** flow-service's scopes (their tokens: lib/session/resource-tokens.ts). */
export type FlowPermission = 'flow:read' | 'flow:write' | 'flow:run' | 'flow:approve';

export interface NavItem {
  href: string;
  label: string;
  /** Permission needed to see the entry and to open its pages. */
  needs: Permission;
}

export interface NavSection {
  label: string;
  items: NavItem[];
}

/**
 * The console's navigation; a section appears only when at least one of its entries is usable. Markets needs
 * `kline:read`, which the session holds when the sign-in grant covers the kline resource (see
 * lib/session/kline.ts); Workflows needs `flow:read`, from the flow token (lib/session/resource-tokens.ts).
 */
export const NAVIGATION: NavSection[] = [
  {
    label: 'Identity',
    items: [
      { href: '/users', label: 'Users', needs: 'admin:read' },
      { href: '/roles', label: 'Roles & permissions', needs: 'admin:read' },
      { href: '/clients', label: 'Clients', needs: 'admin:read' },
      { href: '/resource-servers', label: 'Resource servers', needs: 'admin:read' },
      { href: '/sign-in-providers', label: 'Sign-in providers', needs: 'admin:read' },
      { href: '/keys', label: 'Signing keys', needs: 'admin:read' },
    ],
  },
  {
    label: 'Markets',
    items: [{ href: '/markets', label: 'Markets', needs: 'kline:read' }],
  },
  {
    label: 'Operations',
    items: [
      { href: '/audit', label: 'Audit log', needs: 'admin:read' },
      { href: '/system', label: 'System', needs: 'admin:read' },
    ],
  },
  {
    label: 'Automation',
    items: [
      { href: '/workflows', label: 'Workflows', needs: 'flow:read' },
      // Deciding needs no flow:read: the inbox shows what a decider needs (flow-service's approvals list).
      { href: '/workflows/approvals', label: 'Approvals', needs: 'flow:approve' },
    ],
  },
];

/** The permission set behind an access token's `scope` claim (space-separated, RFC 9068 §2.2.3). */
export function permissionsFromScope(scope: unknown): Set<string> {
  if (typeof scope !== 'string') return new Set();
  return new Set(scope.split(' ').filter(Boolean));
}

export function can(permissions: ReadonlySet<string>, needed: Permission): boolean {
  return permissions.has(needed);
}

/** The sections and entries `permissions` allow; empty sections are left out. */
export function visibleNavigation(permissions: ReadonlySet<string>): NavSection[] {
  return NAVIGATION.map((section) => ({
    label: section.label,
    items: section.items.filter((item) => can(permissions, item.needs)),
  })).filter((section) => section.items.length > 0);
}

/** The entry a console path belongs to: the one with the longest matching href (`/workflows/approvals` is
 * Approvals, not Workflows), or undefined. */
export function navItemForPath(pathname: string, items: readonly NavItem[]): NavItem | undefined {
  return entryForPath(pathname, items);
}

/** The permission a console path needs (its navigation entry's), or null for pages open to any user. */
export function permissionForPath(pathname: string): Permission | null {
  return (
    navItemForPath(
      pathname,
      NAVIGATION.flatMap((section) => section.items),
    )?.needs ?? null
  );
}
