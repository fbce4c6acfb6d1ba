import { describe, expect, it } from 'vitest';
import { isSaneRequestId, requestIdFor } from './request-id.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('isSaneRequestId', () => {
  it.each(['a', 'abc-123', 'trace.id:span_1', 'A'.repeat(128)])('accepts %s', (id) => {
    expect(isSaneRequestId(id)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too long', 'A'.repeat(129)],
    ['space', 'a b'],
    ['newline (log injection)', 'abc\nfake-line'],
    ['duplicated header joined by a comma', 'a, b'],
    ['quote', 'a"b'],
    ['non-ASCII', 'ïd'],
    ['array', ['a', 'b']],
    ['undefined', undefined],
  ])('rejects %s', (_label, id) => {
    expect(isSaneRequestId(id)).toBe(false);
  });
});

describe('requestIdFor', () => {
  it('keeps a sane incoming id', () => {
    expect(requestIdFor({ headers: { 'x-request-id': 'upstream-42' } })).toBe('upstream-42');
  });

  it('generates a UUID when the header is absent', () => {
    expect(requestIdFor({ headers: {} })).toMatch(UUID);
  });

  it('replaces an insane incoming id with a fresh UUID', () => {
    const id = requestIdFor({ headers: { 'x-request-id': 'x'.repeat(500) } });
    expect(id).toMatch(UUID);
  });

  it('generates a different id for each request', () => {
    expect(requestIdFor({ headers: {} })).not.toBe(requestIdFor({ headers: {} }));
  });
});
