import type { Generated } from 'kysely';

// Accounts and RBAC. Timestamps are epoch ms; booleans are integer 0/1 on both dialects (the repositories
// expose them as JS booleans). Permission names equal OAuth scope names (`test:read`, `admin:write`): a user
// may be granted a scope only if one of their roles carries the permission of that name.

export type UserStatus = 'active' | 'disabled';

export interface UsersTable {
  /** UUID v4. */
  id: string;
  /** Kept as entered; unique case-insensitively (index on lower(username)). ASCII only, so both dialects fold alike. */
  username: string;
  /** Stored lowercased; unique. */
  email: string;
  display_name: string;
  status: UserStatus;
  /** argon2id PHC string. Never leaves the accounts module. */
  password_hash: string;
  must_change_password: Generated<number>;
  /** Consecutive failed sign-ins since the last success or the end of the last lock. */
  failed_login_count: Generated<number>;
  /** While in the future, sign-in is refused even with the right password. */
  locked_until: number | null;
  last_login_at: number | null;
  /** 1 once the holder followed a verification (or invitation) link mailed to `email`. */
  email_verified: Generated<number>;
  /** 1 while an invited account has no password of its own yet: password sign-in is refused. */
  invitation_pending: Generated<number>;
  created_at: Generated<number>;
  updated_at: number;
}

export interface RolesTable {
  id: string;
  name: string;
  description: string;
  created_at: Generated<number>;
}

export interface PermissionsTable {
  id: string;
  /** An OAuth scope name, e.g. `test:read`. */
  name: string;
  description: string;
  created_at: Generated<number>;
}

export interface RolePermissionsTable {
  role_id: string;
  permission_id: string;
}

export interface UserRolesTable {
  user_id: string;
  role_id: string;
}

export interface AccountTables {
  users: UsersTable;
  roles: RolesTable;
  permissions: PermissionsTable;
  role_permissions: RolePermissionsTable;
  user_roles: UserRolesTable;
}
