import { describe, expect, it } from 'vitest';
import { internalMetadata } from './oidc.ts';

const config = { issuer: 'http://localhost:8080', internalOAuthUrl: 'http://oauth-service:3001' };

describe('provider metadata for a console', () => {
  it('sends server-to-server calls inside and the browser to the public origin', () => {
    // As oauth-service answers when reached on its internal address: endpoints on that host.
    const metadata = internalMetadata(
      {
        issuer: 'http://localhost:8080',
        authorization_endpoint: 'http://oauth-service:3001/oauth/authorize',
        end_session_endpoint: 'http://oauth-service:3001/oauth/end_session',
        token_endpoint: 'http://localhost:8080/oauth/token',
        jwks_uri: 'http://localhost:8080/oauth/jwks',
        introspection_endpoint: 'http://localhost:8080/oauth/introspect',
      },
      config,
    );
    expect(metadata.authorization_endpoint).toBe('http://localhost:8080/oauth/authorize');
    expect(metadata.end_session_endpoint).toBe('http://localhost:8080/oauth/end_session');
    expect(metadata.token_endpoint).toBe('http://oauth-service:3001/oauth/token');
    expect(metadata.jwks_uri).toBe('http://oauth-service:3001/oauth/jwks');
    expect(metadata.introspection_endpoint).toBe('http://oauth-service:3001/oauth/introspect');
    expect(metadata.issuer).toBe('http://localhost:8080');
  });

  it('refuses a provider announcing another issuer', () => {
    expect(() => internalMetadata({ issuer: 'https://evil.example' }, config)).toThrow(/issuer/);
  });
});
