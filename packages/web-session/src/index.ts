// Server-side sessions for the platform's consoles: README.md.
export * from './cookies.ts';
export * from './crypto.ts';
export * from './ended-sessions.ts';
export * from './logout-token.ts';
export * from './oidc.ts';
export * from './platform-env.ts';
export * from './refresh.ts';
export * from './tokens.ts';
