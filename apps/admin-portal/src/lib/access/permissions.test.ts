import { describe, expect, it } from 'vitest';
import { can, permissionForPath, permissionsFromScope, visibleNavigation } from './permissions.ts';

describe('permissions from the access token', () => {
  it('reads the space-separated scope claim', () => {
    const permissions = permissionsFromScope('admin:read  admin:write');
    expect([...permissions].sort()).toEqual(['admin:read', 'admin:write']);
    expect(can(permissions, 'admin:write')).toBe(true);
  });

  it('grants nothing for a missing or malformed claim', () => {
    for (const scope of [undefined, null, 42, ['admin:read'], '']) {
      const permissions = permissionsFromScope(scope);
      expect(permissions.size).toBe(0);
      expect(can(permissions, 'admin:read')).toBe(false);
    }
  });

  it('does not match scopes by prefix', () => {
    expect(can(permissionsFromScope('admin:reader admin'), 'admin:read')).toBe(false);
  });
});

describe('navigation', () => {
  it('shows nothing to a user without console permissions', () => {
    expect(visibleNavigation(new Set())).toEqual([]);
    expect(visibleNavigation(new Set(['test:read', 'kline:write']))).toEqual([]);
  });

  it('shows the identity and operations pages to a reader', () => {
    const labels = visibleNavigation(new Set(['admin:read'])).flatMap((s) => s.items.map((i) => i.label));
    expect(labels).toEqual([
      'Users',
      'Roles & permissions',
      'Clients',
      'Resource servers',
      'Sign-in providers',
      'Signing keys',
      'Audit log',
      'System',
    ]);
  });

  it('needs admin:read for every admin page and its sub-pages, nothing for the home page', () => {
    expect(permissionForPath('/users')).toBe('admin:read');
    expect(permissionForPath('/users/123/edit')).toBe('admin:read');
    expect(permissionForPath('/audit')).toBe('admin:read');
    expect(permissionForPath('/usersx')).toBeNull();
    expect(permissionForPath('/')).toBeNull();
  });
});

describe('Markets', () => {
  it('is shown with kline:read only, in its own section', () => {
    expect(visibleNavigation(new Set(['kline:read']))).toEqual([
      { label: 'Markets', items: [{ href: '/markets', label: 'Markets', needs: 'kline:read' }] },
    ]);
    const adminOnly = visibleNavigation(new Set(['admin:read', 'admin:write']));
    expect(adminOnly.map((s) => s.label)).not.toContain('Markets');
    const both = visibleNavigation(new Set(['admin:read', 'kline:read'])).map((s) => s.label);
    expect(both).toEqual(['Identity', 'Markets', 'Operations']);
  });

  it('needs kline:read for the page and its token route', () => {
    expect(permissionForPath('/markets')).toBe('kline:read');
    expect(permissionForPath('/markets/token')).toBe('kline:read');
  });
});

describe('Workflows navigation', () => {
  it('shows Workflows only with flow:read, in its own section', () => {
    expect(visibleNavigation(new Set(['flow:run', 'flow:write']))).toEqual([]);
    const sections = visibleNavigation(new Set(['flow:read']));
    expect(sections.map((s) => s.label)).toEqual(['Automation']);
    expect(sections[0]?.items).toEqual([{ href: '/workflows', label: 'Workflows', needs: 'flow:read' }]);
    const admin = visibleNavigation(new Set(['admin:read', 'flow:read'])).flatMap((s) =>
      s.items.map((i) => i.label),
    );
    expect(admin).toContain('Workflows');
    expect(admin).toContain('Users');
  });

  it('shows Approvals to whoever may decide (flow:approve), after Workflows', () => {
    const approver = visibleNavigation(new Set(['flow:read', 'flow:approve']));
    expect(approver[0]?.items.map((i) => [i.href, i.label])).toEqual([
      ['/workflows', 'Workflows'],
      ['/workflows/approvals', 'Approvals'],
    ]);
    expect(visibleNavigation(new Set(['flow:approve']))[0]?.items.map((i) => i.label)).toEqual(['Approvals']);
  });

  it('needs flow:approve for the approvals inbox and flow:read for every other workflows page', () => {
    expect(permissionForPath('/workflows/approvals')).toBe('flow:approve');
    expect(permissionForPath('/workflows/approvals/x')).toBe('flow:approve');
    expect(permissionForPath('/workflows')).toBe('flow:read');
    expect(permissionForPath('/workflows/runs/abc')).toBe('flow:read');
    expect(permissionForPath('/workflowsx')).toBeNull();
  });
});
