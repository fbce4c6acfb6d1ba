import { describe, expect, it } from 'vitest';
import { rolesFromGroups } from './account-resolution.ts';
import { domainAllowed, mapClaims, upstreamSatisfiesMfa } from './claims.ts';

const OIDC = {
  subject: 'sub',
  email: 'email',
  email_verified: 'email_verified',
  name: 'name',
  groups: 'groups',
};

describe('upstream claim mapping', () => {
  it('reads claim names and dotted paths; a number subject (GitHub id) becomes text', () => {
    const person = mapClaims(
      { id: 4242, mail: 'Ada@Example.ORG', realm_access: { roles: ['ops', 'dev'] }, login: 'ada' },
      { subject: 'id', email: 'mail', email_verified: null, name: 'login', groups: 'realm_access.roles' },
    );
    expect(person).toEqual({
      subject: '4242',
      email: 'ada@example.org',
      emailVerified: false,
      name: 'ada',
      groups: ['ops', 'dev'],
      amr: [],
      acr: undefined,
    });
  });

  it('counts an address as verified only when the upstream says true', () => {
    expect(mapClaims({ sub: 'a', email_verified: true }, OIDC)?.emailVerified).toBe(true);
    expect(mapClaims({ sub: 'a', email_verified: 'true' }, OIDC)?.emailVerified).toBe(true);
    expect(mapClaims({ sub: 'a', email_verified: 1 }, OIDC)?.emailVerified).toBe(false);
    expect(mapClaims({ sub: 'a' }, OIDC)?.emailVerified).toBe(false);
  });

  it('has no person without a subject', () => {
    expect(mapClaims({ email: 'x@example.org' }, OIDC)).toBeUndefined();
    expect(mapClaims({ sub: '  ' }, OIDC)).toBeUndefined();
  });

  it("takes the upstream's amr/acr as satisfying MFA only when the provider lists them", () => {
    const person = mapClaims({ sub: 'a' }, OIDC, { amr: ['pwd', 'hwk'], acr: 'urn:x:silver' })!;
    expect(upstreamSatisfiesMfa(person, { amr: ['hwk'], acr: [] })).toBe(true);
    expect(upstreamSatisfiesMfa(person, { amr: [], acr: ['urn:x:silver'] })).toBe(true);
    expect(upstreamSatisfiesMfa(person, { amr: ['mfa'], acr: ['urn:x:gold'] })).toBe(false);
  });

  it('allows any domain when the list is empty, else only the listed ones', () => {
    expect(domainAllowed('a@example.org', [])).toBe(true);
    expect(domainAllowed('a@Example.org', ['example.org'])).toBe(true);
    expect(domainAllowed('a@evil-example.org', ['example.org'])).toBe(false);
  });

  it('gives the roles of the groups present; the mapping owns every role it names', () => {
    const { owned, granted } = rolesFromGroups(['ops', 'other'], { ops: 'operator', admins: 'admin' });
    expect([...granted]).toEqual(['operator']);
    expect([...owned].sort()).toEqual(['admin', 'operator']);
  });
});
