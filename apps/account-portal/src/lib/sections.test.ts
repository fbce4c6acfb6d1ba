import { routeLabel } from '@platform/web-session/console-server';
import { describe, expect, it } from 'vitest';
import { SECTIONS, sectionForPath } from './sections.ts';

describe('console sections', () => {
  it('mark the navigation entry of a page and of pages under it', () => {
    expect(sectionForPath('/')?.label).toBe('Profile');
    expect(sectionForPath('/sessions')?.label).toBe('Sessions');
    expect(sectionForPath('/applications/x')?.label).toBe('Connected applications');
    expect(sectionForPath('/nowhere')).toBeUndefined();
  });

  it('label metrics by section, never by raw URL', () => {
    expect(routeLabel('/account', '/account', SECTIONS)).toBe('/account');
    expect(routeLabel('/account/sessions', '/account', SECTIONS)).toBe('/account/sessions');
    expect(routeLabel('/account/auth/callback', '/account', SECTIONS)).toBe('/account/auth');
    expect(routeLabel('/account/wp-login.php', '/account', SECTIONS)).toBe('unmatched');
    expect(routeLabel('/health', '/account', SECTIONS)).toBe('/health');
  });
});
