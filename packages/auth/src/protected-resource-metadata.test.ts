import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  type ProtectedResourceMetadataOptions,
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
} from './protected-resource-metadata.ts';

describe('protectedResourceMetadataUrl (RFC 9728 §3.1)', () => {
  it.each([
    ['https://api.example.test/test', 'https://api.example.test/.well-known/oauth-protected-resource/test'],
    ['https://api.example.test/a/b', 'https://api.example.test/.well-known/oauth-protected-resource/a/b'],
    ['https://api.example.test', 'https://api.example.test/.well-known/oauth-protected-resource'],
    ['https://api.example.test/', 'https://api.example.test/.well-known/oauth-protected-resource'],
    ['http://127.0.0.1:4000/notes', 'http://127.0.0.1:4000/.well-known/oauth-protected-resource/notes'],
  ])('inserts the well-known path into %s', (resource, expected) => {
    expect(protectedResourceMetadataUrl(resource)).toBe(expected);
  });

  it.each([
    ['a relative path', '/notes'],
    ['a non-http scheme', 'urn:example:notes'],
    ['a fragment', 'https://api.example.test/notes#x'],
    ['a query', 'https://api.example.test/notes?tenant=1'],
    ['credentials', 'https://user:pw@api.example.test/notes'],
  ])('rejects a resource with %s', (_name, resource) => {
    expect(() => protectedResourceMetadataUrl(resource)).toThrow(TypeError);
  });
});

const OPTIONS: ProtectedResourceMetadataOptions = {
  resource: 'https://api.example.test/test',
  authorizationServers: ['https://auth.example.test'],
  scopesSupported: ['notes:read', 'notes:write'],
};

describe('protectedResourceMetadata', () => {
  it('serves the metadata at the well-known path derived from the resource', async () => {
    const app = Fastify();
    protectedResourceMetadata(app, { ...OPTIONS, resourceName: 'Notes API' });

    const response = await app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/test' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('public, max-age=3600');
    expect(response.json()).toEqual({
      resource: 'https://api.example.test/test',
      authorization_servers: ['https://auth.example.test'],
      scopes_supported: ['notes:read', 'notes:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Notes API',
    });
    expect(
      (await app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource' })).statusCode,
    ).toBe(404);
    await app.close();
  });

  it('leaves resource_name out when not given, and honours an explicit path', async () => {
    const app = Fastify();
    protectedResourceMetadata(app, { ...OPTIONS, path: '/.well-known/oauth-protected-resource' });
    const response = await app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).not.toHaveProperty('resource_name');
    expect(response.json()).not.toHaveProperty('resource_signing_alg_values_supported');
    await app.close();
  });

  it('copies its options when registered, so later changes to the arrays passed in do not leak', async () => {
    const app = Fastify();
    const scopes = ['notes:read'];
    protectedResourceMetadata(app, { ...OPTIONS, scopesSupported: scopes });
    scopes.push('admin');
    const response = await app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/test' });
    expect(response.json().scopes_supported).toEqual(['notes:read']);
    await app.close();
  });

  it.each<[string, Partial<ProtectedResourceMetadataOptions>, RegExp]>([
    ['no authorization server', { authorizationServers: [] }, /at least one issuer/],
    [
      'a bad authorization server',
      { authorizationServers: ['auth.example.test'] },
      /authorizationServers entry/,
    ],
    ['a bad scope', { scopesSupported: ['notes read'] }, /not a valid OAuth scope/],
    ['a bad resource', { resource: 'https://api.example.test/#x' }, /resource/],
    ['an empty resource name', { resourceName: '' }, /resourceName/],
    ['a relative path', { path: 'metadata' }, /path must start with/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => protectedResourceMetadata(Fastify(), { ...OPTIONS, ...overrides })).toThrow(message);
  });
});
