// The one scope granted outside RBAC. Roles decide which resource scopes a user may be granted, except
// `account`: it reaches only the caller's own data (their profile, password, sessions, applications and
// security events), so every active user may hold it, whatever their roles, and no role needs to carry it.
// This is the only such exception; everything that turns roles into grantable scopes goes through here.

export const ACCOUNT_SCOPE = 'account';

export interface GrantableScopeDeps {
  /** Permission names the user holds through roles; empty for a disabled or unknown user. */
  permissionsOf(userId: string): Promise<Set<string>>;
  findUser(userId: string): Promise<{ status: string } | undefined>;
}

/** The scopes `userId` may be granted: their roles' permissions, and `account` while they are active. */
export function grantableScopes(deps: GrantableScopeDeps): (userId: string) => Promise<Set<string>> {
  return async (userId) => {
    const permitted = await deps.permissionsOf(userId);
    if (typeof userId !== 'string') return permitted;
    const user = await deps.findUser(userId);
    return user?.status === 'active' ? new Set([...permitted, ACCOUNT_SCOPE]) : permitted;
  };
}
