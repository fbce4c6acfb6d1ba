import { describe, expect, it } from 'vitest';
import { passkeyRegistrationSchema, passkeyRenameSchema } from './passkey-schemas.ts';
import { fieldErrors } from './schemas.ts';

describe('the passkey forms', () => {
  it('carry a trimmed name and the browser’s answer as an object', () => {
    const parsed = passkeyRegistrationSchema.parse({ name: '  Phone ', response: '{"id":"abc"}' });
    expect(parsed).toEqual({ name: 'Phone', response: { id: 'abc' } });
  });

  it('refuse a blank or control-character name, and an answer that is not a JSON object', () => {
    const parsed = passkeyRegistrationSchema.safeParse({ name: '   ', response: '[1]' });
    expect(fieldErrors(parsed.error!)).toEqual({
      name: 'Enter a name for the passkey.',
      response: 'The browser’s answer is not readable. Try again.',
    });
    expect(passkeyRegistrationSchema.safeParse({ name: 'Key\u0007', response: '{}' }).success).toBe(false);
    expect(passkeyRegistrationSchema.safeParse({ name: 'Key', response: 'not json' }).success).toBe(false);
  });

  it('rename: an id and a name of at most 64 characters', () => {
    expect(passkeyRenameSchema.safeParse({ id: 'p1', name: 'x'.repeat(65) }).success).toBe(false);
    expect(passkeyRenameSchema.parse({ id: 'p1', name: 'Laptop' })).toEqual({ id: 'p1', name: 'Laptop' });
  });
});
