import { describe, expect, it } from 'vitest';
import { formatBearerChallenge, formatDpopChallenge, quoteHeaderValue } from './www-authenticate.ts';

describe('formatBearerChallenge', () => {
  it('omits the error for a request without credentials (RFC 6750 §3.1)', () => {
    expect(
      formatBearerChallenge({ realm: 'notes', resourceMetadata: 'https://api.test/.well-known/x' }),
    ).toBe('Bearer realm="notes", resource_metadata="https://api.test/.well-known/x"');
  });

  it('lists error, description and scope in order', () => {
    expect(
      formatBearerChallenge({
        realm: 'notes',
        error: 'insufficient_scope',
        errorDescription: 'More scope needed.',
        scope: 'notes:read notes:write',
        resourceMetadata: 'https://api.test/m',
      }),
    ).toBe(
      'Bearer realm="notes", error="insufficient_scope", error_description="More scope needed.", ' +
        'scope="notes:read notes:write", resource_metadata="https://api.test/m"',
    );
  });
});

describe('quoteHeaderValue', () => {
  it('escapes quotes and backslashes', () => {
    expect(quoteHeaderValue('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
  });

  it.each(['line\r\nInjected: yes', 'tab\there', 'café'])(
    'refuses %j rather than emit a broken header',
    (value) => {
      expect(() => quoteHeaderValue(value)).toThrow(TypeError);
    },
  );
});

describe('formatDpopChallenge', () => {
  it('adds the accepted proof algorithms (RFC 9449 §7.1)', () => {
    expect(
      formatDpopChallenge({
        realm: 'notes',
        error: 'invalid_dpop_proof',
        errorDescription: 'Bad proof.',
        algs: ['ES256', 'EdDSA'],
        resourceMetadata: 'https://api.test/m',
      }),
    ).toBe(
      'DPoP realm="notes", error="invalid_dpop_proof", error_description="Bad proof.", ' +
        'algs="ES256 EdDSA", resource_metadata="https://api.test/m"',
    );
  });
});
