import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretBoxError } from './secret-box.ts';

const box = createSecretBox('k'.repeat(32));

describe('secret box', () => {
  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('s3cret-value', 'client_secret');
    expect(sealed).not.toContain('s3cret');
    expect(box.open(sealed, 'client_secret')).toBe('s3cret-value');
  });

  it('uses a fresh nonce each time', () => {
    expect(box.seal('x', 'p')).not.toBe(box.seal('x', 'p'));
  });

  it('refuses another purpose, another key and tampering', () => {
    const sealed = box.seal('value', 'signing_key');
    expect(() => box.open(sealed, 'client_secret')).toThrow(SecretBoxError);
    expect(() => createSecretBox('j'.repeat(32)).open(sealed, 'signing_key')).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    parts[2] = `${parts[2]!.slice(0, -2)}AA`;
    expect(() => box.open(parts.join('.'), 'signing_key')).toThrow(SecretBoxError);
    expect(() => box.open('garbage', 'signing_key')).toThrow(/not a sealed value/);
  });

  it('refuses a short key', () => {
    expect(() => createSecretBox('short')).toThrow(/at least 32/);
  });
});
