import type { ListSort } from './list-params.ts';

// The columns the admin API sorts each list by (its `sort` parameter), and each list's default order.

export const USER_SORTS = ['username', 'email', 'created_at', 'last_login_at'] as const;
export type UserSort = (typeof USER_SORTS)[number];
export const DEFAULT_USER_SORT: ListSort<UserSort> = { sort: 'username', order: 'asc' };

export const CLIENT_SORTS = ['name', 'created_at'] as const;
export type ClientSort = (typeof CLIENT_SORTS)[number];
export const DEFAULT_CLIENT_SORT: ListSort<ClientSort> = { sort: 'name', order: 'asc' };

export const AUDIT_SORTS = ['time'] as const;
export type AuditSort = (typeof AUDIT_SORTS)[number];
export const DEFAULT_AUDIT_SORT: ListSort<AuditSort> = { sort: 'time', order: 'desc' };
