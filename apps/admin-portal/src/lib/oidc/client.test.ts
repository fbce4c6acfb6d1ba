import { describe, expect, it } from 'vitest';
import { authorizationParameters } from './client.ts';

describe('the authorization request', () => {
  const resources = {
    adminResource: 'http://localhost:8080/api/admin',
    klineResource: 'http://localhost:8080/kline',
  };

  it('asks for the admin API and the kline resource, with kline:read, for Markets', () => {
    const params = authorizationParameters(resources, true, { state: 's' });
    expect(params.getAll('resource')).toEqual([resources.adminResource, resources.klineResource]);
    expect(params.get('scope')?.split(' ')).toEqual([
      'openid',
      'profile',
      'email',
      'offline_access',
      'admin:read',
      'admin:write',
      'kline:read',
    ]);
    expect(params.get('state')).toBe('s');
  });

  it('never asks for kline:write, and leaves kline out entirely on the retry without Markets', () => {
    expect(authorizationParameters(resources, true, {}).get('scope')).not.toContain('kline:write');
    const without = authorizationParameters(resources, false, {});
    expect(without.getAll('resource')).toEqual([resources.adminResource]);
    expect(without.get('scope')).not.toContain('kline');
  });
});
