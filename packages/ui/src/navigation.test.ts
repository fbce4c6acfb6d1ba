import { describe, expect, it } from 'vitest';
import { entryForPath } from './navigation.ts';

const ENTRIES = [
  { href: '/', label: 'Home' },
  { href: '/workflows', label: 'Workflows' },
  { href: '/workflows/approvals', label: 'Approvals' },
];

describe('entryForPath', () => {
  it('marks the entry with the longest href the path equals or lies under', () => {
    expect(entryForPath('/workflows', ENTRIES)?.label).toBe('Workflows');
    expect(entryForPath('/workflows/runs/1', ENTRIES)?.label).toBe('Workflows');
    expect(entryForPath('/workflows/approvals/7', ENTRIES)?.label).toBe('Approvals');
  });

  it('matches the home entry only on the home page', () => {
    expect(entryForPath('/', ENTRIES)?.label).toBe('Home');
    expect(entryForPath('/nowhere', ENTRIES)).toBeUndefined();
    expect(entryForPath('/workflowsx', ENTRIES)).toBeUndefined();
  });
});
