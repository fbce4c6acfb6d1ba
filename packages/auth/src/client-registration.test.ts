import { describe, expect, it } from 'vitest';
import { redirectUriProblem } from './client-registration.ts';

describe('redirect URIs a client may register', () => {
  it('accepts https, http on loopback and private-use native schemes', () => {
    for (const uri of [
      'https://app.example/cb',
      'http://127.0.0.1:8400/cb',
      'http://[::1]/cb',
      'com.example.app:/cb',
    ])
      expect(redirectUriProblem(uri)).toBeNull();
  });

  it('refuses relative URIs, fragments, wildcards, http off loopback and other schemes, saying why', () => {
    expect(redirectUriProblem('/cb')).toBe('is not an absolute URI');
    expect(redirectUriProblem('https://app.example/cb#x')).toBe('must not contain a fragment');
    expect(redirectUriProblem('https://*.example/cb')).toBe('must not contain wildcards');
    expect(redirectUriProblem('http://app.example/cb')).toBe('http is allowed only on loopback');
    expect(redirectUriProblem('javascript:alert(1)')).toBe('scheme javascript: is not allowed');
  });
});
