import { requireScopes } from '@platform/auth';
import { HttpError } from '@platform/http';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { ACCOUNT_SCOPE } from './account-scope.ts';
import { setCaller } from './context.ts';

// Every account route needs an access token for the account resource with the `account` scope (401/403
// with a WWW-Authenticate challenge from @platform/auth), issued for a user: a client_credentials token
// (sub = client_id) has no account to manage. The user and the client are checked against the database on
// every request, so a disabled account or client stops at once, not when the token expires.

export interface AccountGuardDeps {
  findUser(id: string): Promise<{ id: string; username: string; status: string } | undefined>;
  findClient(clientId: string): Promise<{ enabled: boolean } | undefined>;
}

function forbidden(code: string, detail: string): HttpError {
  return new HttpError({ status: 403, code, detail });
}

export function createAccountGuard(deps: AccountGuardDeps) {
  async function accountHolder(request: FastifyRequest) {
    // requireScopes ran first, so the token is there and holds the scope.
    const token = request.token!;
    if (token.sub === token.clientId) {
      throw forbidden('user_token_required', 'The account API acts for a signed-in user, not a client.');
    }
    const client = await deps.findClient(token.clientId);
    if (!client?.enabled) {
      throw forbidden('client_disabled', 'The client this token was issued to is disabled or deleted.');
    }
    const user = await deps.findUser(token.sub);
    if (user?.status !== 'active') {
      throw forbidden('account_inactive', 'The user this token was issued for is disabled or deleted.');
    }
    const sid = typeof token.claims.sid === 'string' ? token.claims.sid : undefined;
    setCaller(request, { id: user.id, username: user.username, clientId: token.clientId, sid });
  }

  // Route onRequest hooks, so access is decided before the body is parsed or validated.
  const hooks: onRequestHookHandler[] = [requireScopes(ACCOUNT_SCOPE), accountHolder];
  return hooks;
}

export type AccountGuard = ReturnType<typeof createAccountGuard>;
