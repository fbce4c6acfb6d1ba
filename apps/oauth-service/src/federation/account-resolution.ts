import type { User } from '../accounts/users.repository.ts';
import { domainAllowed, type UpstreamPerson } from './claims.ts';

// Which local account an upstream sign-in is: the linked one; else, by email, an existing account only when
// the operator allows linking by verified email and the upstream says the address is verified; else a new
// account when just-in-time provisioning is on (and the address's domain allowed). Anything else is refused
// with a reason the page explains. Roles named in the provider's group mapping follow the upstream's groups
// at every sign-in (added and removed); other roles are the administrator's and stay.

export interface ResolutionProvider {
  id: string;
  groupRoles: Record<string, string>;
  jitEnabled: boolean;
  defaultRoles: string[];
  allowedEmailDomains: string[];
  linkByVerifiedEmail: boolean;
}

export type RefusalReason =
  | 'link_required'
  | 'not_provisioned'
  | 'no_email'
  | 'domain_not_allowed'
  | 'disabled'
  | 'already_linked';

export type Resolution =
  | { ok: true; user: User; how: 'linked' | 'auto_linked' | 'provisioned' }
  | { ok: false; reason: RefusalReason; userId?: string };

/** The upstream subjects linked to local accounts: looked up and added. */
export interface IdentityLinks {
  find(providerId: string, subject: string): Promise<{ userId: string } | undefined>;
  link(identity: {
    providerId: string;
    subject: string;
    userId: string;
    email?: string | null;
  }): Promise<unknown>;
}

export interface ResolutionDeps {
  identities: IdentityLinks & {
    touch(providerId: string, subject: string, email?: string | null): Promise<boolean>;
  };
  users: {
    findById(id: string): Promise<User | undefined>;
    findByEmail(email: string): Promise<User | undefined>;
    findByUsername(username: string): Promise<User | undefined>;
    create(input: {
      username: string;
      email: string;
      displayName?: string;
      invited?: boolean;
    }): Promise<User>;
    markEmailVerified(id: string): Promise<unknown>;
  };
  roles: {
    findRoleByName(name: string): Promise<{ id: string; name: string } | undefined>;
    rolesOf(userId: string): Promise<Array<{ id: string; name: string }>>;
    assignRole(userId: string, roleId: string): Promise<void>;
    unassignRole(userId: string, roleId: string): Promise<void>;
  };
}

/** Roles the upstream's groups give, and the roles the mapping owns (which follow the groups). */
export function rolesFromGroups(groups: readonly string[], groupRoles: Record<string, string>) {
  const owned = new Set(Object.values(groupRoles));
  const granted = new Set(groups.flatMap((group) => (group in groupRoles ? [groupRoles[group]!] : [])));
  return { owned, granted };
}

/** Adds the roles the groups grant and removes mapped roles they no longer grant; returns the changes. */
export async function syncGroupRoles(
  roles: ResolutionDeps['roles'],
  userId: string,
  groups: readonly string[],
  provider: Pick<ResolutionProvider, 'groupRoles'>,
  extra: readonly string[] = [],
) {
  const { owned, granted } = rolesFromGroups(groups, provider.groupRoles);
  for (const name of extra) granted.add(name);
  const held = new Set((await roles.rolesOf(userId)).map((role) => role.name));
  const added: string[] = [];
  const removed: string[] = [];
  for (const name of granted) {
    if (held.has(name)) continue;
    const role = await roles.findRoleByName(name);
    if (!role) continue;
    await roles.assignRole(userId, role.id);
    added.push(name);
  }
  for (const name of owned) {
    if (granted.has(name) || !held.has(name)) continue;
    const role = await roles.findRoleByName(name);
    if (!role) continue;
    await roles.unassignRole(userId, role.id);
    removed.push(name);
  }
  return { added, removed };
}

/** A free username from the address's local part (or the subject): letters, digits, `.`, `_`, `-`. */
export async function freeUsername(users: ResolutionDeps['users'], person: UpstreamPerson) {
  const source = person.email ? person.email.slice(0, person.email.lastIndexOf('@')) : person.subject;
  let base = source
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 56);
  if (base.length < 3) base = `user-${base}`.slice(0, 56);
  for (let n = 0; n < 50; n += 1) {
    const candidate = n === 0 ? base : `${base}-${n + 1}`;
    if (!(await users.findByUsername(candidate))) return candidate;
  }
  return `${base.slice(0, 40)}-${crypto.randomUUID().slice(0, 8)}`;
}

async function provision(deps: ResolutionDeps, provider: ResolutionProvider, person: UpstreamPerson) {
  const email = person.email!;
  // No password of its own: the account signs in through the upstream (or sets one by a reset link).
  const user = await deps.users.create({
    username: await freeUsername(deps.users, person),
    email,
    ...(person.name ? { displayName: person.name.slice(0, 200) } : {}),
    invited: true,
  });
  if (person.emailVerified) await deps.users.markEmailVerified(user.id);
  await deps.identities.link({ providerId: provider.id, subject: person.subject, userId: user.id, email });
  return user;
}

/** The local account of this upstream sign-in, or why there is none. */
export async function resolveAccount(
  deps: ResolutionDeps,
  provider: ResolutionProvider,
  person: UpstreamPerson,
): Promise<Resolution> {
  const linked = await deps.identities.find(provider.id, person.subject);
  if (linked) {
    const user = await deps.users.findById(linked.userId);
    if (!user) return { ok: false, reason: 'not_provisioned' };
    if (user.status !== 'active') return { ok: false, reason: 'disabled', userId: user.id };
    await deps.identities.touch(provider.id, person.subject, person.email ?? null);
    return { ok: true, user, how: 'linked' };
  }
  const existing = person.email ? await deps.users.findByEmail(person.email) : undefined;
  if (existing) {
    if (!provider.linkByVerifiedEmail || !person.emailVerified)
      return { ok: false, reason: 'link_required', userId: existing.id };
    if (existing.status !== 'active') return { ok: false, reason: 'disabled', userId: existing.id };
    await deps.identities.link({
      providerId: provider.id,
      subject: person.subject,
      userId: existing.id,
      email: person.email ?? null,
    });
    await deps.identities.touch(provider.id, person.subject);
    return { ok: true, user: existing, how: 'auto_linked' };
  }
  if (!provider.jitEnabled) return { ok: false, reason: 'not_provisioned' };
  if (!person.email) return { ok: false, reason: 'no_email' };
  if (!domainAllowed(person.email, provider.allowedEmailDomains))
    return { ok: false, reason: 'domain_not_allowed' };
  const user = await provision(deps, provider, person);
  await deps.identities.touch(provider.id, person.subject);
  return { ok: true, user, how: 'provisioned' };
}
