import { describe, expect, it } from 'vitest';
import {
  auditFilterSchema,
  clientCreateSchema,
  fieldErrors,
  formObject,
  keyRotationSchema,
  passwordResetSchema,
  redirectUriProblem,
  resourceServerSchema,
  roleSchema,
  userCreateSchema,
} from './schemas.ts';

const form = (entries: Array<[string, string]>) => {
  const data = new FormData();
  for (const [key, value] of entries) data.append(key, value);
  return formObject(data);
};

describe('user forms', () => {
  const valid = {
    username: 'jane.doe',
    email: ' Jane@Example.com ',
    display_name: 'Jane',
    password: 'correct-horse-battery',
  };

  it('accepts a valid user, normalising the email and reading the checkbox', () => {
    const user = userCreateSchema.parse({ ...valid, must_change_password: 'on' });
    expect(user.email).toBe('jane@example.com');
    expect(user.must_change_password).toBe(true);
    expect(userCreateSchema.parse(valid).must_change_password).toBe(false);
  });

  it('names every bad field', () => {
    const result = userCreateSchema.safeParse({
      username: '-x',
      email: 'nope',
      display_name: '',
      password: 'short',
    });
    expect(result.success).toBe(false);
    const errors = fieldErrors(result.error!);
    expect(Object.keys(errors).sort()).toEqual(['email', 'password', 'username']);
    expect(errors.password).toMatch(/at least 12/);
  });

  it('needs no password for an invitation, and one otherwise', () => {
    const invited = userCreateSchema.parse({ ...valid, password: '', invite: 'on' });
    expect(invited.invite).toBe(true);
    const result = userCreateSchema.safeParse({ ...valid, password: '' });
    expect(result.success).toBe(false);
    expect(fieldErrors(result.error!).password).toMatch(/at least 12/);
  });

  it('refuses a password reset whose confirmation differs', () => {
    const result = passwordResetSchema.safeParse({
      password: 'correct-horse-battery',
      confirm: 'correct-horse-batterY',
    });
    expect(result.success).toBe(false);
    expect(fieldErrors(result.error!).confirm).toBe('does not match the password');
  });
});

describe('role names', () => {
  it('must be a single scope-like token', () => {
    expect(roleSchema.safeParse({ name: 'auditor', description: '' }).success).toBe(true);
    for (const name of ['', 'two words', 'quo"te', 'back\\slash', 'x'.repeat(65)])
      expect(roleSchema.safeParse({ name, description: '' }).success).toBe(false);
  });
});

describe('client form', () => {
  const base = {
    name: 'Shop',
    type: 'confidential',
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: 'https://shop.example.com/callback\n\n  http://127.0.0.1:8000/cb  ',
    post_logout_redirect_uris: '',
    scope: ['openid'],
    application_type: 'web',
  };

  it('accepts a confidential web client and splits the URI lines', () => {
    const client = clientCreateSchema.parse(base);
    expect(client.redirect_uris).toEqual(['https://shop.example.com/callback', 'http://127.0.0.1:8000/cb']);
    expect(client.require_dpop).toBe(false);
  });

  it('reads the back-channel logout URI: empty is none, https or loopback http only', () => {
    expect(
      clientCreateSchema.parse({ ...base, backchannel_logout_uri: ' ' }).backchannel_logout_uri,
    ).toBeNull();
    const https = 'https://shop.example.com/backchannel-logout';
    expect(clientCreateSchema.parse({ ...base, backchannel_logout_uri: https }).backchannel_logout_uri).toBe(
      https,
    );
    for (const refused of [
      'http://shop.example.com/bcl',
      'https://shop.example.com/bcl#x',
      'com.example.app:/bcl',
    ]) {
      const result = clientCreateSchema.safeParse({ ...base, backchannel_logout_uri: refused });
      expect(result.error?.issues[0]?.path).toEqual(['backchannel_logout_uri']);
    }
  });

  it('reads the first-party checkbox, and refuses it for a public client', () => {
    expect(clientCreateSchema.parse(base).first_party).toBe(false);
    expect(clientCreateSchema.parse({ ...base, first_party: 'on' }).first_party).toBe(true);
    const refused = clientCreateSchema.safeParse({ ...base, type: 'public', first_party: 'on' });
    expect(refused.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['first_party']);
  });

  it('sends the token exchange policy only with its grant type, and checks it', () => {
    const TE = 'urn:ietf:params:oauth:grant-type:token-exchange';
    expect(clientCreateSchema.parse(base).token_exchange).toBeNull();
    const exchanging = {
      ...base,
      grant_types: ['client_credentials', TE],
      redirect_uris: '',
      exchange_audiences: ['https://api.example/test'],
      exchange_scopes: ['test:read'],
      exchange_delegation: 'on',
    };
    const parsed = clientCreateSchema.parse(exchanging);
    expect(parsed.token_exchange).toEqual({
      audiences: ['https://api.example/test'],
      scopes: ['test:read'],
      delegation: true,
      impersonation: false,
    });
    expect(parsed).not.toHaveProperty('exchange_audiences');
    const refused = clientCreateSchema.safeParse({
      ...exchanging,
      exchange_audiences: [],
      exchange_scopes: [],
      exchange_delegation: undefined,
    });
    expect(Object.keys(fieldErrors(refused.error!)).sort()).toEqual([
      'exchange_audiences',
      'exchange_delegation',
      'exchange_scopes',
    ]);
    expect(
      fieldErrors(clientCreateSchema.safeParse({ ...exchanging, type: 'public' }).error!).grant_types,
    ).toMatch(/confidential/);
  });

  it('accepts refresh_token beside token exchange, and offline_access in the policy (refresh tokens by exchange)', () => {
    const parsed = clientCreateSchema.parse({
      ...base,
      grant_types: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange', 'refresh_token'],
      redirect_uris: '',
      exchange_audiences: ['https://api.example/test'],
      exchange_scopes: ['test:read', 'offline_access'],
      exchange_delegation: 'on',
    });
    expect(parsed.token_exchange?.scopes).toEqual(['test:read', 'offline_access']);
    const alone = clientCreateSchema.safeParse({
      ...base,
      grant_types: ['client_credentials', 'refresh_token'],
    });
    expect(fieldErrors(alone.error!).grant_types).toMatch(/refresh_token needs/);
  });

  it('forces a public client to authenticate with none', () => {
    const client = clientCreateSchema.parse({ ...base, type: 'public' });
    expect(client.token_endpoint_auth_method).toBe('none');
  });

  it('refuses what OAuth 2.1 and the exact-redirect rule refuse', () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ grant_types: ['implicit'] }, 'grant_types', /supported/],
      [{ grant_types: [] }, 'grant_types', /at least one/],
      [{ grant_types: ['refresh_token'] }, 'grant_types', /needs authorization_code/],
      [{ type: 'public', grant_types: ['client_credentials'] }, 'grant_types', /confidential/],
      [{ token_endpoint_auth_method: 'none' }, 'token_endpoint_auth_method', /confidential client/],
      [{ redirect_uris: '' }, 'redirect_uris', /at least one/],
      [{ redirect_uris: 'http://shop.example.com/cb' }, 'redirect_uris', /loopback/],
      [{ redirect_uris: 'https://shop.example.com/*' }, 'redirect_uris', /wildcards/],
      [{ redirect_uris: 'https://shop.example.com/cb#x' }, 'redirect_uris', /fragment/],
      [{ post_logout_redirect_uris: 'javascript:alert(1)' }, 'post_logout_redirect_uris', /not allowed/],
    ];
    for (const [change, field, message] of cases) {
      const result = clientCreateSchema.safeParse({ ...base, ...change });
      expect(result.success, JSON.stringify(change)).toBe(false);
      expect(fieldErrors(result.error!)[field], JSON.stringify(change)).toMatch(message);
    }
  });

  it('checks redirect URIs like oauth-service does', () => {
    expect(redirectUriProblem('https://a.example/cb')).toBeNull();
    expect(redirectUriProblem('http://localhost:3000/cb')).toBeNull();
    expect(redirectUriProblem('com.example.app:/callback')).toBeNull();
    expect(redirectUriProblem('/relative')).toMatch(/absolute/);
    expect(redirectUriProblem('ftp://a.example/cb')).toMatch(/not allowed/);
  });
});

describe('resource servers and keys', () => {
  it('takes an absolute identifier and an optional lifetime within bounds', () => {
    const ok = resourceServerSchema.parse({
      name: 'orders',
      identifier: 'https://api.example.com/orders',
      description: '',
      access_token_ttl: '',
    });
    expect(ok.access_token_ttl).toBeNull();
    expect(resourceServerSchema.parse({ ...ok, access_token_ttl: '600' }).access_token_ttl).toBe(600);
    for (const change of [
      { identifier: 'orders' },
      { identifier: 'https://api.example.com/orders?x=1' },
      { identifier: 'https://user:pw@api.example.com/' },
      { access_token_ttl: '10' },
      { access_token_ttl: '1.5' },
      { access_token_ttl: 'abc' },
    ])
      expect(resourceServerSchema.safeParse({ ...ok, ...change }).success, JSON.stringify(change)).toBe(
        false,
      );
  });

  it('bounds the key activation delay', () => {
    expect(keyRotationSchema.parse({ activation_delay_seconds: '60' }).activation_delay_seconds).toBe(60);
    for (const value of ['-1', '3601', 'soon', '2.5'])
      expect(keyRotationSchema.safeParse({ activation_delay_seconds: value }).success).toBe(false);
  });
});

describe('audit filters', () => {
  it('accepts actions and prefixes, drops empty fields, and turns times into instants', () => {
    const filters = auditFilterSchema.parse({
      action: 'user.*',
      actor: '',
      outcome: '',
      from: '2026-01-01T10:00',
    });
    expect(filters.action).toBe('user.*');
    expect(filters.actor).toBeUndefined();
    expect(filters.outcome).toBeUndefined();
    expect(filters.from).toMatch(/^2026-01-01T\d\d:00:00.000Z$/);
  });

  it('reads a plain word as a prefix and ignores case, as the audit API spells actions', () => {
    expect(auditFilterSchema.parse({ action: 'user' }).action).toBe('user.*');
    expect(auditFilterSchema.parse({ action: ' Login ' }).action).toBe('login.*');
    expect(auditFilterSchema.parse({ action: 'USER.CREATE' }).action).toBe('user.create');
    expect(auditFilterSchema.parse({ action: 'refresh_token.reuse_detected' }).action).toBe(
      'refresh_token.reuse_detected',
    );
    for (const malformed of ['user.', 'user..create', 'user.*.create', '.user', '1user', 'user.cre ate']) {
      const result = auditFilterSchema.safeParse({ action: malformed });
      expect(result.success, malformed).toBe(false);
      expect(fieldErrors(result.error!).action, malformed).toMatch(/must be an action such as user\.create/);
    }
  });

  it('refuses a malformed action, an unreadable time and an empty range', () => {
    expect(auditFilterSchema.safeParse({ action: 'DROP TABLE' }).success).toBe(false);
    expect(auditFilterSchema.safeParse({ from: 'yesterday' }).success).toBe(false);
    const reversed = auditFilterSchema.safeParse({ from: '2026-01-02T00:00', to: '2026-01-01T00:00' });
    expect(fieldErrors(reversed.error!).to).toMatch(/after/);
  });
});

describe('formObject', () => {
  it('keeps repeated fields as lists, even when none is ticked, and drops React action fields', () => {
    const object = form([
      ['name', 'x'],
      ['scope', 'openid'],
      ['scope', 'profile'],
      ['$ACTION_ID_abc', ''],
    ]);
    expect(object).toEqual({
      name: 'x',
      scope: ['openid', 'profile'],
      grant_types: [],
      permissions: [],
      exchange_audiences: [],
      exchange_scopes: [],
      default_roles: [],
    });
  });
});
